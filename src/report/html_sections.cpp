#include "report/html_sections.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "proxima/core/error.hpp"
#include "proxima/core/markup.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/report/time_classes.hpp"

namespace proxima::detail {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::string html(std::string_view s) { return escape_markup(s); }

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(fmt::format("cannot read '{}' to embed it in the report", path.string()));
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string fr_minutes(double v) { return format_number(v, 1, html_numbers) + "\u00a0min"; }

std::string fr_people(double v) { return format_number(std::round(v), 0, html_numbers); }

/// The maps under run_dir/maps (and maps/epci), relative to run_dir, in name order.
std::vector<std::string> static_maps(const fs::path& run_dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const char* sub : {"maps", "maps/epci"}) {
        const fs::path dir = run_dir / sub;
        if (!fs::is_directory(dir, ec)) {
            continue;
        }
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            if (entry.is_regular_file(ec) && entry.path().extension() == ".png") {
                out.push_back(std::string(sub) + "/" + entry.path().filename().string());
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string static_map_caption(const std::string& stem, const std::vector<ManifestService>& services) {
    const auto label = [&](const std::string& id) -> std::string {
        for (const auto& s : services) {
            if (s.id == id) {
                return s.label.empty() ? s.id : s.label;
            }
        }
        return {};
    };
    if (stem == "poles") {
        return "Pôles de services";
    }
    if (stem == "poles_access") {
        return "Accès aux pôles de services";
    }
    if (stem.rfind("apl_", 0) == 0 && !label(stem.substr(4)).empty()) {
        return "APL : " + label(stem.substr(4));
    }
    if (!label(stem).empty()) {
        return label(stem);
    }
    // maps/epci/<siren>_<service>.png
    const auto cut = stem.find('_');
    if (cut != std::string::npos && !label(stem.substr(cut + 1)).empty()) {
        return label(stem.substr(cut + 1)) + " — EPCI " + stem.substr(0, cut);
    }
    return stem;
}

std::string static_maps_section(const fs::path& run_dir, const std::vector<ManifestService>& services,
                                std::size_t budget) {
    const auto files = static_maps(run_dir);
    if (files.empty()) {
        return {};
    }
    std::string gallery;
    std::size_t embedded = 0;
    std::vector<std::string> linked;
    for (const auto& f : files) {
        const std::string caption = static_map_caption(fs::path(f).stem().string(), services);
        const std::string bytes = read_bytes(run_dir / f);
        std::string src;
        if (embedded + bytes.size() <= budget) {
            embedded += bytes.size();
            src = "data:image/png;base64," + base64(bytes);
        } else {
            src = html(f);  // beyond the budget: beside the report, said below
            linked.push_back(f);
        }
        gallery += fmt::format("<div class=\"static-map\"><img src=\"{}\" alt=\"Carte : {}\" loading=\"lazy\">"
                               "<div class=\"caption\">{}</div></div>\n",
                               src, html(caption), html(caption));
    }
    std::string out = "<h2>Cartes statiques</h2>\n<p>Les cartes prêtes à imprimer du dossier <code>maps/</code>, "
                      "incluses dans ce fichier";
    if (!linked.empty()) {
        out += fmt::format(" jusqu'à {}\u00a0Mo ; les {} suivantes, au-delà, restent dans le dossier <code>maps/</code> "
                           "à côté du rapport",
                           budget / (1024 * 1024), linked.size());
    }
    return out + ".</p>\n<div class=\"gallery\">\n" + gallery + "</div>\n";
}

std::string commune_times_section(const Json& communes, const std::vector<ManifestService>& services, bool french) {
    if (!communes.contains("features") || communes["features"].empty() || services.empty()) {
        return {};
    }
    const std::string unit = french ? "Commune" : "Zone";
    const std::string code_field = french ? "code_insee" : "code";
    std::string out = fmt::format(
        "<h2 id=\"temps-par-{0}\">Temps par {0}</h2>\n<p>Pour chaque {0} : temps moyen de ses habitants (pondéré par "
        "la population) et temps le plus long, jusqu'au site le plus proche de chaque service ; en rouge, au-delà du "
        "seuil. « inaccessible » : aucun site atteint par la route ; « — » : aucun habitant localisé.</p>\n"
        "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Temps par {0}\"><table class=\"data "
        "times\">\n<thead><tr><th scope=\"col\">{1}</th><th scope=\"col\">Population</th>",
        french ? "commune" : "zone", unit);
    for (const auto& s : services) {
        out += fmt::format("<th scope=\"col\" colspan=\"2\">{}<br><small>seuil {} ; moyen, le plus long</small></th>",
                           html(s.label.empty() ? s.id : s.label), format_number(s.threshold_min, 0, html_numbers) +
                                                                         "\u00a0min");
    }
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& feature : communes["features"]) {
        const Json& p = feature["properties"];
        const std::string name = p.contains("nom") && p["nom"].is_string() ? p["nom"].get<std::string>() : "";
        const std::string code = p.contains(code_field) && p[code_field].is_string() ? p[code_field].get<std::string>()
                                                                                     : "";
        const bool inhabited = p.contains("population") && p["population"].is_number() &&
                               p["population"].get<double>() > 0;
        out += fmt::format("<tr><th scope=\"row\">{} <small>({})</small></th><td class=\"n\">{}</td>",
                           html(name.empty() ? code : name), html(code),
                           inhabited ? fr_people(p["population"].get<double>()) : "—");
        for (const auto& s : services) {
            const std::string mean_key = s.id + "_min";
            const std::string max_key = s.id + "_max_min";
            const std::string over_key = s.id + "_over";
            if (!inhabited || !p.contains(over_key) || p[over_key].is_null()) {
                out += "<td class=\"n\">—</td><td class=\"n\">—</td>";
                continue;
            }
            const bool over = p[over_key].is_number() && p[over_key].get<double>() > 0;
            const auto cell = [&](const std::string& key) {
                return p.contains(key) && p[key].is_number() ? fr_minutes(p[key].get<double>())
                                                             : std::string("inaccessible");
            };
            const bool max_over = !p.contains(max_key) || !p[max_key].is_number() ||
                                  p[max_key].get<double>() > s.threshold_min;
            out += fmt::format("<td class=\"n{}\">{}</td><td class=\"n{}\">{}</td>", over ? " over" : "",
                               cell(mean_key), max_over ? " over" : "", cell(max_key));
        }
        out += "</tr>\n";
    }
    return out + "</tbody></table></div>\n";
}

std::string phase_name_fr(const std::string& phase) {
    static const std::map<std::string, std::string> names = {
        {"load", "lecture des données"},
        {"search", "recherche des temps"},
        {"searches", "recherches des temps"},
        {"access search", "recherche des temps"},
        {"aggregation", "agrégation par territoire"},
        {"deficit areas", "territoires au-delà du seuil"},
        {"rasters, isochrones and deficit areas", "rasters, isochrones et territoires au-delà du seuil"},
        {"write", "écriture des couches et tableaux"},
        {"maps", "cartes"},
        {"pole maps", "cartes des pôles"},
        {"apl", "APL"},
        {"apl searches", "APL : recherches"},
        {"apl searches and sums", "APL : recherches et sommes"},
        {"candidate searches", "recherches des sites candidats"},
        {"greedy", "choix glouton"},
        {"exhaustive", "recherche exhaustive"},
        {"final situation", "situation finale"},
    };
    const auto it = names.find(phase);
    return it == names.end() ? phase : it->second;
}

} // namespace proxima::detail
