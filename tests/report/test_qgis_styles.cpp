// QGIS styles inside the bundled studies' GeoPackages: the layer_styles table as QGIS makes it,
// QML that parses, and rules that select exactly the features time_class_of puts in each class,
// drawn in the time_classes colours.

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <gdal.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "proxima/core/error.hpp"
#include "proxima/report/qgis_styles.hpp"
#include "proxima/report/time_classes.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/bundled_runs.hpp"

using namespace proxima;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using test::read_text;
using test::run_folder;

fs::path gpkg_copy_of(const std::string& name, const fs::path& into) {
    const fs::path to = into / name;
    fs::create_directories(to);
    for (const char* f : {"access.gpkg", "run.json"}) {
        fs::copy_file(run_folder(name) / f, to / f);
    }
    return to / "access.gpkg";
}

struct GpkgDataset {
    GDALDatasetH ds = nullptr;
    explicit GpkgDataset(const fs::path& p, bool update = false) {
        GDALAllRegister();
        ds = GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY), nullptr, nullptr,
                        nullptr);
        REQUIRE(ds != nullptr);
    }
    ~GpkgDataset() { GDALClose(ds); }
    GpkgDataset(const GpkgDataset&) = delete;
    GpkgDataset& operator=(const GpkgDataset&) = delete;
};

struct StyleRow {
    std::int64_t id = 0;
    std::string table, geometry_column, name, qml, description;
    int is_default = 0;
    std::string update_time;
};

std::vector<StyleRow> style_rows(GDALDatasetH ds) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "layer_styles");
    REQUIRE(l != nullptr);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    auto text = [&](OGRFeatureH f, const char* field) {
        return std::string(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, field)));
    };
    std::vector<StyleRow> rows;
    OGR_L_ResetReading(l);
    while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
        rows.push_back({OGR_F_GetFID(f), text(f, "f_table_name"), text(f, "f_geometry_column"), text(f, "styleName"),
                        text(f, "styleQML"), text(f, "description"),
                        OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "useAsDefault")), text(f, "update_time")});
        OGR_F_Destroy(f);
    }
    return rows;
}

struct Qml {
    xmlDocPtr doc = nullptr;
    std::vector<std::string> errors;
    ~Qml() { xmlFreeDoc(doc); }
};

void count_qml_error(void* user, xmlErrorPtr e) {
    static_cast<std::vector<std::string>*>(user)->push_back(e->message != nullptr ? e->message : "?");
}

std::unique_ptr<Qml> parse_qml(const std::string& text) {
    auto q = std::make_unique<Qml>();
    xmlSetStructuredErrorFunc(&q->errors, count_qml_error);
    q->doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "style.qml", "utf-8", XML_PARSE_NONET);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    return q;
}

std::vector<xmlNodePtr> children(xmlNodePtr n, const char* name) {
    std::vector<xmlNodePtr> out;
    for (xmlNodePtr c = n != nullptr ? n->children : nullptr; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
            out.push_back(c);
        }
    }
    return out;
}

xmlNodePtr child(xmlNodePtr n, const char* name) {
    auto c = children(n, name);
    REQUIRE(c.size() == 1);
    return c[0];
}

std::string attr(xmlNodePtr n, const char* name) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    std::string s = v != nullptr ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

/// The properties of a symbol's first layer, from its <Option type="Map">.
std::map<std::string, std::string> symbol_options(xmlNodePtr symbol) {
    std::map<std::string, std::string> out;
    xmlNodePtr layer = child(symbol, "layer");
    for (xmlNodePtr o : children(child(layer, "Option"), "Option")) {
        out[attr(o, "name")] = attr(o, "value");
    }
    // The <prop k v> copy for older QGIS says the same.
    for (xmlNodePtr p : children(layer, "prop")) {
        CHECK(out[attr(p, "k")] == attr(p, "v"));
    }
    return out;
}

struct RuleInfo {
    std::string filter, label;
    std::map<std::string, std::string> symbol;
};

/// The rules of a RuleRenderer QML, with their symbol's properties.
std::vector<RuleInfo> rules_of(const std::string& qml) {
    auto q = parse_qml(qml);
    REQUIRE(q->doc != nullptr);
    INFO((q->errors.empty() ? std::string() : q->errors.front()));
    REQUIRE(q->errors.empty());
    xmlNodePtr root = xmlDocGetRootElement(q->doc);
    REQUIRE(xmlStrcmp(root->name, reinterpret_cast<const xmlChar*>("qgis")) == 0);
    xmlNodePtr renderer = child(root, "renderer-v2");
    REQUIRE(attr(renderer, "type") == "RuleRenderer");
    std::map<std::string, xmlNodePtr> symbols;
    for (xmlNodePtr s : children(child(renderer, "symbols"), "symbol")) {
        symbols[attr(s, "name")] = s;
    }
    std::vector<RuleInfo> out;
    std::set<std::string> keys;
    for (xmlNodePtr r : children(child(renderer, "rules"), "rule")) {
        CHECK(keys.insert(attr(r, "key")).second);
        REQUIRE(symbols.count(attr(r, "symbol")) == 1);
        out.push_back({attr(r, "filter"), attr(r, "label"), symbol_options(symbols[attr(r, "symbol")])});
    }
    return out;
}

std::string qcolour(Rgb c) { return fmt::format("{},{},{},255", c.r, c.g, c.b); }

/// FIDs a QGIS filter selects, evaluated by OGR (same SQL where-clause syntax for these rules).
std::set<std::int64_t> selected(GDALDatasetH ds, const std::string& layer, const std::string& filter) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer.c_str());
    REQUIRE(l != nullptr);
    REQUIRE(OGR_L_SetAttributeFilter(l, filter.c_str()) == OGRERR_NONE);
    std::set<std::int64_t> out;
    OGR_L_ResetReading(l);
    while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
        out.insert(OGR_F_GetFID(f));
        OGR_F_Destroy(f);
    }
    OGR_L_SetAttributeFilter(l, nullptr);
    return out;
}

/// FIDs per time class of a field, as time_class_of puts them (communes without inhabitant apart).
std::map<std::size_t, std::set<std::int64_t>> expected_classes(GDALDatasetH ds, const std::string& layer,
                                                               const std::string& id, std::set<std::int64_t>& blank) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer.c_str());
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    const int minutes = OGR_FD_GetFieldIndex(d, (id + "_min").c_str());
    const int over = OGR_FD_GetFieldIndex(d, (id + "_over").c_str());
    std::map<std::size_t, std::set<std::int64_t>> out;
    OGR_L_ResetReading(l);
    while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
        if (over >= 0 && !OGR_F_IsFieldSetAndNotNull(f, over)) {
            blank.insert(OGR_F_GetFID(f));
        } else {
            const std::optional<double> v = OGR_F_IsFieldSetAndNotNull(f, minutes)
                                                ? std::optional<double>(OGR_F_GetFieldAsDouble(f, minutes))
                                                : std::nullopt;
            out[time_class_of(v)].insert(OGR_F_GetFID(f));
        }
        OGR_F_Destroy(f);
    }
    return out;
}

std::vector<StyledService> services_of(const fs::path& gpkg) {
    std::vector<StyledService> out;
    const auto run = nlohmann::json::parse(read_text(gpkg.parent_path() / "run.json"));
    for (const auto& s : run["services"]) {
        out.push_back({s["id"].get<std::string>(), s["label"].get<std::string>(), s["threshold_min"].get<double>(),
                       s.value("family", std::string())});
    }
    return out;
}

/// The rules of a communes/origins/cells style select, on the real layer, exactly the features
/// time_class_of puts in each class, and draw them in the time_classes colours.
void check_time_rules(GDALDatasetH ds, const StyleRow& r, const std::vector<StyledService>& services) {
    const auto it = std::find_if(services.begin(), services.end(), [&](const auto& s) {
        return r.name == s.id || r.name == "proxima (" + s.id + ")";
    });
    REQUIRE(it != services.end());
    INFO(r.table << " style " << r.name);
    const auto rules = rules_of(r.qml);
    REQUIRE(rules.size() >= time_classes.size());
    std::set<std::int64_t> blank;
    auto expected = expected_classes(ds, r.table, it->id, blank);
    for (std::size_t k = 0; k < time_classes.size(); ++k) {
        INFO("class " << k << ": " << rules[k].filter);
        CHECK(rules[k].label == std::string(time_classes[k].label));
        CHECK(rules[k].symbol.at("color") == qcolour(time_classes[k].colour));
        CHECK(selected(ds, r.table, rules[k].filter) == expected[k]);
    }
    if (r.table == "communes") {
        REQUIRE(rules.size() == time_classes.size() + 2);
        CHECK(selected(ds, r.table, rules[7].filter) == blank);
        CHECK(rules[7].symbol.at("color") == "255,255,255,255");
        CHECK_THAT(rules[8].label, Contains(fmt::format("{} min", it->threshold_min)));
        CHECK(selected(ds, r.table, rules[8].filter) == selected(ds, r.table, "\"" + it->id + "_over\" = 1"));
    }
    if (r.table == "origins") {
        REQUIRE(rules.size() == time_classes.size() + 1);
        CHECK(selected(ds, r.table, rules[7].filter) ==
              selected(ds, r.table, fmt::format("\"{0}_min\" IS NULL OR \"{0}_min\" > {1}", it->id, it->threshold_min)));
    }
}

void check_styles(const std::string& study) {
    test::TempDir tmp("qgis-styles-" + study);
    const fs::path gpkg = gpkg_copy_of(study, tmp.path());
    add_qgis_styles(gpkg);
    const auto services = services_of(gpkg);
    REQUIRE(services.size() == (study == "andorra" ? 7 : 5));  // Andorra adds medecin and pole_intermediaire
    GpkgDataset ds(gpkg);
    const auto rows = style_rows(ds.ds);
    const std::string origins = GDALDatasetGetLayerByName(ds.ds, "cells") != nullptr ? "cells" : "origins";

    SECTION("layer_styles is the table QGIS creates, listed in gpkg_contents as attributes") {
        OGRLayerH l = GDALDatasetGetLayerByName(ds.ds, "layer_styles");
        CHECK(std::string(OGR_L_GetFIDColumn(l)) == "id");
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
        const std::vector<std::string> columns = {"f_table_catalog", "f_table_schema", "f_table_name",
                                                  "f_geometry_column", "styleName", "styleQML", "styleSLD",
                                                  "useAsDefault", "description", "owner", "ui", "update_time"};
        REQUIRE(OGR_FD_GetFieldCount(d) == static_cast<int>(columns.size()));
        for (std::size_t i = 0; i < columns.size(); ++i) {
            CHECK(std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, static_cast<int>(i)))) == columns[i]);
        }
        CHECK(OGR_Fld_GetSubType(OGR_FD_GetFieldDefn(d, OGR_FD_GetFieldIndex(d, "useAsDefault"))) == OFSTBoolean);
        CHECK(OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, OGR_FD_GetFieldIndex(d, "update_time"))) == OFTDateTime);
        OGRLayerH contents = GDALDatasetExecuteSQL(
            ds.ds, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", nullptr, nullptr);
        REQUIRE(contents != nullptr);
        OGRFeatureH f = OGR_L_GetNextFeature(contents);
        REQUIRE(f != nullptr);
        CHECK(std::string(OGR_F_GetFieldAsString(f, 0)) == "attributes");
        OGR_F_Destroy(f);
        GDALDatasetReleaseResultSet(ds.ds, contents);
    }

    SECTION("one default style per styled layer, plus one named style per service on communes and origins") {
        std::map<std::string, int> defaults;
        std::map<std::string, std::set<std::string>> names;
        for (const auto& r : rows) {
            defaults[r.table] += r.is_default;
            CHECK(names[r.table].insert(r.name).second);
            CHECK(r.geometry_column == "geom");
            CHECK(r.update_time == "2000/01/01 00:00:00+00");
            CHECK(!r.description.empty());
        }
        std::set<std::string> tables = {"communes", origins, "services"};
        if (GDALDatasetGetLayerByName(ds.ds, "poles") != nullptr) {
            tables.insert("poles");
        }
        for (const auto& s : services) {
            tables.insert("deficit_" + s.id);
            if (GDALDatasetGetLayerByName(ds.ds, ("isochrones_" + s.id).c_str()) != nullptr) {
                tables.insert("isochrones_" + s.id);  // runs write them (at 100 m by default)
            }
        }
        CHECK(names.size() == tables.size());
        for (const auto& t : tables) {
            INFO(t);
            CHECK(defaults[t] == 1);
        }
        for (const std::string& t : {std::string("communes"), origins}) {
            CHECK(names[t].size() == services.size() + 1);
            for (const auto& s : services) {
                CHECK(names[t].count(s.id) == 1);
            }
            for (const auto& r : rows) {
                if (r.table == t && r.is_default == 1) {
                    CHECK(r.name == "proxima (" + services[0].id + ")");
                    CHECK(r.qml == qgis_style_qml(t, services, 0));
                }
            }
        }
    }

    SECTION("time rules select exactly the features of each class, in the classes' colours") {
        for (const auto& r : rows) {
            if (r.table == "communes" || r.table == origins) {
                check_time_rules(ds.ds, r, services);
            }
        }
    }

    SECTION("services are categorized by service in their family's shapes, deficit hatched as on the PNG maps") {
        CHECK(std::any_of(services.begin(), services.end(), [](const StyledService& s) { return s.family == "sante"; }));
        for (const auto& r : rows) {
            auto q = parse_qml(r.qml);
            REQUIRE(q->doc != nullptr);
            CHECK(q->errors.empty());
            xmlNodePtr renderer = child(xmlDocGetRootElement(q->doc), "renderer-v2");
            if (r.table == "services") {
                CHECK(attr(renderer, "type") == "categorizedSymbol");
                CHECK(attr(renderer, "attr") == "service");
                const auto categories = children(child(renderer, "categories"), "category");
                REQUIRE(categories.size() == services.size());
                for (std::size_t i = 0; i < services.size(); ++i) {
                    CHECK(attr(categories[i], "value") == services[i].id);
                    CHECK(attr(categories[i], "label") == services[i].label);
                }
                // The PNG maps' shapes: a health service is a disc with a cross, a school a
                // square with a bar.
                const auto symbols = children(child(renderer, "symbols"), "symbol");
                REQUIRE(symbols.size() == services.size());
                for (std::size_t i = 0; i < services.size(); ++i) {
                    const auto layers = children(symbols[i], "layer");
                    REQUIRE(!layers.empty());
                    std::string shape;
                    for (xmlNodePtr o : children(child(layers[0], "Option"), "Option")) {
                        if (attr(o, "name") == "name") {
                            shape = attr(o, "value");
                        }
                    }
                    INFO(services[i].id << " family " << services[i].family);
                    if (services[i].family == "sante") {
                        CHECK(shape == "circle");
                        CHECK(layers.size() == 2);
                    } else if (services[i].family == "education") {
                        CHECK(shape == "square");
                    } else if (services[i].family == "services_publics") {
                        CHECK(shape == "diamond");
                    }
                }
            } else if (r.table.rfind("deficit_", 0) == 0) {
                CHECK(attr(renderer, "type") == "RuleRenderer");
                const auto rules = rules_of(r.qml);
                REQUIRE(rules.size() == 2);
                CHECK(rules[0].filter == "\"inhabited\" = 1");
                CHECK(rules[0].symbol.at("style") == "b_diagonal");
                CHECK(rules[0].symbol.at("color") == "26,26,26,255");  // the ink of the PNG maps
                CHECK(rules[0].symbol.at("outline_style") == "solid");
                CHECK(rules[1].filter == "ELSE");
                CHECK(rules[1].symbol.at("color") == "128,128,128,255");
            } else if (r.table == "poles") {
                const auto rules = rules_of(r.qml);
                REQUIRE(rules.size() == 4);
                CHECK(rules[0].filter == "\"level\" = 'superieure'");
                CHECK(rules[0].label == "pôle supérieur");
                CHECK(rules[3].filter == "ELSE");
            }
        }
    }

    SECTION("styling the file in place (proxima run's temporary folder) gives the bytes of styling a copy") {
        const fs::path in_place = tmp.path() / "in-place" / "access.gpkg";
        fs::create_directories(in_place.parent_path());
        fs::copy_file(run_folder(study) / "access.gpkg", in_place);
        add_qgis_styles(in_place, services, StyleWrite::in_place);
        CHECK(read_text(in_place) == read_text(gpkg));
        std::size_t side_files = 0;  // no temporary copy was made
        for (const auto& e : fs::directory_iterator(in_place.parent_path())) {
            side_files += e.path().filename() == "access.gpkg" ? 0 : 1;
        }
        CHECK(side_files == 0);
    }
    SECTION("the same GeoPackage styled twice gives the same bytes; styling again adds no row") {
        const fs::path other = tmp.path() / "other.gpkg";
        fs::copy_file(run_folder(study) / "access.gpkg", other);
        fs::copy_file(run_folder(study) / "run.json", tmp.path() / "run.json");
        add_qgis_styles(other);
        CHECK(read_text(other) == read_text(gpkg));
        add_qgis_styles(other);
        GpkgDataset again(other);
        CHECK(style_rows(again.ds).size() == rows.size());
    }
}

} // namespace

TEST_CASE("QGIS styles in the Andorra GeoPackage", "[report][qgis]") { check_styles("andorra"); }

TEST_CASE("QGIS styles in the Riviera GeoPackage", "[report][qgis]") { check_styles("riviera"); }

TEST_CASE("QGIS styles: times on the class bounds and NULL fall in the classes of time_class_of", "[report][qgis]") {
    // Real times seldom sit on a bound: put some there (upper bound included, lower excluded).
    test::TempDir tmp("qgis-styles-bounds");
    const fs::path gpkg = gpkg_copy_of("andorra", tmp.path());
    {
        GpkgDataset ds(gpkg, true);
        for (const char* sql :
             {"UPDATE origins SET urgences_min = CASE fid WHEN 1 THEN 0 WHEN 2 THEN 10 WHEN 3 THEN 10.001 WHEN 4 THEN 20 "
              "WHEN 5 THEN 30 WHEN 6 THEN 45 WHEN 7 THEN 60 WHEN 8 THEN 60.5 WHEN 9 THEN NULL WHEN 10 THEN 44.99 "
              "ELSE urgences_min END",
              "UPDATE communes SET urgences_min = CASE fid WHEN 1 THEN 30 WHEN 2 THEN NULL WHEN 3 THEN 60 "
              "ELSE urgences_min END",
              "UPDATE communes SET urgences_over = NULL WHERE fid = 4"}) {
            OGRLayerH result = GDALDatasetExecuteSQL(ds.ds, sql, nullptr, nullptr);
            if (result != nullptr) {
                GDALDatasetReleaseResultSet(ds.ds, result);
            }
        }
    }
    add_qgis_styles(gpkg);
    GpkgDataset ds(gpkg);
    std::size_t checked = 0;
    for (const auto& r : style_rows(ds.ds)) {
        if ((r.table == "communes" || r.table == "origins") && r.name == "urgences") {
            check_time_rules(ds.ds, r, services_of(gpkg));
            ++checked;
        }
    }
    CHECK(checked == 2);
}

TEST_CASE("QGIS styles: a user's style is kept, isochrones are styled", "[report][qgis]") {
    test::TempDir tmp("qgis-styles-more");
    const fs::path gpkg = gpkg_copy_of("andorra", tmp.path());
    add_qgis_styles(gpkg);
    {
        GpkgDataset ds(gpkg, true);
        OGRLayerH styles = GDALDatasetGetLayerByName(ds.ds, "layer_styles");
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(styles));
        OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(styles), "f_table_name"), "communes");
        OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(styles), "styleName"), "mon style");
        OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(styles), "styleQML"), "<qgis/>");
        OGR_F_SetFieldInteger(f, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(styles), "useAsDefault"), 1);
        REQUIRE(OGR_L_CreateFeature(styles, f) == OGRERR_NONE);
        OGR_F_Destroy(f);
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
        OGRFieldDefnH fd = OGR_Fld_Create("limit_min", OFTReal);
        REQUIRE(OGR_L_CreateField(iso, fd, TRUE) == OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    add_qgis_styles(gpkg);
    GpkgDataset ds(gpkg);
    const auto rows = style_rows(ds.ds);
    bool mine = false, iso = false;
    for (const auto& r : rows) {
        if (r.name == "mon style") {
            mine = true;
            CHECK(r.is_default == 0);  // one default per layer: Proxima's
        }
        if (r.table == "isochrones_urgences") {
            iso = true;
            CHECK(r.is_default == 1);
            const auto rules = rules_of(r.qml);
            REQUIRE(rules.size() == time_classes.size());  // six classes and the threshold
            for (std::size_t k = 0; k + 1 < time_classes.size(); ++k) {
                CHECK(rules[k].label == std::string(time_classes[k].label));
                CHECK(rules[k].symbol.at("outline_color") == qcolour(time_classes[k].colour));
            }
            CHECK(rules.back().filter == "\"limit_min\" = 30");
        }
    }
    CHECK(mine);
    CHECK(iso);
}

TEST_CASE("QGIS styles: a GeoPackage styled already is left as it is and one changed since is styled again",
          "[report][qgis]") {
    // `proxima report` on a run's folder: the run styled access.gpkg; copying a national run's
    // GeoPackage (gigabytes) to write the same rows again under new ids is what this avoids.
    test::TempDir tmp("qgis-styles-already");
    const fs::path gpkg = gpkg_copy_of("andorra", tmp.path());
    add_qgis_styles(gpkg);  // styled once here, whatever the run did
    const std::string styled = read_text(gpkg);
    const auto time_before = fs::last_write_time(gpkg);
    add_qgis_styles(gpkg);
    CHECK(read_text(gpkg) == styled);
    CHECK(fs::last_write_time(gpkg) == time_before);  // not even opened for writing
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(gpkg.parent_path())) {
        files += e.path().filename() == "access.gpkg" || e.path().filename() == "run.json" ? 0 : 1;
    }
    CHECK(files == 0);

    const auto rows_of = [&] {
        GpkgDataset ds(gpkg);
        return style_rows(ds.ds);
    };
    const auto expected = rows_of();
    // Each way a row can differ from what Proxima writes: the file is styled again, and then holds
    // the rows it held before (under new ids).
    for (const char* change : {"UPDATE layer_styles SET styleQML = '<qgis/>' WHERE styleName = 'urgences'",
                               "UPDATE layer_styles SET description = 'x' WHERE f_table_name = 'services'",
                               "UPDATE layer_styles SET update_time = '2024-05-01T10:00:00Z' WHERE f_table_name = 'services'",
                               "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = 'services'",
                               "UPDATE layer_styles SET ui = 'x' WHERE f_table_name = 'communes' AND styleName = 'urgences'",
                               "DELETE FROM layer_styles WHERE f_table_name = 'poles'",
                               "INSERT INTO layer_styles (f_table_name, styleName, styleQML, useAsDefault) "
                               "VALUES ('communes', 'mon style', '<qgis/>', 1)"}) {
        CAPTURE(change);
        const std::string before = read_text(gpkg);
        {
            GpkgDataset ds(gpkg, true);
            OGRLayerH result = GDALDatasetExecuteSQL(ds.ds, change, nullptr, nullptr);
            if (result != nullptr) {
                GDALDatasetReleaseResultSet(ds.ds, result);
            }
        }
        const std::string changed = read_text(gpkg);
        REQUIRE(changed != before);  // the change took
        add_qgis_styles(gpkg);
        CHECK(read_text(gpkg) != changed);
        auto rows = rows_of();
        if (std::string(change).rfind("INSERT", 0) == 0) {
            // The user's style is kept, no longer the default.
            const auto mine = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.name == "mon style"; });
            REQUIRE(mine != rows.end());
            CHECK(mine->is_default == 0);
            rows.erase(mine);
        }
        REQUIRE(rows.size() == expected.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto same = std::find_if(expected.begin(), expected.end(), [&](const auto& e) {
                return e.table == rows[i].table && e.name == rows[i].name && e.qml == rows[i].qml &&
                       e.is_default == rows[i].is_default;
            });
            CHECK(same != expected.end());
        }
    }
}

namespace {

/// Removes the layer_styles table the run wrote, to put another in its place.
void drop_layer_styles(const GpkgDataset& ds) {
    for (int i = 0; i < GDALDatasetGetLayerCount(ds.ds); ++i) {
        if (std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.ds, i))) == "layer_styles") {
            REQUIRE(GDALDatasetDeleteLayer(ds.ds, i) == OGRERR_NONE);
            return;
        }
    }
}

/// Whether a temporary copy ("<name>.tmp-<pid>") was left beside the GeoPackage.
bool copy_left_beside(const fs::path& gpkg) {
    for (const auto& e : fs::directory_iterator(gpkg.parent_path())) {
        if (e.path().filename().string().find(".tmp-") != std::string::npos) {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("QGIS styles: a missing file or layer is named and the GeoPackage is untouched", "[report][qgis]") {
    test::TempDir tmp("qgis-styles-errors");
    const fs::path gpkg = gpkg_copy_of("riviera", tmp.path());

    SECTION("no GeoPackage") {
        REQUIRE_THROWS_AS(add_qgis_styles(tmp.path() / "none.gpkg", services_of(gpkg)), InputError);
        REQUIRE_THROWS_WITH(add_qgis_styles(tmp.path() / "none.gpkg", services_of(gpkg)), Contains("none.gpkg"));
    }
    SECTION("no run.json beside it") {
        fs::remove(gpkg.parent_path() / "run.json");
        REQUIRE_THROWS_AS(add_qgis_styles(gpkg), InputError);
        REQUIRE_THROWS_WITH(add_qgis_styles(gpkg), Contains("run.json"));
    }
    SECTION("a service whose layers are not there") {
        auto services = services_of(gpkg);
        services.push_back({"medecin", "Médecin généraliste", 20.0, "sante"});
        const std::string before = read_text(gpkg);
        REQUIRE_THROWS_AS(add_qgis_styles(gpkg, services), InputError);
        REQUIRE_THROWS_WITH(add_qgis_styles(gpkg, services), Contains("medecin_min") || Contains("deficit_medecin"));
        CHECK(read_text(gpkg) == before);
        CHECK_FALSE(copy_left_beside(gpkg));
    }
    SECTION("a layer with no style") {
        CHECK_THROWS_AS(qgis_style_qml("summary", services_of(gpkg)), Error);
    }
    SECTION("a layer_styles table made by plain SQL (not a GeoPackage table): named, with the way out") {
        {
            GpkgDataset ds(gpkg, true);
            drop_layer_styles(ds);
            OGRLayerH made = GDALDatasetExecuteSQL(ds.ds, "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, x TEXT)",
                                                   nullptr, nullptr);
            if (made != nullptr) {
                GDALDatasetReleaseResultSet(ds.ds, made);
            }
        }
        {
            GpkgDataset ds(gpkg, false);
            REQUIRE(GDALDatasetGetLayerByName(ds.ds, "layer_styles") == nullptr);  // GDAL does not list it
        }
        const std::string before = read_text(gpkg);
        REQUIRE_THROWS_AS(add_qgis_styles(gpkg), InputError);
        REQUIRE_THROWS_WITH(add_qgis_styles(gpkg), Contains("layer_styles") && Contains("gpkg_contents") &&
                                                       Contains("DROP TABLE layer_styles"));
        CHECK(read_text(gpkg) == before);
        CHECK_FALSE(copy_left_beside(gpkg));
    }
    SECTION("a layer_styles table without a column QGIS writes: named, with the way out") {
        {
            GpkgDataset ds(gpkg, true);
            drop_layer_styles(ds);
            OGRLayerH styles = GDALDatasetCreateLayer(ds.ds, "layer_styles", nullptr, wkbNone, nullptr);
            REQUIRE(styles != nullptr);
            for (const char* name : {"f_table_name", "styleName"}) {
                OGRFieldDefnH fd = OGR_Fld_Create(name, OFTString);
                REQUIRE(OGR_L_CreateField(styles, fd, TRUE) == OGRERR_NONE);
                OGR_Fld_Destroy(fd);
            }
        }
        const std::string before = read_text(gpkg);
        REQUIRE_THROWS_AS(add_qgis_styles(gpkg), InputError);
        REQUIRE_THROWS_WITH(add_qgis_styles(gpkg), Contains("layer_styles") && Contains("has no column") &&
                                                       Contains("DROP TABLE layer_styles"));
        CHECK(read_text(gpkg) == before);
        CHECK_FALSE(copy_left_beside(gpkg));
    }
}
