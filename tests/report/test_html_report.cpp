// The offline HTML report of the bundled studies: it parses as HTML (libxml2, errors counted),
// embeds every layer of access.gpkg as GeoJSON with the GeoPackage's values, inlines Leaflet and
// refers to nothing on the network. Set PROXIMA_TEST_KEEP_REPORTS=<folder> to keep the reports.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <cpl_conv.h>
#include <fmt/format.h>
#include <gdal.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "proxima/core/error.hpp"
#include "proxima/report/html_report.hpp"
#include "proxima/report/time_classes.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/bundled_runs.hpp"
#include "proxima_test/decode_delta.hpp"
#include "proxima_test/ogr_handles.hpp"
#include "report/report_origins.hpp"

using namespace proxima;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

using test::read_text;
using test::run_folder;

/// A private copy of a run folder, to change it or write into it.
fs::path copy_of(const std::string& name, const fs::path& into) {
    const fs::path to = into / name;
    fs::create_directories(to);
    for (const char* f : {"access.gpkg", "run.json"}) {
        fs::copy_file(run_folder(name) / f, to / f);
    }
    return to;
}

/// Base64 decoded independently of the code under test (RFC 4648 alphabet, '=' padding).
std::string decode_base64(const std::string& text) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') {
            break;
        }
        const auto v = alphabet.find(c);
        REQUIRE(v != std::string::npos);
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

/// Parse errors and warnings libxml2 reports, counted by a structured handler.
struct ParsedHtml {
    htmlDocPtr doc = nullptr;
    std::vector<std::string> errors;
    ~ParsedHtml() { xmlFreeDoc(doc); }
};

void count_html_error(void* user, xmlErrorPtr e) {
    auto* errors = static_cast<std::vector<std::string>*>(user);
    errors->push_back(fmt::format("line {}: {}", e->line, e->message != nullptr ? e->message : "?"));
}

std::unique_ptr<ParsedHtml> parse_html(const std::string& text) {
    auto parsed = std::make_unique<ParsedHtml>();
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    REQUIRE(ctxt != nullptr);
    xmlSetStructuredErrorFunc(&parsed->errors, count_html_error);
    parsed->doc = htmlCtxtReadMemory(ctxt, text.data(), static_cast<int>(text.size()), "report.html", "utf-8",
                                     HTML_PARSE_NONET);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    htmlFreeParserCtxt(ctxt);
    REQUIRE(parsed->doc != nullptr);
    return parsed;
}

void collect(xmlNodePtr node, const std::string& tag, std::vector<xmlNodePtr>& out) {
    for (xmlNodePtr n = node; n != nullptr; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            if (tag.empty() || xmlStrcasecmp(n->name, reinterpret_cast<const xmlChar*>(tag.c_str())) == 0) {
                out.push_back(n);
            }
            collect(n->children, tag, out);
        }
    }
}

std::vector<xmlNodePtr> elements(const ParsedHtml& html, const std::string& tag) {
    std::vector<xmlNodePtr> out;
    collect(xmlDocGetRootElement(html.doc), tag, out);
    return out;
}

std::optional<std::string> attribute(xmlNodePtr n, const char* name) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (v == nullptr) {
        return std::nullopt;
    }
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

std::string text_of(xmlNodePtr n) {
    xmlChar* v = xmlNodeGetContent(n);
    std::string s = v != nullptr ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

struct Report {
    std::string text;
    std::unique_ptr<ParsedHtml> html;
    Json data;
};

Report read_report(const fs::path& path) {
    Report r;
    r.text = read_text(path);
    REQUIRE(!r.text.empty());
    r.html = parse_html(r.text);
    std::optional<std::string> json;
    for (xmlNodePtr s : elements(*r.html, "script")) {
        if (attribute(s, "id") == std::optional<std::string>("proxima-data")) {
            REQUIRE(attribute(s, "type") == std::optional<std::string>("application/json"));
            json = text_of(s);
        }
    }
    REQUIRE(json.has_value());
    r.data = Json::parse(*json);
    return r;
}

struct GdalDataset {
    GDALDatasetH ds = nullptr;
    explicit GdalDataset(const fs::path& p, bool update = false) {
        GDALAllRegister();
        ds = GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY), nullptr, nullptr,
                        nullptr);
        REQUIRE(ds != nullptr);
    }
    ~GdalDataset() { GDALClose(ds); }
    GdalDataset(const GdalDataset&) = delete;
    GdalDataset& operator=(const GdalDataset&) = delete;
};

/// Every field of every feature of a layer, as JSON values (NULL as null), in feature order.
std::vector<Json> gpkg_rows(GDALDatasetH ds, const std::string& layer) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer.c_str());
    REQUIRE(l != nullptr);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    std::vector<Json> rows;
    OGR_L_ResetReading(l);
    while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
        Json row = Json::object();
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
            OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
            Json v = nullptr;
            if (OGR_F_IsFieldSetAndNotNull(f, i)) {
                switch (OGR_Fld_GetType(fd)) {
                case OFTInteger:
                case OFTInteger64: v = OGR_F_GetFieldAsInteger64(f, i); break;
                case OFTReal: v = OGR_F_GetFieldAsDouble(f, i); break;
                default: v = OGR_F_GetFieldAsString(f, i);
                }
            }
            row[OGR_Fld_GetNameRef(fd)] = v;
        }
        rows.push_back(row);
        OGR_F_Destroy(f);
    }
    return rows;
}

/// A study's report, written into a copy of its run (the shared run is read-only) and parsed once
/// per process, not once per SECTION.
struct WrittenReport {
    explicit WrittenReport(const std::string& study) : tmp("html-report-" + study), dir(tmp.path() / study) {
        fs::copy(run_folder(study), dir, fs::copy_options::recursive);
        const fs::path path = write_html_report(dir);
        REQUIRE(path == dir / "report.html");
        if (const char* keep = std::getenv("PROXIMA_TEST_KEEP_REPORTS")) {
            fs::create_directories(keep);
            fs::copy_file(path, fs::path(keep) / (study + ".html"), fs::copy_options::overwrite_existing);
        }
        report = read_report(path);
        run = Json::parse(read_text(dir / "run.json"));
    }
    test::TempDir tmp;
    fs::path dir;
    Report report;
    Json run;
};

const WrittenReport& written_report(const std::string& study) {
    static std::map<std::string, std::unique_ptr<WrittenReport>> done;
    auto& written = done[study];
    if (!written) {
        written = std::make_unique<WrittenReport>(study);
    }
    return *written;
}

void check_report(const std::string& study) {
    const WrittenReport& written = written_report(study);
    const fs::path& dir = written.dir;
    const Report& r = written.report;
    const Json& run = written.run;

    SECTION("it is well-formed HTML in French, titled with the study") {
        INFO(fmt::format("{} parse errors, first: {}", r.html->errors.size(),
                         r.html->errors.empty() ? "" : r.html->errors.front()));
        CHECK(r.html->errors.empty());
        const auto html = elements(*r.html, "html");
        REQUIRE(html.size() == 1);
        CHECK(attribute(html[0], "lang") == std::optional<std::string>("fr"));
        const auto title = elements(*r.html, "title");
        REQUIRE(title.size() == 1);
        CHECK_THAT(text_of(title[0]), Contains(run["study"]["name"].get<std::string>()));
        CHECK(elements(*r.html, "h1").size() == 1);
        CHECK(elements(*r.html, "div").size() > 3);
    }

    SECTION("it carries every layer of access.gpkg and every service of run.json") {
        GdalDataset ds(dir / "access.gpkg");
        std::set<std::string> in_gpkg, in_report;
        for (int i = 0; i < GDALDatasetGetLayerCount(ds.ds); ++i) {
            const std::string name = OGR_L_GetName(GDALDatasetGetLayer(ds.ds, i));
            // QGIS styles are not data; the zones whose mean is beyond (communes_over_*) are
            // for reporting by commune in a GIS: the report draws the deficit territory.
            // The APL layers (apl_*) are tables of their own, shown in the report as their map.
            // The summary is the page's tables (checked below), not data for its script.
            if (name != "layer_styles" && name.find("_over_") == std::string::npos && name.rfind("apl_", 0) != 0 &&
                name != "summary") {
                in_gpkg.insert(name);
            }
        }
        for (const auto& [name, layer] : r.data["layers"].items()) {
            in_report.insert(name);
            CHECK(layer["type"] == "FeatureCollection");
            CHECK(layer["features"].size() ==
                  static_cast<std::size_t>(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds.ds, name.c_str()), TRUE)));
        }
        CHECK(in_report == in_gpkg);
        REQUIRE(r.data["services"].size() == run["services"].size());
        for (std::size_t i = 0; i < run["services"].size(); ++i) {
            const auto& s = run["services"][i];
            CHECK(r.data["services"][i]["id"] == s["id"]);
            CHECK(r.data["services"][i]["threshold_min"] == s["threshold_min"]);
            CHECK(r.data["layers"].contains("deficit_" + s["id"].get<std::string>()));
            CHECK_THAT(r.text, Contains(s["label"].get<std::string>()));
        }
        REQUIRE(r.data["classes"].size() == time_classes.size());
        for (std::size_t k = 0; k < time_classes.size(); ++k) {
            CHECK(r.data["classes"][k]["colour"] == std::string(hex_colour(time_classes[k].colour).data()));
            CHECK(r.data["classes"][k]["label"] == std::string(time_classes[k].label));
        }
    }

    SECTION("the tables' inhabitants beyond the threshold are access.gpkg's summary, by service and by area") {
        GdalDataset ds(dir / "access.gpkg");
        const auto summary = gpkg_rows(ds.ds, "summary");
        std::vector<std::vector<std::string>> rows;  // each table row's cells, as text
        for (xmlNodePtr tr : elements(*r.html, "tr")) {
            std::vector<std::string> cells;
            for (xmlNodePtr c = tr->children; c != nullptr; c = c->next) {
                if (c->type == XML_ELEMENT_NODE && std::string(reinterpret_cast<const char*>(c->name)) == "td") {
                    cells.push_back(text_of(c));
                }
            }
            rows.push_back(std::move(cells));
        }
        // Whole inhabitants as the page writes them: thousands apart by a narrow no-break space
        // (the bundled studies' counts are whole: checked below).
        auto grouped = [](const Json& v) {
            REQUIRE(v.get<double>() == std::round(v.get<double>()));
            std::string digits = std::to_string(std::llround(v.get<double>()));
            for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
                digits.insert(static_cast<std::size_t>(i), "\u202f");
            }
            return digits;
        };
        const auto& services = run["services"];
        const std::string scope = study == "riviera" ? "epci" : "zone";
        std::size_t study_rows = 0, area_cells = 0;
        for (const auto& row : summary) {
            if (!row["population_over"].is_number()) {
                continue;
            }
            std::size_t k = 0;
            while (k < services.size() && services[k]["id"] != row["service"]) {
                ++k;
            }
            REQUIRE(k < services.size());
            const std::string label = services[k]["label"];
            INFO(row.dump());
            if (row["scope"] == "study") {
                // "Synthèse par service": label, threshold, sites, population, beyond, share, bar.
                const auto found = std::find_if(rows.begin(), rows.end(), [&](const auto& cells) {
                    return cells.size() == 7 && cells[0] == label;
                });
                REQUIRE(found != rows.end());
                CHECK((*found)[4] == grouped(row["population_over"]));
                ++study_rows;
            } else if (row["scope"] == scope) {
                // "Par EPCI" / "Par zone": name, population, then per service "share N hab.".
                const std::string name = row["nom"].get<std::string>();
                // The row of that area: its name, followed by its code for an EPCI.
                const auto found = std::find_if(rows.begin(), rows.end(), [&](const auto& cells) {
                    return cells.size() == 2 + services.size() &&
                           (cells[0] == name || cells[0].rfind(name + " (", 0) == 0);
                });
                REQUIRE(found != rows.end());
                // "<share> %" then "<inhabitants> hab.": the count whole, right after the share's %.
                CHECK_THAT((*found)[2 + k], EndsWith("%" + grouped(row["population_over"]) + " hab."));
                ++area_cells;
            }
        }
        CHECK(study_rows == services.size());
        CHECK(area_cells > services.size());
    }

    SECTION("commune and origin values are those of access.gpkg, classes those of time_class_of") {
        GdalDataset ds(dir / "access.gpkg");
        for (const std::string layer : {"communes", "origins", "services"}) {
            const auto rows = gpkg_rows(ds.ds, layer);
            const auto& features = r.data["layers"][layer]["features"];
            REQUIRE(features.size() == rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                INFO(layer << " feature " << i);
                Json expected = rows[i];
                if (layer == "origins") {
                    // The page carries what its map shows of an origin: id, zone, population, and
                    // its times in one column per service.
                    expected = Json::object();
                    for (const std::string key : {"id", "zone", "population"}) {
                        expected[key] = rows[i].at(key);
                    }
                    for (const auto& s : run["services"]) {
                        const std::string id = s["id"];
                        const Json& v = rows[i][id + "_min"];
                        REQUIRE(r.data["origin_minutes"][id].size() == rows.size());
                        CHECK(r.data["origin_minutes"][id][i] == v);
                        const auto k = time_class_of(v.is_null() ? std::nullopt : std::optional<double>(v.get<double>()));
                        CHECK(r.data["origin_classes"][id].get<std::string>().at(i) == static_cast<char>('0' + k));
                    }
                }
                CHECK(features[i]["properties"] == expected);
            }
        }
        const auto communes = gpkg_rows(ds.ds, "communes");
        for (std::size_t i = 0; i < communes.size(); ++i) {
            for (const auto& s : run["services"]) {
                const std::string id = s["id"];
                const Json& cls = r.data["layers"]["communes"]["features"][i]["classes"][id];
                if (communes[i][id + "_over"].is_null()) {
                    CHECK(cls.is_null());
                } else {
                    const Json& v = communes[i][id + "_min"];
                    CHECK(cls == time_class_of(v.is_null() ? std::nullopt : std::optional<double>(v.get<double>())));
                }
            }
        }
    }

    SECTION("deficit areas and isochrones decode to access.gpkg's (deficits simplified within a pixel), in WGS84") {
        GdalDataset ds(dir / "access.gpkg");
        const double pixel = run["parameters"]["surface_resolution_m"].get<double>();
        const test::Srs wgs84 = test::srs_of("EPSG:4326");
        std::size_t vertices = 0;
        for (const auto& s : run["services"]) {
            for (const std::string prefix : {"deficit_", "isochrones_"}) {
                const std::string name = prefix + s["id"].get<std::string>();
                OGRLayerH l = GDALDatasetGetLayerByName(ds.ds, name.c_str());
                REQUIRE(l != nullptr);
                const auto& features = r.data["layers"][name]["features"];
                REQUIRE(features.size() == static_cast<std::size_t>(OGR_L_GetFeatureCount(l, TRUE)));
                test::Srs source(OSRClone(OGR_L_GetSpatialRef(l)));
                OSRSetAxisMappingStrategy(source.get(), OAMS_TRADITIONAL_GIS_ORDER);
                const test::Transform to_wgs84(OCTNewCoordinateTransformation(source.get(), wgs84.get()));
                OGR_L_ResetReading(l);
                std::size_t k = 0;
                while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
                    INFO(name << " feature " << k);
                    const Json& page = features[k++];
                    OGRGeometryH stored = OGR_F_GetGeometryRef(f);
                    if (stored == nullptr || OGR_G_IsEmpty(stored)) {
                        OGR_F_Destroy(f);
                        CHECK(page["geometry"].is_null());  // nothing to draw
                        continue;
                    }
                    test::Geometry g(OGR_G_Clone(stored));
                    OGR_F_Destroy(f);
                    if (prefix == "deficit_") {
                        // What the simplification would empty (a sliver) is drawn as it is.
                        test::Geometry simplified(OGR_G_Simplify(g.get(), pixel));
                        if (simplified && !OGR_G_IsEmpty(simplified.get())) {
                            g = std::move(simplified);
                        }
                    }
                    REQUIRE(OGR_G_Transform(g.get(), to_wgs84.get()) == OGRERR_NONE);
                    char* text = OGR_G_ExportToJson(g.get());
                    const Json expected = Json::parse(text);
                    CPLFree(text);
                    REQUIRE(page["geometry"].contains("delta_e5"));
                    const Json back = test::decode_delta(page["geometry"]);
                    REQUIRE(back["type"] == expected["type"]);
                    // A Polygon as a one-part MultiPolygon, so that both walk alike.
                    const Json got = back["type"] == "Polygon" ? Json::array({back["coordinates"]}) : back["coordinates"];
                    const Json want =
                        expected["type"] == "Polygon" ? Json::array({expected["coordinates"]}) : expected["coordinates"];
                    REQUIRE(got.size() == want.size());
                    for (std::size_t p = 0; p < want.size(); ++p) {
                        REQUIRE(got[p].size() == want[p].size());
                        for (std::size_t q = 0; q < want[p].size(); ++q) {
                            REQUIRE(got[p][q].size() == want[p][q].size());
                            for (std::size_t v = 0; v < want[p][q].size(); ++v, ++vertices) {
                                for (int c = 0; c < 2; ++c) {
                                    // 6 decimals, then 1e-5 degree: within half a unit of each.
                                    CHECK(std::abs(got[p][q][v][c].get<double>() - want[p][q][v][c].get<double>()) <=
                                          0.5e-5 + 0.5e-6 + 1e-9);
                                }
                            }
                        }
                    }
                }
            }
            // The deficit areas keep what the page uses, not the method's sentence in every feature.
            for (const auto& feature : r.data["layers"]["deficit_" + s["id"].get<std::string>()]["features"]) {
                CHECK(feature["properties"].contains("inhabited"));
                CHECK(!feature["properties"].contains("method"));
            }
        }
        CHECK(vertices > 100);
    }

    SECTION("geometries are WGS84 longitude/latitude around the study") {
        const auto& communes = r.data["layers"]["communes"]["features"];
        REQUIRE(!communes.empty());
        for (const auto& f : communes) {
            REQUIRE(f["geometry"]["type"] == "MultiPolygon");
            const auto& p = f["geometry"]["coordinates"][0][0][0];
            const double lon = p[0], lat = p[1];
            if (study == "andorra") {
                CHECK((lon > 1.3 && lon < 1.9 && lat > 42.3 && lat < 42.8));
            } else {
                CHECK((lon > 7.2 && lon < 7.6 && lat > 43.6 && lat < 43.9));
            }
            REQUIRE(f["label_at"].is_array());
        }
    }

    SECTION("nothing is loaded from the network: no URL in src or href, no stylesheet link, Leaflet inlined") {
        for (xmlNodePtr n : elements(*r.html, "")) {
            for (const char* a : {"src", "href"}) {
                if (auto v = attribute(n, a)) {
                    INFO(a << "=" << *v);
                    CHECK(v->find("://") == std::string::npos);
                    CHECK(v->rfind("//", 0) != 0);
                }
            }
        }
        CHECK(elements(*r.html, "link").empty());
        for (xmlNodePtr s : elements(*r.html, "style")) {
            const std::string css = text_of(s);
            CHECK(css.find("@import") == std::string::npos);
            CHECK(css.find("url(http") == std::string::npos);
            CHECK(css.find("url(images/") == std::string::npos);
        }
        bool leaflet = false;
        for (xmlNodePtr s : elements(*r.html, "script")) {
            CHECK(!attribute(s, "src").has_value());
            const std::string js = text_of(s);
            if (js.find("version=\"1.") != std::string::npos && js.find("L={}") != std::string::npos) {
                leaflet = true;
            }
        }
        CHECK(leaflet);
        CHECK(r.text.find("sourceMappingURL") == std::string::npos);
    }

    SECTION("the tables give each service's population beyond the threshold, by EPCI or by zone") {
        const std::string page = text_of(xmlDocGetRootElement(r.html->doc));
        CHECK_THAT(page, Contains("Synthèse par service"));
        CHECK_THAT(page, Contains(study == "riviera" ? "Par EPCI" : "Par zone"));
        if (study == "riviera") {
            CHECK_THAT(page, Contains("CA de la Riviera Française"));
        } else {
            CHECK_THAT(page, Contains("Canillo"));
            CHECK_THAT(page, Contains("3\u202f063"));  // urgences: 3 063 inhabitants beyond 30 min
        }
        CHECK_THAT(page, Contains("Provenance du calcul"));
        for (const auto& i : run["inputs"]) {
            CHECK_THAT(page, Contains(i["sha256"].get<std::string>()));
        }
        CHECK_THAT(page, Contains(fmt::format("Avertissements ({})", run["warnings"]["count"].get<int>())));
        for (const auto& m : run["warnings"]["messages"]) {
            CHECK_THAT(page, Contains(m.get<std::string>()));
        }
    }

    SECTION("the same folder gives the same bytes") {
        const fs::path path = dir / "report.html";
        const std::string first = read_text(path);
        (void)write_html_report(dir);
        CHECK(read_text(path) == first);
    }
}

} // namespace

TEST_CASE("HTML report of the Andorra study", "[report][html]") { check_report("andorra"); }

TEST_CASE("HTML report of the Riviera study", "[report][html]") { check_report("riviera"); }

TEST_CASE("HTML report: unreachable stays null, isochrones and static maps are shown", "[report][html]") {
    test::TempDir tmp("html-report-variants");
    const fs::path dir = copy_of("andorra", tmp.path());
    {
        GdalDataset ds(dir / "access.gpkg", true);
        // A commune whose inhabitants cannot reach the service: NULL, never 0.
        OGRLayerH r = GDALDatasetExecuteSQL(ds.ds, "UPDATE communes SET urgences_min = NULL WHERE fid = 2", nullptr,
                                            nullptr);
        if (r != nullptr) {
            GDALDatasetReleaseResultSet(ds.ds, r);
        }
        // Isochrones as the raster/isochrone step writes them: polygons with service, limit_min, area_km2.
        OGRLayerH communes = GDALDatasetGetLayerByName(ds.ds, "communes");
        // Runs write their own isochrones now: replace that layer by a hand-made one.
        for (int i = 0; i < GDALDatasetGetLayerCount(ds.ds); ++i) {
            if (std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.ds, i))) == "isochrones_urgences") {
                REQUIRE(GDALDatasetDeleteLayer(ds.ds, i) == OGRERR_NONE);
                break;
            }
        }
        OGRLayerH iso = GDALDatasetCreateLayer(ds.ds, "isochrones_urgences", OGR_L_GetSpatialRef(communes),
                                               wkbMultiPolygon, nullptr);
        REQUIRE(iso != nullptr);
        for (const auto& [name, type] : {std::pair{"service", OFTString}, {"limit_min", OFTReal}, {"area_km2", OFTReal}}) {
            OGRFieldDefnH fd = OGR_Fld_Create(name, type);
            REQUIRE(OGR_L_CreateField(iso, fd, TRUE) == OGRERR_NONE);
            OGR_Fld_Destroy(fd);
        }
        OGR_L_ResetReading(communes);
        OGRFeatureH c = OGR_L_GetNextFeature(communes);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(iso));
        OGR_F_SetFieldString(f, 0, "urgences");
        OGR_F_SetFieldDouble(f, 1, 30.0);
        OGR_F_SetFieldDouble(f, 2, 12.5);
        OGR_F_SetGeometry(f, OGR_F_GetGeometryRef(c));
        REQUIRE(OGR_L_CreateFeature(iso, f) == OGRERR_NONE);
        OGR_F_Destroy(f);
        OGR_F_Destroy(c);
    }
    fs::create_directories(dir / "maps");
    fs::copy_file(dir / "run.json", dir / "maps" / "urgences.png");  // any bytes: the report embeds them
    const std::string map_bytes = read_text(dir / "maps" / "urgences.png");

    const Report r = read_report(write_html_report(dir));
    CHECK(r.html->errors.empty());
    const auto& second = r.data["layers"]["communes"]["features"][1];
    CHECK(second["properties"]["urgences_min"].is_null());
    CHECK(second["classes"]["urgences"] == unreachable_class);
    const auto& iso = r.data["layers"]["isochrones_urgences"]["features"];
    REQUIRE(iso.size() == 1);
    CHECK(iso[0]["properties"]["limit_min"] == 30.0);
    CHECK(iso[0]["class"] == time_class_of(30.0));
    // The static map is in the file itself (base64 of its bytes), captioned with the service's
    // label, so that the report can be mailed alone.
    const auto imgs = elements(*r.html, "img");
    REQUIRE(imgs.size() == 1);
    const auto src = attribute(imgs[0], "src");
    REQUIRE(src.has_value());
    REQUIRE(src->rfind("data:image/png;base64,", 0) == 0);
    CHECK(decode_base64(src->substr(22)) == map_bytes);
    CHECK(attribute(imgs[0], "alt") == std::optional<std::string>("Carte : Service d'urgences"));

    // With its maps/ folder removed, the report refers to nothing outside itself.
    fs::remove_all(dir / "maps");
    const Report alone = read_report(dir / "report.html");
    for (xmlNodePtr n : elements(*alone.html, "")) {
        for (const char* a : {"src", "href"}) {
            if (auto v = attribute(n, a)) {
                INFO(a << "=" << v->substr(0, 60));
                CHECK((v->rfind("data:", 0) == 0 || v->rfind("#", 0) == 0));
            }
        }
    }
    CHECK(alone.text.find("src=\"maps/") == std::string::npos);

    // Beyond the embedding budget, maps stay beside the report and the report says so.
    fs::create_directories(dir / "maps");
    fs::copy_file(dir / "run.json", dir / "maps" / "urgences.png");
    HtmlReportOptions lite;
    lite.static_maps_embed_budget = 10;
    const Report linked = read_report(write_html_report(dir, lite));
    const auto linked_imgs = elements(*linked.html, "img");
    REQUIRE(linked_imgs.size() == 1);
    CHECK(attribute(linked_imgs[0], "src") == std::optional<std::string>("maps/urgences.png"));
    CHECK(linked.text.find("restent dans le dossier") != std::string::npos);
}

TEST_CASE("HTML report of a grid study: cells instead of origins", "[report][html]") {
    // No bundled study has a population grid: turn Andorra's origins into 800 m squares.
    test::TempDir tmp("html-report-cells");
    const fs::path dir = copy_of("andorra", tmp.path());
    {
        GdalDataset ds(dir / "access.gpkg", true);
        OGRLayerH origins = GDALDatasetGetLayerByName(ds.ds, "origins");
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(origins);
        OGRLayerH cells = GDALDatasetCreateLayer(ds.ds, "cells", OGR_L_GetSpatialRef(origins), wkbMultiPolygon, nullptr);
        REQUIRE(cells != nullptr);
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
            REQUIRE(OGR_L_CreateField(cells, OGR_FD_GetFieldDefn(defn, i), TRUE) == OGRERR_NONE);
        }
        OGR_L_ResetReading(origins);
        while (OGRFeatureH f = OGR_L_GetNextFeature(origins)) {
            OGRFeatureH c = OGR_F_Create(OGR_L_GetLayerDefn(cells));
            REQUIRE(OGR_F_SetFrom(c, f, TRUE) == OGRERR_NONE);
            OGRGeometryH square = OGR_G_Buffer(OGR_F_GetGeometryRef(f), 400.0, 1);
            OGR_F_SetGeometryDirectly(c, OGR_G_ForceToMultiPolygon(square));
            REQUIRE(OGR_L_CreateFeature(cells, c) == OGRERR_NONE);
            OGR_F_Destroy(c);
            OGR_F_Destroy(f);
        }
        for (int i = 0; i < GDALDatasetGetLayerCount(ds.ds); ++i) {
            if (std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.ds, i))) == "origins") {
                REQUIRE(GDALDatasetDeleteLayer(ds.ds, i) == OGRERR_NONE);
                break;
            }
        }
    }
    const Report r = read_report(write_html_report(dir));
    CHECK(r.html->errors.empty());
    CHECK(r.data["origins_layer"] == "cells");
    CHECK(!r.data["layers"].contains("origins"));
    GdalDataset ds(dir / "access.gpkg");
    const auto rows = gpkg_rows(ds.ds, "cells");
    const auto& cells = r.data["layers"]["cells"]["features"];
    REQUIRE(cells.size() == rows.size());
    REQUIRE(r.data["origin_minutes"]["urgences"].size() == rows.size());
    REQUIRE(r.data["origin_classes"]["urgences"].get<std::string>().size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        // What the map shows of a cell: id, zone, population, and its times in one column per service.
        Json expected = Json::object();
        for (const std::string key : {"id", "zone", "population"}) {
            expected[key] = rows[i].at(key);
        }
        CHECK(cells[i]["properties"] == expected);
        CHECK(cells[i]["geometry"]["type"] == "MultiPolygon");
        const Json& v = rows[i]["urgences_min"];
        CHECK(r.data["origin_minutes"]["urgences"][i] == v);
        CHECK(r.data["origin_classes"]["urgences"].get<std::string>().at(i) ==
              static_cast<char>('0' + time_class_of(v.is_null() ? std::nullopt : std::optional<double>(v.get<double>()))));
    }
}

TEST_CASE("HTML report tests: the parser used does count HTML errors", "[report][html]") {
    // Guards the "no parse error" checks above against a handler that never fires.
    CHECK(!parse_html("<!DOCTYPE html><html><body><p>a</div><section>b</section></body></html>")->errors.empty());
    CHECK(parse_html("<!DOCTYPE html><html lang=\"fr\"><head><title>t</title></head><body><p>a</p></body></html>")
              ->errors.empty());
}

TEST_CASE("HTML report: a missing file, layer or Leaflet is named", "[report][html]") {
    test::TempDir tmp("html-report-errors");

    SECTION("no folder") {
        REQUIRE_THROWS_AS(write_html_report(tmp.path() / "nowhere"), InputError);
        REQUIRE_THROWS_WITH(write_html_report(tmp.path() / "nowhere"), Contains("nowhere"));
    }
    SECTION("no access.gpkg") {
        const fs::path dir = copy_of("riviera", tmp.path());
        fs::remove(dir / "access.gpkg");
        REQUIRE_THROWS_AS(write_html_report(dir), InputError);
        REQUIRE_THROWS_WITH(write_html_report(dir), Contains("access.gpkg") && Contains("proxima run"));
        CHECK(!fs::exists(dir / "report.html"));
    }
    SECTION("no run.json") {
        const fs::path dir = copy_of("riviera", tmp.path());
        fs::remove(dir / "run.json");
        REQUIRE_THROWS_WITH(write_html_report(dir), Contains("run.json"));
        CHECK(!fs::exists(dir / "report.html"));
    }
    SECTION("a deficit layer missing") {
        const fs::path dir = copy_of("riviera", tmp.path());
        {
            GdalDataset ds(dir / "access.gpkg", true);
            for (int i = 0; i < GDALDatasetGetLayerCount(ds.ds); ++i) {
                if (std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.ds, i))) == "deficit_poste") {
                    REQUIRE(GDALDatasetDeleteLayer(ds.ds, i) == OGRERR_NONE);
                    break;
                }
            }
        }
        REQUIRE_THROWS_AS(write_html_report(dir), InputError);
        REQUIRE_THROWS_WITH(write_html_report(dir), Contains("deficit_poste"));
        CHECK(!fs::exists(dir / "report.html"));
    }
    SECTION("Leaflet not installed") {
        const fs::path dir = copy_of("riviera", tmp.path());
        HtmlReportOptions options;
        options.leaflet_dir = tmp.path() / "no-leaflet";
        REQUIRE_THROWS_AS(write_html_report(dir, options), OutputError);
        REQUIRE_THROWS_WITH(write_html_report(dir, options), Contains("libjs-leaflet"));
        CHECK(!fs::exists(dir / "report.html"));
    }
}

TEST_CASE("HTML report beyond its cap of origins: squares that keep the population, and a notice", "[report][html]") {
    test::TempDir tmp("html-report-cap");
    const fs::path dir = copy_of("andorra", tmp.path());
    GdalDataset ds(dir / "access.gpkg");
    const auto origins = gpkg_rows(ds.ds, "origins");
    REQUIRE(origins.size() > 10);
    double population = 0;
    for (const auto& o : origins) {
        population += o["population"].get<double>();
    }

    HtmlReportOptions options;
    options.max_origins = 10;
    HtmlReportOrigins shown;
    const Report r = read_report(write_html_report(dir, options, &shown));
    CHECK(shown.origins == origins.size());
    CHECK(shown.shown <= 10);
    CHECK(shown.shown > 0);
    CHECK(shown.square_m >= 200);
    const auto& features = r.data["layers"]["origins"]["features"];
    REQUIRE(features.size() == shown.shown);
    double grouped_population = 0;
    std::size_t grouped_origins = 0;
    for (const auto& f : features) {
        grouped_population += f["properties"]["population"].get<double>();
        grouped_origins += f["properties"]["origins"].get<std::size_t>();
        CHECK(f["geometry"]["type"] == "Point");
    }
    // Each square's time and class, one column per service.
    CHECK(r.data["origin_minutes"]["urgences"].size() == features.size());
    CHECK(r.data["origin_classes"]["urgences"].get<std::string>().size() == features.size());
    CHECK(grouped_origins == origins.size());
    CHECK_THAT(grouped_population, Catch::Matchers::WithinAbs(population, 0.05 * static_cast<double>(features.size())));
    CHECK_THAT(r.text, Contains("Carte simplifiée"));
    CHECK_THAT(describe_report_origins(shown, 10), Contains("squares"));

    // The lighter page: no origin on the map, said so.
    options.max_origins = 0;
    const Report light = read_report(write_html_report(dir, options, &shown));
    CHECK(light.data["layers"]["origins"]["features"].empty());
    CHECK(shown.shown == 0);
    CHECK_THAT(light.text, Contains("Carte allégée"));

    // Under the cap, every origin one by one and no notice.
    options.max_origins = origins.size();
    const Report all = read_report(write_html_report(dir, options, &shown));
    CHECK(all.data["layers"]["origins"]["features"].size() == origins.size());
    CHECK(describe_report_origins(shown, origins.size()).empty());
    CHECK(all.text.find("Carte simplifiée") == std::string::npos);
    CHECK(all.data["layers"].contains("isochrones_urgences"));
    CHECK(all.text.find("Isochrones non affichées") == std::string::npos);
    CHECK(shown.isochrone_vertices > 100);

    // Isochrones beyond the page's budget: none embedded, said on the page and the console.
    options.max_isochrone_vertices = shown.isochrone_vertices - 1;
    const Report no_iso = read_report(write_html_report(dir, options, &shown));
    CHECK(shown.isochrones_left_out);
    for (const auto& [name, layer] : no_iso.data["layers"].items()) {
        CHECK(name.rfind("isochrones_", 0) != 0);
    }
    CHECK(no_iso.data["layers"].contains("deficit_urgences"));
    CHECK_THAT(no_iso.text, Contains("Isochrones non affichées"));
    CHECK_THAT(describe_report_origins(shown, origins.size()), Contains("isochrones"));

    // Far beyond: the count stops at the first feature past the budget.
    const std::uint64_t total = shown.isochrone_vertices;
    options.max_isochrone_vertices = 10;
    (void)write_html_report(dir, options, &shown);
    CHECK(shown.isochrones_left_out);
    CHECK(shown.isochrone_vertices > 10);
    CHECK(shown.isochrone_vertices < total);
}

TEST_CASE("HTML report: squares of origins given by the run are taken only when made for this layer and cap", "[report][html]") {
    // The run groups its origins into squares from memory (run/report_squares.hpp) and the page
    // takes them instead of reading the layer back. Squares made for another layer, cap, count
    // of features or list of services would be another page: they are ignored and the layer read.
    test::TempDir tmp("html-report-given-squares");
    const fs::path dir = copy_of("andorra", tmp.path());
    HtmlReportOptions options;
    options.max_origins = 10;
    HtmlReportOrigins shown;
    write_html_report(dir, options, &shown);
    const std::string read_back = read_text(dir / "report.html");
    CHECK_FALSE(shown.squares_from_run);
    const std::size_t origins = shown.origins;
    REQUIRE(origins > 10);

    const Json run = Json::parse(read_text(dir / "run.json"));
    detail::OriginSquares given;
    given.layer = "origins";
    for (const auto& s : run["services"]) {
        given.service_ids.push_back(s["id"].get<std::string>());
    }
    given.max_origins = 10;
    given.origins = origins;
    given.square_m = 1e12;  // one square holding them all, with figures no layer has
    detail::OriginSquare& q = given.squares[{0, 0}];
    q.origins = origins;
    q.population = 1234.5;
    q.x_weighted = 1234.5 * 530000.0, q.y_weighted = 1234.5 * 6160000.0, q.weight = 1234.5;
    q.zone = "given";
    q.zone_population = 1234.5;
    q.minutes_weighted.assign(given.service_ids.size(), 1234.5 * 7.0);
    q.minutes_weight.assign(given.service_ids.size(), 1234.5);
    q.minutes_sum.assign(given.service_ids.size(), 7.0);
    q.minutes_count.assign(given.service_ids.size(), 1);
    options.origin_squares = &given;

    const Report taken = read_report(write_html_report(dir, options, &shown));
    CHECK(shown.squares_from_run);
    CHECK(shown.shown == 1);
    CHECK(shown.origins == origins);
    const auto& features = taken.data["layers"]["origins"]["features"];
    REQUIRE(features.size() == 1);
    CHECK(features[0]["properties"]["population"] == 1234.5);
    CHECK(features[0]["properties"]["zone"] == "given");
    CHECK(features[0]["properties"]["origins"] == origins);
    CHECK(taken.data["origin_minutes"][given.service_ids.front()][0] == 7.0);

    const auto ignored = [&](const char* why) {
        INFO(why);
        write_html_report(dir, options, &shown);
        CHECK_FALSE(shown.squares_from_run);
        CHECK(read_text(dir / "report.html") == read_back);
    };
    given.max_origins = 11;
    ignored("made for another cap");
    given.max_origins = 10;
    given.origins = origins - 1;
    ignored("made for another number of origins");
    given.origins = origins;
    given.layer = "cells";
    ignored("made for another layer");
    given.layer = "origins";
    given.service_ids.pop_back();
    ignored("made for fewer services");
}

TEST_CASE("HTML report: the layers read side by side make the same page as one thread", "[report][html]") {
    // Layers are read by several threads, each with its own handle on access.gpkg, then put back
    // in GeoPackage order: the page must not depend on which thread finished first.
    test::TempDir tmp("html-report-threads");
    const fs::path dir = copy_of("andorra", tmp.path());
    HtmlReportOptions one;
    one.threads = 1;
    write_html_report(dir, one);
    const std::string serial = read_text(dir / "report.html");
    HtmlReportOptions many;
    many.threads = 4;  // capped at the machine's processors; more threads than layers is fine too
    for (int k = 0; k < 3; ++k) {
        write_html_report(dir, many);
        CHECK(read_text(dir / "report.html") == serial);
    }

    SECTION("a layer that fails on one thread is named, and nothing is written") {
        fs::remove(dir / "report.html");
        {
            GdalDataset ds(dir / "access.gpkg", true);
            // A deficit layer in an undefined cartesian CRS, which cannot be converted to WGS84: met on a
            // worker thread.
            GDALDatasetExecuteSQL(ds.ds,
                                  "UPDATE gpkg_geometry_columns SET srs_id = -1 WHERE table_name = 'deficit_urgences'",
                                  nullptr, nullptr);
        }
        REQUIRE_THROWS_WITH(write_html_report(dir, many), Contains("deficit_urgences") && Contains("WGS84"));
        CHECK(!fs::exists(dir / "report.html"));
    }
}
