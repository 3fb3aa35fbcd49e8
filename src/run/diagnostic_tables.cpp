#include "proxima/run/diagnostic_tables.hpp"

#include <map>

#include <fmt/format.h>

#include "proxima/core/number_format.hpp"
#include "proxima/report/xlsx_workbook.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/study/study_areas.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

constexpr const char* people_format = "#,##0";
constexpr const char* minutes_format = "0.0";
constexpr const char* share_format = "0.0%";

std::string threshold_text(double minutes) { return format_number(minutes, minutes == std::floor(minutes) ? 0 : 1, map_numbers); }

/// The site most inhabitants of each zone go to (population-weighted; ties: the first site), or
/// invalid_index when none of its origins reaches a site.
std::vector<std::uint32_t> main_site_of_zones(const StudyInputs& in, const AccessTable& access, std::size_t s) {
    std::vector<std::map<std::uint32_t, double>> weight(in.zones.zones.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (const auto f = access.nearest(s, o); f != invalid_index) {
            // Points without population still say where the zone goes: a tiny weight.
            weight[in.origins[o].zone][f] += in.origins[o].population > 0 ? in.origins[o].population : 1e-9;
        }
    }
    std::vector<std::uint32_t> out(in.zones.zones.size(), invalid_index);
    for (std::size_t z = 0; z < weight.size(); ++z) {
        double best = -1;
        for (const auto& [f, w] : weight[z]) {
            if (w > best) {
                best = w;
                out[z] = f;
            }
        }
    }
    return out;
}

std::vector<std::string> commune_formats(const StudyInputs& in, bool epci_column) {
    std::vector<std::string> f = {"", ""};
    if (epci_column) {
        f.emplace_back();
    }
    f.emplace_back(people_format);
    const std::size_t groups = in.study.population.groups.size();
    f.insert(f.end(), groups, people_format);
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        for (const char* code : {minutes_format, "", "", "", people_format}) {
            f.emplace_back(code);
        }
        f.insert(f.end(), groups, people_format);
    }
    return f;
}

std::vector<std::string> epci_formats(const StudyInputs& in) {
    std::vector<std::string> f = {"", "", "0", people_format};
    const std::size_t groups = in.study.population.groups.size();
    f.insert(f.end(), groups, people_format);
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        for (const char* code : {minutes_format, people_format, share_format}) {
            f.emplace_back(code);
        }
        for (std::size_t g = 0; g < groups; ++g) {
            f.emplace_back(people_format);
            f.emplace_back(share_format);
        }
    }
    return f;
}

} // namespace

OutputLayer commune_diagnostic(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                               const FacilityPlaces& places) {
    const bool french = in.communes.has_value();
    const std::vector<ZoneGroup> epcis = study_epcis(in);
    std::vector<const ZoneGroup*> epci_of_zone(in.zones.zones.size(), nullptr);
    for (const auto& g : epcis) {
        for (const auto z : g.zones) {
            epci_of_zone[z] = &g;
        }
    }
    OutputLayer t;
    t.name = "diagnostic_communes";
    t.fields = {{french ? "Code commune" : "Code", Type::text}, {french ? "Commune" : "Zone", Type::text}};
    if (!epcis.empty()) {
        t.fields.push_back({"EPCI", Type::text});
    }
    t.fields.push_back({"Population", Type::real});
    const auto& groups = in.study.population.groups;
    for (const auto& g : groups) {
        t.fields.push_back({"Population " + g.label, Type::real});
    }
    std::vector<std::vector<std::uint32_t>> main_site;
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto& spec = in.services[s].spec;
        t.fields.push_back({spec.label + " : temps moyen (min)", Type::real});
        t.fields.push_back({spec.label + " : site le plus proche", Type::text});
        t.fields.push_back({spec.label + " : commune du site", Type::text});
        t.fields.push_back({fmt::format("{} : au-delà de {} min", spec.label, threshold_text(spec.threshold_min)),
                            Type::text});
        t.fields.push_back({spec.label + " : habitants au-delà", Type::real});
        for (const auto& g : groups) {
            t.fields.push_back({fmt::format("{} : habitants {} au-delà", spec.label, g.label), Type::real});
        }
        main_site.push_back(main_site_of_zones(in, access, s));
    }
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const Zone& zone = in.zones.zones[z];
        std::vector<FieldValue> row = {zone.code, text_or_null(zone.name)};
        if (!epcis.empty()) {
            const ZoneGroup* g = epci_of_zone[z];
            row.push_back(g == nullptr ? FieldValue() : text_or_null(g->name.empty() ? g->code : g->name));
        }
        row.push_back(rounded(results.zones.empty() ? 0.0 : results.zones[0][z].population, 1));
        for (std::size_t g = 0; g < groups.size(); ++g) {
            row.push_back(results.zones.empty() ? FieldValue() : rounded(results.zones[0][z].group_population.at(g), 1));
        }
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            const ZoneServiceResult& r = results.zones[s][z];
            if (r.origins == 0) {
                row.insert(row.end(), 5 + groups.size(), FieldValue());  // no origin: nothing is known of the zone
                continue;
            }
            const std::uint32_t f = main_site[s][z];
            const Facility* site = f == invalid_index ? nullptr : &in.services[s].facilities[f];
            row.push_back(rounded(r.mean_min, 0.1));
            row.push_back(site == nullptr ? FieldValue()
                                          : FieldValue(site->name.empty() ? "sans nom (" + site->id + ")" : site->name));
            row.push_back(site == nullptr ? FieldValue() : text_or_null(places.place(s, f).name));
            row.push_back(std::string(r.over ? "oui" : "non"));
            row.push_back(rounded(r.population_over, 1));
            for (std::size_t g = 0; g < groups.size(); ++g) {
                row.push_back(rounded(r.group_population_over.at(g), 1));
            }
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

OutputLayer epci_diagnostic(const StudyInputs& in, const AccessTable& access, const StudyResults& results) {
    OutputLayer t;
    t.name = "diagnostic_epci";
    t.fields = {{"SIREN", Type::text}, {"EPCI", Type::text}, {"Communes", Type::integer}, {"Population", Type::real}};
    for (const auto& sv : in.services) {
        const auto& spec = sv.spec;
        t.fields.push_back({spec.label + " : temps moyen (min)", Type::real});
        t.fields.push_back(
            {fmt::format("{} : habitants au-delà de {} min", spec.label, threshold_text(spec.threshold_min)), Type::real});
        t.fields.push_back({spec.label + " : part au-delà", Type::real});
        for (const auto& g : in.study.population.groups) {
            t.fields.push_back({fmt::format("{} : habitants {} au-delà", spec.label, g.label), Type::real});
            t.fields.push_back({fmt::format("{} : part des {} au-delà", spec.label, g.label), Type::real});
        }
    }
    const std::vector<ZoneGroup> epcis = study_epcis(in);
    std::vector<int> group_of_zone(in.zones.zones.size(), -1);
    for (std::size_t g = 0; g < epcis.size(); ++g) {
        for (const auto z : epcis[g].zones) {
            group_of_zone[z] = static_cast<int>(g);
        }
    }
    for (std::size_t g = 0; g < epcis.size(); ++g) {
        const ZoneGroup& epci = epcis[g];
        std::vector<FieldValue> row = {epci.code, text_or_null(epci.name), static_cast<std::int64_t>(epci.zones.size())};
        const AreaSummary* first = nullptr;
        for (const auto& a : results.summary) {
            if (a.scope == "epci" && a.code == epci.code && !in.services.empty() && a.service == in.services[0].spec.id) {
                first = &a;
            }
        }
        row.push_back(rounded(first != nullptr ? first->population : 0.0, 1));
        const std::size_t groups = in.study.population.groups.size();
        for (std::size_t k = 0; k < groups; ++k) {
            row.push_back(first != nullptr ? rounded(first->group_population.at(k), 1) : FieldValue());
        }
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            // Population-weighted mean over the origins of the EPCI that reach a site.
            double weighted = 0;
            double weight = 0;
            for (std::size_t o = 0; o < in.origins.size(); ++o) {
                const auto minutes = minutes_of(access.time_ds(s, o));
                if (minutes && group_of_zone[in.origins[o].zone] == static_cast<int>(g)) {
                    weighted += *minutes * in.origins[o].population;
                    weight += in.origins[o].population;
                }
            }
            const AreaSummary* a = nullptr;
            for (const auto& candidate : results.summary) {
                if (candidate.scope == "epci" && candidate.code == epci.code &&
                    candidate.service == in.services[s].spec.id) {
                    a = &candidate;
                }
            }
            row.push_back(weight > 0 ? rounded(weighted / weight, 0.1) : FieldValue());
            row.push_back(a != nullptr ? rounded(a->population_over, 1) : FieldValue());
            row.push_back(a != nullptr ? rounded(a->share_over, 0.0001) : FieldValue());
            for (std::size_t k = 0; k < groups; ++k) {
                const double population = a != nullptr ? a->group_population.at(k) : 0.0;
                row.push_back(a != nullptr ? rounded(a->group_population_over.at(k), 1) : FieldValue());
                row.push_back(population > 0 ? rounded(a->group_population_over.at(k) / population, 0.0001)
                                             : FieldValue());
            }
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::vector<std::string> write_diagnostic_tables(const std::filesystem::path& dir, const StudyInputs& in,
                                                 const AccessTable& access, const StudyResults& results,
                                                 const FacilityPlaces& places, CsvDialect dialect) {
    std::vector<std::string> files;
    const OutputLayer communes = commune_diagnostic(in, access, results, places);
    const OutputLayer epcis = epci_diagnostic(in, access, results);
    const bool french = in.communes.has_value();
    std::vector<XlsxSheet> sheets = {
        {french ? "Communes" : "Zones", &communes, commune_formats(in, !epcis.rows.empty())}};
    write_layer_csv(dir / "diagnostic_communes.csv", communes, dialect);
    files.emplace_back("diagnostic_communes.csv");
    if (!epcis.rows.empty()) {
        write_layer_csv(dir / "diagnostic_epci.csv", epcis, dialect);
        files.emplace_back("diagnostic_epci.csv");
        sheets.push_back({"EPCI", &epcis, epci_formats(in)});
    }
    write_xlsx(dir / "diagnostic.xlsx", sheets);
    files.emplace_back("diagnostic.xlsx");
    return files;
}

} // namespace proxima
