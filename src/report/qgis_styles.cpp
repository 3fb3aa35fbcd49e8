#include "proxima/core/markup.hpp"
#include "proxima/report/qgis_styles.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <vector>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "core/gdal_handles.hpp"
#include "core/geopackage_sql.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/temporaries.hpp"
#include "proxima/report/map_style.hpp"
#include "proxima/report/time_classes.hpp"

namespace proxima {

namespace {

using detail::QuietGdalErrors;
using detail::gdal_detail;
using detail::gdal_failed;

namespace fs = std::filesystem;
using detail::DatasetPtr;
using detail::FeaturePtr;

// ---------------------------------------------------------------------------------------------
// QML text.

std::string xml(std::string_view s) { return escape_markup(s); }

/// QGIS colour text: "r,g,b,alpha" (0-255).
std::string qcolour(Rgb c, int alpha = 255) { return fmt::format("{},{},{},{}", c.r, c.g, c.b, alpha); }

constexpr Rgb beyond_ink = map_style::ink;  // the beyond-threshold mark, as on the PNG maps
constexpr Rgb deficit_red{0xb2, 0x18, 0x2b};  // origins beyond the threshold: a red ring
constexpr Rgb border_grey{0x44, 0x44, 0x44};
constexpr Rgb blank_white{0xff, 0xff, 0xff};
constexpr Rgb outline_dark{0x22, 0x22, 0x22};

/// Okabe-Ito colours (safe for colour-vision deficiencies), without its yellow, which the first
/// time class uses: the fill of each service's symbol, whose shape is its family's.
constexpr std::array<Rgb, 7> service_colours = {{{0xe6, 0x9f, 0x00},
                                                 {0x56, 0xb4, 0xe9},
                                                 {0x00, 0x9e, 0x73},
                                                 {0x00, 0x72, 0xb2},
                                                 {0xd5, 0x5e, 0x00},
                                                 {0xcc, 0x79, 0xa7},
                                                 {0x00, 0x00, 0x00}}};

using Properties = std::vector<std::pair<std::string, std::string>>;

/// A symbol layer's properties, written twice: as the <Option type="Map"> QGIS >= 3.26 reads,
/// and as the <prop k v> elements of older releases (QGIS 3.16 to 3.24 wrote both, as here).
std::string symbol_layer(std::string_view class_name, const Properties& props) {
    std::string out = fmt::format("        <layer class=\"{}\" pass=\"0\" enabled=\"1\" locked=\"0\">\n"
                                  "          <Option type=\"Map\">\n",
                                  class_name);
    for (const auto& [k, v] : props) {
        out += fmt::format("            <Option name=\"{}\" type=\"QString\" value=\"{}\"/>\n", k, xml(v));
    }
    out += "          </Option>\n";
    for (const auto& [k, v] : props) {
        out += fmt::format("          <prop k=\"{}\" v=\"{}\"/>\n", k, xml(v));
    }
    return out + "        </layer>\n";
}

struct Fill {
    std::optional<Rgb> colour;                 ///< nullopt: no fill
    std::string brush = "solid";               ///< Qt brush: solid, b_diagonal...
    std::optional<Rgb> outline;                ///< nullopt: no outline
    double outline_mm = 0.26;
};

std::string fill_symbol(const std::string& name, const Fill& f) {
    std::string out = fmt::format("      <symbol type=\"fill\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" "
                                  "force_rhr=\"0\">\n",
                                  xml(name));
    out += symbol_layer("SimpleFill", {{"color", f.colour ? qcolour(*f.colour) : "0,0,0,0"},
                                       {"style", f.colour ? f.brush : "no"},
                                       {"outline_color", f.outline ? qcolour(*f.outline) : "0,0,0,0"},
                                       {"outline_style", f.outline ? "solid" : "no"},
                                       {"outline_width", fmt::format("{}", f.outline_mm)},
                                       {"outline_width_unit", "MM"},
                                       {"joinstyle", "round"}});
    return out + "      </symbol>\n";
}

struct Marker {
    std::optional<Rgb> colour;                 ///< nullopt: hollow
    std::string shape = "circle";
    double size_mm = 2.6;
    Rgb outline = outline_dark;
    double outline_mm = 0.3;
};

std::string marker_symbol(const std::string& name, const Marker& m) {
    std::string out = fmt::format("      <symbol type=\"marker\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" "
                                  "force_rhr=\"0\">\n",
                                  xml(name));
    out += symbol_layer("SimpleMarker", {{"name", m.shape},
                                         {"color", m.colour ? qcolour(*m.colour) : "0,0,0,0"},
                                         {"outline_color", qcolour(m.outline)},
                                         {"outline_style", "solid"},
                                         {"outline_width", fmt::format("{}", m.outline_mm)},
                                         {"outline_width_unit", "MM"},
                                         {"size", fmt::format("{}", m.size_mm)},
                                         {"size_unit", "MM"},
                                         {"scale_method", "diameter"}});
    return out + "      </symbol>\n";
}

/// The symbol of a service's sites in the shapes of the PNG maps (map_renderer.cpp,
/// draw_facility): health a disc and a cross, education a square and a bar, public service a
/// diamond and a dot, commerce a triangle, pôle a black disc with a white ring, other a disc and a
/// dot; filled with `fill` so that services of one family can be told apart on one layer.
std::string family_marker_symbol(const std::string& name, const std::string& family, Rgb fill) {
    const auto layer = [](const std::string& shape, std::optional<Rgb> colour, double size_mm, double outline_mm,
                          double angle = 0.0) {
        return symbol_layer("SimpleMarker", {{"name", shape},
                                             {"color", colour ? qcolour(*colour) : "0,0,0,0"},
                                             {"outline_color", qcolour(map_style::ink)},
                                             {"outline_style", "solid"},
                                             {"outline_width", fmt::format("{}", outline_mm)},
                                             {"outline_width_unit", "MM"},
                                             {"size", fmt::format("{}", size_mm)},
                                             {"size_unit", "MM"},
                                             {"angle", fmt::format("{}", angle)},
                                             {"scale_method", "diameter"}});
    };
    std::string out = fmt::format("      <symbol type=\"marker\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" "
                                  "force_rhr=\"0\">\n",
                                  xml(name));
    if (family == "sante") {
        out += layer("circle", fill, 3.6, 0.35) + layer("cross", std::nullopt, 2.0, 0.45);
    } else if (family == "education") {
        out += layer("square", fill, 3.4, 0.35) + layer("line", std::nullopt, 2.0, 0.45, 90.0);
    } else if (family == "services_publics") {
        out += layer("diamond", fill, 4.0, 0.35) + layer("circle", map_style::ink, 0.9, 0.0);
    } else if (family == "commerce") {
        out += layer("triangle", fill, 3.8, 0.35);
    } else if (family == "pole") {
        out += layer("circle", map_style::ink, 3.6, 0.35) + layer("circle", Rgb{255, 255, 255}, 1.6, 0.0);
    } else {
        out += layer("circle", fill, 3.6, 0.35) + layer("circle", map_style::ink, 1.0, 0.0);
    }
    return out + "      </symbol>\n";
}

std::string quoted_field(const std::string& field) { return "\"" + field + "\""; }

std::string number(double v) { return fmt::format("{}", v); }

/// The filter expression of time class `k` on `field` (minutes): the bounds of time_classes,
/// lower excluded, upper included; NULL for the unreachable class.
std::string class_filter(const std::string& field, std::size_t k) {
    const TimeClass& c = time_classes[k];
    const std::string f = quoted_field(field);
    if (k == unreachable_class) {
        return f + " IS NULL";
    }
    std::string out;
    if (c.lower) {
        out = f + " > " + number(*c.lower);
    }
    if (c.upper) {
        out += (out.empty() ? "" : " AND ") + f + " <= " + number(*c.upper);
    }
    return out.empty() ? f + " IS NOT NULL" : out;
}

struct Rule {
    std::string filter;
    std::string label;
    std::string symbol;  ///< QML of the symbol (its name is set from the rule's position)
};

/// Rule keys must be unique in a style; QGIS writes UUIDs, any unique text is read back.
std::string rule_key(std::size_t i) { return fmt::format("{{00000000-0000-4000-8000-{:012d}}}", i + 1); }

std::string rule_renderer(const std::vector<Rule>& rules) {
    std::string out = "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\" "
                      "referencescale=\"-1\">\n";
    out += fmt::format("    <rules key=\"{}\">\n", rule_key(rules.size()));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        out += fmt::format("      <rule key=\"{}\" filter=\"{}\" label=\"{}\" symbol=\"{}\"/>\n", rule_key(i),
                           xml(rules[i].filter), xml(rules[i].label), i);
    }
    out += "    </rules>\n    <symbols>\n";
    for (const auto& r : rules) {
        out += r.symbol;
    }
    out += "    </symbols>\n  </renderer-v2>\n";
    return out;
}

std::string qml_document(const std::string& renderer, int geometry_type, const std::string& labeling = {}) {
    std::string out = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
    out += fmt::format("<qgis version=\"3.28.0-Firenze\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"{}\">\n",
                       labeling.empty() ? 0 : 1);
    out += renderer;
    out += labeling;
    out += fmt::format("  <layerGeometryType>{}</layerGeometryType>\n</qgis>\n", geometry_type);
    return out;
}

/// Commune names over the polygons, dark on a white halo, as on the PNG maps.
std::string name_labels(const std::string& field) {
    return fmt::format(
        "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
        "      <text-style fieldName=\"{}\" isExpression=\"0\" fontFamily=\"DejaVu Sans\" fontSize=\"8\" "
        "fontSizeUnit=\"Point\" fontWeight=\"75\" namedStyle=\"Bold\" textColor=\"17,17,17,255\" textOpacity=\"1\" "
        "multilineHeight=\"1\" allowHtml=\"0\">\n"
        "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
        "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.9\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n"
        "      </text-style>\n"
        "      <placement placement=\"1\" centroidInside=\"1\" centroidWhole=\"0\" fitInPolygonOnly=\"0\"/>\n"
        "      <rendering obstacle=\"1\" displayAll=\"0\" upsidedownLabels=\"0\" labelPerPart=\"0\"/>\n"
        "    </settings>\n  </labeling>\n",
        xml(field));
}

const StyledService& service_of(const std::vector<StyledService>& services, std::size_t i, const std::string& layer) {
    if (i >= services.size()) {
        throw Error(fmt::format("QGIS style of layer '{}': service index {} but {} services", layer, i, services.size()));
    }
    return services[i];
}

const StyledService& service_named(const std::vector<StyledService>& services, const std::string& id,
                                   const std::string& layer) {
    for (const auto& s : services) {
        if (s.id == id) {
            return s;
        }
    }
    throw Error(fmt::format("QGIS style of layer '{}': service '{}' is not among the services given", layer, id));
}

std::string threshold_label(const StyledService& s) {
    return fmt::format("au-delà du seuil de {} min", number(s.threshold_min));
}

std::string time_rules_qml(const std::string& layer, const StyledService& s) {
    const bool communes = layer == "communes";
    const bool points = layer == "origins";
    const std::string field = s.id + "_min";
    std::vector<Rule> rules;
    for (std::size_t k = 0; k < time_classes.size(); ++k) {
        std::string filter = class_filter(field, k);
        if (communes) {
            // NULL <id>_over: no inhabitant located in the commune, drawn blank (as in the HTML report).
            filter += " AND " + quoted_field(s.id + "_over") + " IS NOT NULL";
        }
        const std::string name = std::to_string(rules.size());
        const Rgb colour = time_classes[k].colour;
        std::string symbol;
        if (points) {
            symbol = marker_symbol(name, {colour, "circle", 2.6, outline_dark, 0.3});
        } else if (communes) {
            symbol = fill_symbol(name, {colour, "solid", border_grey, 0.26});
        } else {
            symbol = fill_symbol(name, {colour, "solid", std::nullopt, 0.0});  // cells: no outline
        }
        rules.push_back({filter, std::string(time_classes[k].label), symbol});
    }
    const std::string over = fmt::format("{} IS NULL OR {} > {}", quoted_field(field), quoted_field(field),
                                         number(s.threshold_min));
    if (communes) {
        rules.push_back({quoted_field(s.id + "_over") + " IS NULL", "sans habitant localisé",
                         fill_symbol(std::to_string(rules.size()), {blank_white, "solid", border_grey, 0.26})});
        rules.push_back({quoted_field(s.id + "_over") + " = 1", threshold_label(s) + " (moyenne de ses habitants)",
                         fill_symbol(std::to_string(rules.size()), {std::nullopt, "solid", deficit_red, 0.8})});
    } else if (points) {
        rules.push_back({over, threshold_label(s),
                         marker_symbol(std::to_string(rules.size()), {std::nullopt, "circle", 3.6, deficit_red, 0.6})});
    }
    return qml_document(rule_renderer(rules), points ? 0 : 2, communes ? name_labels("nom") : "");
}

std::string services_qml(const std::vector<StyledService>& services) {
    std::string out = "  <renderer-v2 type=\"categorizedSymbol\" attr=\"service\" symbollevels=\"0\" forceraster=\"0\" "
                      "enableorderby=\"0\" referencescale=\"-1\">\n    <categories>\n";
    for (std::size_t i = 0; i < services.size(); ++i) {
        out += fmt::format("      <category render=\"true\" symbol=\"{}\" value=\"{}\" label=\"{}\" type=\"string\"/>\n",
                           i, xml(services[i].id), xml(services[i].label));
    }
    out += "    </categories>\n    <symbols>\n";
    for (std::size_t i = 0; i < services.size(); ++i) {
        out += family_marker_symbol(std::to_string(i), services[i].family, service_colours[i % service_colours.size()]);
    }
    out += "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n";
    return qml_document(out, 0);
}

/// The territory beyond the threshold as on the PNG maps: black hatching and a bold outline
/// where people beyond the threshold live, grey hatching where nobody does.
std::string deficit_qml(const StyledService& s) {
    const std::string t = number(s.threshold_min);
    std::vector<Rule> rules;
    rules.push_back({"\"inhabited\" = 1", fmt::format("au-delà de {} min, où vivent des habitants", t),
                     fill_symbol("0", {beyond_ink, "b_diagonal", beyond_ink, 0.8})});
    rules.push_back({"ELSE", "… et sans habitant",
                     fill_symbol("1", {map_style::uninhabited_hatch, "b_diagonal", map_style::uninhabited_hatch, 0.3})});
    return qml_document(rule_renderer(rules), 2);
}

/// The pôles de services by level, in the colours of maps/poles.png, labelled with their names.
std::string poles_qml() {
    std::vector<Rule> rules;
    const std::array<const char*, 3> keys = {"proximite", "intermediaire", "superieure"};
    const std::array<const char*, 3> names = {"pôle de proximité", "pôle intermédiaire", "pôle supérieur"};
    for (std::size_t k = 3; k-- > 0;) {
        rules.push_back({fmt::format("\"level\" = '{}'", keys[k]), names[k],
                         fill_symbol(std::to_string(rules.size()), {map_style::pole_levels[k], "solid", border_grey, 0.26})});
    }
    rules.push_back({"ELSE", "pas un pôle",
                     fill_symbol(std::to_string(rules.size()), {map_style::not_a_pole, "solid", border_grey, 0.26})});
    return qml_document(rule_renderer(rules), 2, name_labels("nom"));
}

std::string isochrones_qml(const StyledService& s) {
    std::vector<Rule> rules;
    const std::string field = "limit_min";
    for (std::size_t k = 0; k + 1 < time_classes.size(); ++k) {  // an isochrone always has a limit
        rules.push_back({class_filter(field, k), std::string(time_classes[k].label),
                         fill_symbol(std::to_string(rules.size()), {std::nullopt, "solid", time_classes[k].colour, 0.6})});
    }
    rules.push_back({fmt::format("{} = {}", quoted_field(field), number(s.threshold_min)),
                     fmt::format("seuil : {} min", number(s.threshold_min)),
                     fill_symbol(std::to_string(rules.size()), {std::nullopt, "solid", map_style::isochrone_line, 1.0})});
    return qml_document(rule_renderer(rules), 2);
}

// ---------------------------------------------------------------------------------------------
// The GeoPackage.

/// A copy of the GeoPackage at "<target>.tmp-<pid>", renamed onto the target by commit(); removed
/// (with SQLite's side files) otherwise.
class TemporaryCopy {
public:
    explicit TemporaryCopy(fs::path target) : m_target(std::move(target)) {
        m_tmp = m_target;
        m_tmp += fmt::format(".tmp-{}", ::getpid());
        remove_files();
        // An interruption (SIGINT, SIGTERM) removes the copy and SQLite's side files, which may
        // be gigabytes: the signal ends the process without this destructor.
        for (const fs::path& p : paths()) {
            register_temporary(p);
        }
        std::error_code ec;
        fs::copy_file(m_target, m_tmp, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            remove_files();
            throw OutputError(fmt::format("cannot copy '{}' to '{}' to add QGIS styles: {}; is the folder writable?",
                                          m_target.string(), m_tmp.string(), ec.message()));
        }
    }
    ~TemporaryCopy() {
        if (!m_committed) {
            remove_files();
        }
        for (const fs::path& p : paths()) {
            unregister_temporary(p);
        }
    }
    TemporaryCopy(const TemporaryCopy&) = delete;
    TemporaryCopy& operator=(const TemporaryCopy&) = delete;
    [[nodiscard]] const fs::path& path() const { return m_tmp; }
    void commit() {
        std::error_code ec;
        const auto hold = hold_temporaries();  // an interruption waits for the rename
        unregister_temporary(m_tmp);
        fs::rename(m_tmp, m_target, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot move the styled GeoPackage onto '{}': {}", m_target.string(),
                                          ec.message()));
        }
        m_committed = true;
    }

private:
    /// The copy and the side files SQLite may make beside it.
    [[nodiscard]] std::vector<fs::path> paths() const {
        std::vector<fs::path> out{m_tmp};
        for (const char* side : detail::sqlite_side_files) {
            out.push_back(m_tmp);
            out.back() += side;
        }
        return out;
    }
    void remove_files() noexcept {
        std::error_code ec;
        fs::remove(m_tmp, ec);
        for (const char* side : detail::sqlite_side_files) {
            auto p = m_tmp;
            p += side;
            fs::remove(p, ec);
        }
    }
    fs::path m_target;
    fs::path m_tmp;
    bool m_committed = false;
};

struct FieldSpec {
    const char* name;
    OGRFieldType type;
    int width;
};

/// The table as QGIS creates it (QgsOgrProviderMetadata::saveStyle): FID "id", these fields.
constexpr std::array<FieldSpec, 12> style_fields = {{{"f_table_catalog", OFTString, 256},
                                                     {"f_table_schema", OFTString, 256},
                                                     {"f_table_name", OFTString, 256},
                                                     {"f_geometry_column", OFTString, 256},
                                                     {"styleName", OFTString, 30},
                                                     {"styleQML", OFTString, 0},
                                                     {"styleSLD", OFTString, 0},
                                                     {"useAsDefault", OFTInteger, 0},
                                                     {"description", OFTString, 0},
                                                     {"owner", OFTString, 30},
                                                     {"ui", OFTString, 30},
                                                     {"update_time", OFTDateTime, 0}}};


OGRLayerH style_table(GDALDatasetH ds, const fs::path& gpkg) {
    if (OGRLayerH l = GDALDatasetGetLayerByName(ds, "layer_styles")) {
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
        for (const auto& f : style_fields) {
            if (OGR_FD_GetFieldIndex(defn, f.name) < 0) {
                throw InputError(fmt::format("table layer_styles of '{}' has no column '{}': it was not written by QGIS "
                                             "or Proxima; drop it (ogrinfo -sql \"DROP TABLE layer_styles\") and retry",
                                             gpkg.string(), f.name));
            }
        }
        return l;
    }
    // A table GDAL does not list (made by plain SQL, not in gpkg_contents): GDAL would only say
    // "already exists"; say what it is and the way out.
    OGRLayerH found = GDALDatasetExecuteSQL(
        ds, "SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) = 'layer_styles'", nullptr, nullptr);
    const bool hidden = found != nullptr && OGR_L_GetFeatureCount(found, TRUE) > 0;
    if (found != nullptr) {
        GDALDatasetReleaseResultSet(ds, found);
    }
    if (hidden) {
        throw InputError(fmt::format("table layer_styles of '{}' is not a GeoPackage table (it is missing from "
                                     "gpkg_contents): it was not written by QGIS or Proxima; drop it (ogrinfo -sql "
                                     "\"DROP TABLE layer_styles\") and retry",
                                     gpkg.string()));
    }
    const char* const options[] = {"FID=id", nullptr};
    CPLErrorReset();
    OGRLayerH l = GDALDatasetCreateLayer(ds, "layer_styles", nullptr, wkbNone, const_cast<char**>(options));
    if (l == nullptr) {
        throw OutputError(fmt::format("cannot create table layer_styles in '{}': {}", gpkg.string(), gdal_detail()));
    }
    for (const auto& f : style_fields) {
        detail::FieldDefnPtr defn(OGR_Fld_Create(f.name, f.type));
        auto* h = static_cast<OGRFieldDefnH>(defn.get());
        if (f.width > 0) {
            OGR_Fld_SetWidth(h, f.width);
        }
        if (std::string_view(f.name) == "useAsDefault") {
            OGR_Fld_SetSubType(h, OFSTBoolean);
        }
        if (f.type == OFTDateTime) {
            OGR_Fld_SetDefault(h, "CURRENT_TIMESTAMP");
        }
        CPLErrorReset();
        if (OGR_L_CreateField(l, h, TRUE) != OGRERR_NONE) {
            throw OutputError(fmt::format("cannot create column '{}' of layer_styles in '{}': {}", f.name,
                                          gpkg.string(), gdal_detail()));
        }
    }
    return l;
}

void execute(GDALDatasetH ds, const std::string& sql, const fs::path& gpkg) {
    CPLErrorReset();
    OGRLayerH result = GDALDatasetExecuteSQL(ds, sql.c_str(), nullptr, nullptr);
    if (result != nullptr) {
        GDALDatasetReleaseResultSet(ds, result);
    }
    if (gdal_failed()) {
        throw OutputError(fmt::format("updating layer_styles in '{}' failed: {}", gpkg.string(), gdal_detail()));
    }
}

struct StyleRow {
    std::string table;
    std::string geometry_column;
    std::string name;
    std::string qml;
    bool is_default = false;
    std::string description;
};

void write_row(OGRLayerH l, const StyleRow& row, const fs::path& gpkg) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    FeaturePtr feature(OGR_F_Create(defn));
    auto* f = static_cast<OGRFeatureH>(feature.get());
    auto set = [&](const char* field, const std::string& value) {
        OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(defn, field), value.c_str());
    };
    set("f_table_catalog", "");
    set("f_table_schema", "");
    set("f_table_name", row.table);
    set("f_geometry_column", row.geometry_column);
    set("styleName", row.name);
    set("styleQML", row.qml);
    set("styleSLD", "");
    OGR_F_SetFieldInteger(f, OGR_FD_GetFieldIndex(defn, "useAsDefault"), row.is_default ? 1 : 0);
    set("description", row.description);
    set("owner", "");
    // Pinned, as the GeoPackage's last_change dates (layer_writer.cpp): same input, same bytes.
    OGR_F_SetFieldDateTimeEx(f, OGR_FD_GetFieldIndex(defn, "update_time"), 2000, 1, 1, 0, 0, 0.0F, 100);
    CPLErrorReset();
    if (OGR_L_CreateFeature(l, f) != OGRERR_NONE) {
        throw OutputError(fmt::format("cannot write the QGIS style '{}' of layer '{}' into '{}': {}", row.name, row.table,
                                      gpkg.string(), gdal_detail()));
    }
}

OGRLayerH require_layer(GDALDatasetH ds, const std::string& name, const std::vector<std::string>& fields,
                        const fs::path& gpkg) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, name.c_str());
    if (l == nullptr) {
        throw InputError(fmt::format("layer '{}' is missing from '{}'; it is not a complete output of `proxima run`: "
                                     "run it again",
                                     name, gpkg.string()));
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    for (const auto& field : fields) {
        if (OGR_FD_GetFieldIndex(defn, field.c_str()) < 0) {
            throw InputError(fmt::format("field '{}' is missing from layer '{}' of '{}'; run `proxima run` again", field,
                                         name, gpkg.string()));
        }
    }
    return l;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The rows Proxima writes into layer_styles for `services`, checking first that every layer and
/// field they style is in `h`.
std::vector<StyleRow> style_rows(GDALDatasetH h, const std::vector<StyledService>& services, const fs::path& gpkg) {
    std::vector<StyleRow> rows;
    auto geometry_column = [](OGRLayerH l) { return std::string(OGR_L_GetGeometryColumn(l)); };
    std::vector<std::string> commune_fields = {"nom"}, origin_fields;
    for (const auto& s : services) {
        commune_fields.push_back(s.id + "_min");
        commune_fields.push_back(s.id + "_over");
        origin_fields.push_back(s.id + "_min");
    }
    const bool cells = GDALDatasetGetLayerByName(h, "cells") != nullptr;
    const std::string origins_name = cells ? "cells" : "origins";
    for (const std::string& name : {std::string("communes"), origins_name}) {
        OGRLayerH l = require_layer(h, name, name == "communes" ? commune_fields : origin_fields, gpkg);
        for (std::size_t i = 0; i < services.size(); ++i) {
            const auto& s = services[i];
            const std::string description = fmt::format(
                "Proxima : temps d'accès en voiture à « {} » (seuil {} min), classes des cartes Proxima", s.label,
                number(s.threshold_min));
            if (i == 0) {
                rows.push_back({name, geometry_column(l), "proxima (" + s.id + ")",
                                qgis_style_qml(name, services, i), true, description});
            }
            rows.push_back({name, geometry_column(l), s.id, qgis_style_qml(name, services, i), false, description});
        }
    }
    {
        OGRLayerH l = require_layer(h, "services", {"service"}, gpkg);
        rows.push_back({"services", geometry_column(l), "proxima", qgis_style_qml("services", services), true,
                        "Proxima : équipements par service"});
    }
    for (const auto& s : services) {
        const std::string deficit = "deficit_" + s.id;
        OGRLayerH l = require_layer(h, deficit, {"inhabited"}, gpkg);
        rows.push_back({deficit, geometry_column(l), "proxima", qgis_style_qml(deficit, services), true,
                        fmt::format("Proxima : territoire au-delà du seuil de {} min pour « {} »",
                                    number(s.threshold_min), s.label)});
        const std::string iso = "isochrones_" + s.id;
        if (GDALDatasetGetLayerByName(h, iso.c_str()) != nullptr) {
            OGRLayerH li = require_layer(h, iso, {"limit_min"}, gpkg);
            rows.push_back({iso, geometry_column(li), "proxima", qgis_style_qml(iso, services), true,
                            fmt::format("Proxima : isochrones de « {} »", s.label)});
        }
    }

    if (GDALDatasetGetLayerByName(h, "poles") != nullptr) {
        OGRLayerH l = require_layer(h, "poles", {"level", "nom"}, gpkg);
        rows.push_back({"poles", geometry_column(l), "proxima", qgis_style_qml("poles", services), true,
                        "Proxima : pôles de services par niveau (gammes INSEE)"});
    }

    return rows;
}

/// Whether layer_styles already holds exactly what writing `rows` would leave: each row once,
/// field for field (update_time pinned, no SLD, owner or ui), and no other default on the tables
/// styled. Then styling again would change nothing but the rows' ids, and `proxima report` need not
/// copy a national run's GeoPackage (gigabytes) to write it.
bool styled_already(GDALDatasetH h, const std::vector<StyleRow>& rows) {
    OGRLayerH l = GDALDatasetGetLayerByName(h, "layer_styles");
    if (l == nullptr) {
        return false;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    for (const auto& f : style_fields) {
        if (OGR_FD_GetFieldIndex(defn, f.name) < 0) {
            return false;  // the writing path says what is wrong with it
        }
    }
    const auto index = [&](const char* name) { return OGR_FD_GetFieldIndex(defn, name); };
    const auto text = [&](OGRFeatureH f, const char* name) -> std::optional<std::string> {
        const int i = index(name);
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) {
            return std::nullopt;
        }
        return std::string(OGR_F_GetFieldAsString(f, i));
    };
    std::set<std::string> tables;
    std::map<std::pair<std::string, std::string>, const StyleRow*> wanted;
    for (const auto& r : rows) {
        tables.insert(r.table);
        wanted[{r.table, r.name}] = &r;
    }
    std::set<std::pair<std::string, std::string>> seen;
    OGR_L_ResetReading(l);
    for (FeaturePtr feature(OGR_L_GetNextFeature(l)); feature; feature.reset(OGR_L_GetNextFeature(l))) {
        auto* f = static_cast<OGRFeatureH>(feature.get());
        const std::string table = text(f, "f_table_name").value_or("");
        const std::string name = text(f, "styleName").value_or("");
        const bool is_default = OGR_F_IsFieldSetAndNotNull(f, index("useAsDefault")) &&
                                OGR_F_GetFieldAsInteger(f, index("useAsDefault")) != 0;
        const auto w = wanted.find({table, name});
        if (w == wanted.end()) {
            if (tables.count(table) != 0 && is_default) {
                return false;  // another default on a styled table: it would step aside
            }
            continue;
        }
        const StyleRow& r = *w->second;
        int year = 0, month = 0, day = 0, hour = 0, minute = 0, tz = 0;
        float second = 0.0F;
        const bool pinned = OGR_F_IsFieldSetAndNotNull(f, index("update_time")) &&
                            OGR_F_GetFieldAsDateTimeEx(f, index("update_time"), &year, &month, &day, &hour, &minute,
                                                       &second, &tz) != 0 &&
                            year == 2000 && month == 1 && day == 1 && hour == 0 && minute == 0 && second == 0.0F;
        if (!seen.insert({table, name}).second || !pinned || is_default != r.is_default ||
            text(f, "f_table_catalog") != std::optional<std::string>("") ||
            text(f, "f_table_schema") != std::optional<std::string>("") ||
            text(f, "f_geometry_column") != std::optional<std::string>(r.geometry_column) ||
            text(f, "styleQML") != std::optional<std::string>(r.qml) ||
            text(f, "styleSLD") != std::optional<std::string>("") ||
            text(f, "description") != std::optional<std::string>(r.description) ||
            text(f, "owner") != std::optional<std::string>("") || text(f, "ui").has_value()) {
            return false;
        }
    }
    return seen.size() == wanted.size();
}

} // namespace

std::string qgis_style_qml(const std::string& layer, const std::vector<StyledService>& services, std::size_t service) {
    if (layer == "communes" || layer == "origins" || layer == "cells") {
        return time_rules_qml(layer, service_of(services, service, layer));
    }
    if (layer == "services") {
        return services_qml(services);
    }
    if (layer.rfind("deficit_", 0) == 0) {
        return deficit_qml(service_named(services, layer.substr(8), layer));
    }
    if (layer.rfind("isochrones_", 0) == 0) {
        return isochrones_qml(service_named(services, layer.substr(11), layer));
    }
    if (layer == "poles") {
        return poles_qml();
    }
    throw Error(fmt::format("no QGIS style for layer '{}'", layer));
}

void add_qgis_styles(const fs::path& gpkg, const std::vector<StyledService>& services, StyleWrite how) {
    std::error_code ec;
    if (!fs::is_regular_file(gpkg, ec)) {
        throw InputError(fmt::format("GeoPackage '{}' not found; give the access.gpkg of a `proxima run` output folder",
                                     gpkg.string()));
    }
    std::set<std::string> ids;
    for (const auto& s : services) {
        if (s.id.empty() || !ids.insert(s.id).second) {
            throw Error(fmt::format("QGIS styles for '{}': service id '{}' is empty or given twice", gpkg.string(), s.id));
        }
    }
    struct PinnedDate {  // gpkg_contents.last_change of layer_styles, as layer_writer.cpp pins it
        PinnedDate() { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z"); }
        ~PinnedDate() { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr); }
        PinnedDate(const PinnedDate&) = delete;
        PinnedDate& operator=(const PinnedDate&) = delete;
    } pinned_date;

    {
        // Styled already (`proxima report` again on a run's folder): nothing to write, and no copy.
        QuietGdalErrors quiet;
        GDALAllRegister();
        const char* const drivers[] = {"GPKG", nullptr};
        CPLErrorReset();
        const DatasetPtr ds(GDALOpenEx(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
        if (!ds) {
            throw InputError(fmt::format("cannot open '{}' as a GeoPackage ({}); give the access.gpkg of `proxima run`",
                                         gpkg.string(), gdal_detail()));
        }
        if (styled_already(ds.get(), style_rows(ds.get(), services, gpkg))) {
            return;
        }
    }
    std::optional<TemporaryCopy> copy;
    if (how == StyleWrite::atomic_copy) {
        copy.emplace(gpkg);
    }
    const fs::path& written = copy ? copy->path() : gpkg;
    {
        QuietGdalErrors quiet;
        GDALAllRegister();
        const char* const drivers[] = {"GPKG", nullptr};
        CPLErrorReset();
        DatasetPtr ds(GDALOpenEx(written.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr));
        if (!ds) {
            throw InputError(fmt::format("cannot open '{}' as a GeoPackage ({}); give the access.gpkg of `proxima run`",
                                         gpkg.string(), gdal_detail()));
        }
        GDALDatasetH h = ds.get();

        const std::vector<StyleRow> rows = style_rows(h, services, gpkg);

        CPLErrorReset();
        if (GDALDatasetStartTransaction(h, FALSE) != OGRERR_NONE) {
            throw OutputError(fmt::format("cannot start writing QGIS styles into '{}': {}", gpkg.string(), gdal_detail()));
        }
        OGRLayerH table = style_table(h, gpkg);
        std::set<std::string> tables;
        for (const auto& r : rows) {
            const std::string table_text = detail::sql_quoted(r.table, '\'');
            execute(h,
                    fmt::format("DELETE FROM layer_styles WHERE f_table_name = {} AND styleName = {}", table_text,
                                detail::sql_quoted(r.name, '\'')),
                    gpkg);
            if (tables.insert(r.table).second) {
                // One default per table: a default saved earlier by a user steps aside, as in QGIS.
                execute(h, fmt::format("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = {}", table_text),
                        gpkg);
            }
        }
        for (const auto& r : rows) {
            write_row(table, r, gpkg);
        }
        CPLErrorReset();
        if (GDALDatasetCommitTransaction(h) != OGRERR_NONE) {
            throw OutputError(fmt::format("cannot finish writing QGIS styles into '{}' (disk full?): {}", gpkg.string(),
                                          gdal_detail()));
        }
        CPLErrorReset();
        GDALClose(ds.release());
        if (gdal_failed()) {
            throw OutputError(fmt::format("writing QGIS styles into '{}' failed while closing the file (disk full?): {}",
                                          gpkg.string(), gdal_detail()));
        }
    }
    if (copy) {
        copy->commit();
    }
}

void add_qgis_styles(const fs::path& gpkg) {
    const fs::path run_json = gpkg.parent_path() / "run.json";
    std::error_code ec;
    if (!fs::is_regular_file(run_json, ec)) {
        throw InputError(fmt::format("'{}' not found: the QGIS styles take the services from the run.json beside '{}'; "
                                     "give the access.gpkg of a finished `proxima run` output folder",
                                     run_json.string(), gpkg.string()));
    }
    nlohmann::json run;
    try {
        run = nlohmann::json::parse(read_text(run_json));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("'{}' is not valid JSON ({}); run `proxima run` again", run_json.string(), e.what()));
    }
    if (!run.is_object() || !run.contains("services") || !run["services"].is_array()) {
        throw InputError(fmt::format("'{}' has no \"services\" list; run `proxima run` again", run_json.string()));
    }
    std::vector<StyledService> services;
    for (const auto& s : run["services"]) {
        if (!s.contains("id") || !s["id"].is_string() || !s.contains("threshold_min") || !s["threshold_min"].is_number()) {
            throw InputError(fmt::format("'{}': a service has no \"id\" or \"threshold_min\"; run `proxima run` again",
                                         run_json.string()));
        }
        StyledService st;
        st.id = s["id"].get<std::string>();
        st.label = s.contains("label") && s["label"].is_string() ? s["label"].get<std::string>() : st.id;
        st.threshold_min = s["threshold_min"].get<double>();
        st.family = s.contains("family") && s["family"].is_string() ? s["family"].get<std::string>() : "";
        services.push_back(std::move(st));
    }
    add_qgis_styles(gpkg, services);
}

} // namespace proxima
