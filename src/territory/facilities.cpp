#include "proxima/territory/facilities.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include "proxima/core/csv_reader.hpp"
#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"

namespace proxima {

namespace {

using detail::DatasetCloser;
using detail::FeatureDestroyer;
using detail::SrsDestroyer;
using detail::TransformDestroyer;
using detail::SrsPtr;

OGRSpatialReferenceH srs_handle(const SrsPtr& p) { return static_cast<OGRSpatialReferenceH>(p.get()); }

std::string trimmed(std::string s) {
    const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

/// Fields of the current CSV record, trimmed (CsvReader already hands them over as UTF-8).
class CsvText {
public:
    explicit CsvText(const CsvReader& csv) : m_csv(csv) {}
    [[nodiscard]] std::string operator()(int column) const {
        if (column < 0) {
            return {};
        }
        return trimmed(m_csv.field(column));
    }

private:
    const CsvReader& m_csv;
};

// ---------------------------------------------------------------------------------------------
// Columns

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string column_list(const CsvReader& csv) {
    std::string present;
    for (const auto& c : csv.columns()) {
        present += (present.empty() ? "" : ", ") + c;
    }
    return present.empty() ? "none" : present;
}

/// Index of the column named `name` ignoring case (BPE exports are upper case, some loaders
/// lower-case them), or -1.
int column_ignoring_case(const CsvReader& csv, std::string_view name) {
    const std::string wanted = lowercase(name);
    for (std::size_t i = 0; i < csv.columns().size(); ++i) {
        if (lowercase(csv.columns()[i]) == wanted) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int require_bpe_column(const CsvReader& csv, std::string_view name) {
    const int c = column_ignoring_case(csv, name);
    if (c < 0) {
        throw InputError(fmt::format("BPE file '{}' has no column {}; it has: {}. Layouts read: the geolocated "
                                     "BPE ensemble file of 2021 and before (bpeYY_ensemble_xy.csv: DEPCOM, TYPEQU, "
                                     "LAMBERT_X, LAMBERT_Y, QUALITE_XY; CRS from DEP) and the BPE 2023+ detail "
                                     "file (the same columns plus EPSG, the CRS of each row), in any case. Is this "
                                     "the count table per commune (CODGEO, NB_<TYPEQU>, or GEO, FACILITY_TYPE)? "
                                     "Give it as [poles] counts instead",
                                     csv.path().string(), name, column_list(csv)));
    }
    return c;
}

/// Parses a coordinate: a decimal number with a dot, or with a decimal comma as French
/// spreadsheets write it ("651182,4"; unambiguous inside a field).
std::optional<double> parse_coordinate(const std::string& text) {
    if (auto v = parse_decimal(text)) {
        return v;
    }
    if (std::count(text.begin(), text.end(), ',') == 1 && text.find('.') == std::string::npos) {
        std::string dotted = text;
        std::replace(dotted.begin(), dotted.end(), ',', '.');
        return parse_decimal(dotted);
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Coordinate reference systems

/// "EPSG:2975", or "" without an authority code.
std::string srs_code(OGRSpatialReferenceH srs) {
    const char* auth = OSRGetAuthorityName(srs, nullptr);
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    return auth != nullptr && code != nullptr ? fmt::format("{}:{}", auth, code) : std::string();
}

/// One source CRS → WGS84 longitude/latitude, refusing points outside the source CRS's area of
/// use (a sign of coordinates given in another CRS, or of swapped columns).
class ToWgs84 {
public:
    /// Copies `source`. If PROJ cannot convert it to WGS84, error() says why.
    explicit ToWgs84(OGRSpatialReferenceH source) {
        m_source.reset(OSRClone(source));
        OSRSetAxisMappingStrategy(srs_handle(m_source), OAMS_TRADITIONAL_GIS_ORDER);
        m_wgs84.reset(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(srs_handle(m_wgs84), 4326);
        OSRSetAxisMappingStrategy(srs_handle(m_wgs84), OAMS_TRADITIONAL_GIS_ORDER);
        m_code = srs_code(source);
        const char* name = OSRGetName(source);
        m_name = name != nullptr ? name : "";
        CPLErrorReset();
        CPLPushErrorHandler(CPLQuietErrorHandler);
        m_transform.reset(OCTNewCoordinateTransformation(srs_handle(m_source), srs_handle(m_wgs84)));
        CPLPopErrorHandler();
        if (!m_transform) {
            m_error = fmt::format("cannot convert {} to WGS84: {}", describe(), detail::gdal_detail());
        }
        const char* area = nullptr;
        if (OSRGetAreaOfUse(source, &m_west, &m_south, &m_east, &m_north, &area) == 0) {
            m_west = -180, m_south = -90, m_east = 180, m_north = 90;
        } else if (area != nullptr) {
            m_area = area;
            while (!m_area.empty() && (m_area.back() == '.' || m_area.back() == ' ')) {
                m_area.pop_back();
            }
        }
    }

    /// Empty if the conversion is usable.
    [[nodiscard]] const std::string& error() const { return m_error; }

    /// WGS84 position of (x, y), or nullopt if it cannot be converted or falls outside the area of
    /// use of the source CRS.
    [[nodiscard]] std::optional<LonLat> operator()(double x, double y) const {
        if (!m_transform) {
            return std::nullopt;
        }
        double z = 0;
        int ok = 0;
        CPLPushErrorHandler(CPLQuietErrorHandler);
        const int done =
            OCTTransformEx(static_cast<OGRCoordinateTransformationH>(m_transform.get()), 1, &x, &y, &z, &ok);
        CPLPopErrorHandler();
        if (done == 0 || ok == 0 || !std::isfinite(x) || !std::isfinite(y) || std::abs(x) > 180 || std::abs(y) > 90) {
            return std::nullopt;
        }
        const bool lat_inside = y >= m_south - margin_deg && y <= m_north + margin_deg;
        // An area crossing the antimeridian has west > east.
        const bool lon_inside = m_west <= m_east ? x >= m_west - margin_deg && x <= m_east + margin_deg
                                                 : x >= m_west - margin_deg || x <= m_east + margin_deg;
        if (!lat_inside || !lon_inside) {
            return std::nullopt;
        }
        return LonLat{x, y};
    }

    /// "EPSG:2975 (RGR92 / UTM zone 40S; used in: Reunion - onshore and offshore...)".
    [[nodiscard]] std::string describe() const {
        std::string details = m_name;
        if (!m_area.empty()) {
            details += (details.empty() ? "used in: " : "; used in: ") + m_area;
        }
        if (m_code.empty()) {
            return details.empty() ? "an unnamed CRS" : details;
        }
        return details.empty() ? m_code : fmt::format("{} ({})", m_code, details);
    }

private:
    /// Areas of use are drawn tight (UTM 22N stops at 54°W while western Guyane goes to 54.6°W);
    /// coordinates in another CRS land hundreds of kilometres away, so 1° loses nothing.
    static constexpr double margin_deg = 1.0;
    SrsPtr m_source;
    SrsPtr m_wgs84;
    std::unique_ptr<void, TransformDestroyer> m_transform;
    std::string m_code;
    std::string m_name;
    std::string m_area;
    std::string m_error;
    double m_west = -180, m_south = -90, m_east = 180, m_north = 90;
};

/// One ToWgs84 per EPSG code met in a file.
class EpsgCache {
public:
    /// Throws InputError at `where` if `code` is not an EPSG CRS PROJ knows.
    const ToWgs84& get(int code, const std::string& where) {
        auto it = m_cache.find(code);
        if (it != m_cache.end()) {
            return *it->second;
        }
        SrsPtr srs(OSRNewSpatialReference(nullptr));
        CPLPushErrorHandler(CPLQuietErrorHandler);
        const OGRErr err = OSRImportFromEPSG(srs_handle(srs), code);
        CPLPopErrorHandler();
        if (err != OGRERR_NONE) {
            throw InputError(fmt::format("{}: EPSG {} is not a coordinate reference system known to PROJ (the BPE "
                                         "uses 2154, 5490, 2972, 2975 and 4471)",
                                         where, code));
        }
        auto made = std::make_unique<ToWgs84>(srs_handle(srs));
        if (!made->error().empty()) {
            throw InputError(fmt::format("{}: EPSG {}: {}", where, code, made->error()));
        }
        return *m_cache.emplace(code, std::move(made)).first->second;
    }

private:
    std::map<int, std::unique_ptr<ToWgs84>> m_cache;
};

struct CrsChoice {
    int epsg = 2154;
    std::string why;  ///< for messages: "the CRS given by the EPSG column", "the BPE's CRS for DEP 974"
};

/// CRS of a BPE row: the EPSG column if filled, else from the département (see the header).
CrsChoice bpe_crs(const std::string& epsg_text, const std::string& dep_text, const std::string& depcom,
                  const std::string& where) {
    if (!epsg_text.empty()) {
        std::string_view digits = epsg_text;
        if (lowercase(digits.substr(0, 5)) == "epsg:") {
            digits.remove_prefix(5);
        }
        const auto v = parse_decimal(digits);
        if (!v || *v < 1 || *v > 999999 || std::floor(*v) != *v) {
            throw InputError(fmt::format("{}: EPSG '{}' is not an EPSG code (expected a number such as 2154)", where,
                                         epsg_text));
        }
        return {static_cast<int>(*v), "the CRS given by the EPSG column"};
    }
    std::string dep = dep_text;
    if (dep.empty()) {
        const bool overseas = depcom.size() >= 3 && depcom[0] == '9' && (depcom[1] == '7' || depcom[1] == '8');
        dep = depcom.substr(0, overseas ? 3 : 2);
    }
    const std::string why = fmt::format("the BPE's CRS for DEP {}", dep);
    if (dep == "971" || dep == "972") {
        return {5490, why};
    }
    if (dep == "973") {
        return {2972, why};
    }
    if (dep == "974") {
        return {2975, why};
    }
    if (dep == "976") {
        return {4471, why};
    }
    if (dep.size() == 3 && dep[0] == '9' && (dep[1] == '7' || dep[1] == '8')) {
        throw InputError(fmt::format("{}: no documented CRS for the BPE coordinates of DEP {} (known: metropolitan "
                                     "France, 971-974, 976); add an EPSG column giving the CRS of LAMBERT_X/LAMBERT_Y",
                                     where, dep));
    }
    return {2154, fmt::format("the BPE's CRS for metropolitan DEP {}", dep)};
}

// ---------------------------------------------------------------------------------------------
// Generic point files

/// Index of the configured column (must exist) or of the first default present; -1 if none.
int point_column(const CsvReader& csv, const std::string& configured,
                 std::initializer_list<std::string_view> defaults) {
    if (!configured.empty()) {
        return csv.require_column({configured});
    }
    for (auto name : defaults) {
        if (const int c = csv.column(name); c >= 0) {
            return c;
        }
    }
    return -1;
}

std::string names_list(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) {
        out += (out.empty() ? "" : ", ") + std::string(n);
    }
    return out;
}

/// User CRS text ("EPSG:2154", WKT, PROJ string), without network or file access.
SrsPtr user_crs(const std::string& text, const std::string& file) {
    SrsPtr srs(OSRNewSpatialReference(nullptr));
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const OGRErr err = OGRSpatialReference::FromHandle(srs_handle(srs))
                           ->SetFromUserInput(text.c_str(), OGRSpatialReference::SET_FROM_USER_INPUT_LIMITATIONS_get());
    CPLPopErrorHandler();
    if (err != OGRERR_NONE) {
        throw ConfigError(fmt::format("CRS '{}' given for points file '{}' is not understood ({}); write it as "
                                      "EPSG:<code>, e.g. EPSG:2154 (Lambert-93) or EPSG:4326 (lon/lat degrees)",
                                      text, file, detail::gdal_detail()));
    }
    return srs;
}

/// Largest supply a site may have (APL): more than any activity a place could count, a year of
/// consultations of a whole hospital included; a larger value is a mistake (units, a shifted column).
constexpr double max_supply = 1e9;

/// The supply of a placed row (APL), from the text of its supply column.
double read_supply(const std::string& text, const std::string& column, const std::string& where) {
    if (text.empty()) {
        throw InputError(fmt::format("{}: empty supply in column '{}'; write the site's supply (0 for a site with no "
                                     "activity) or remove the row",
                                     where, column));
    }
    const auto v = parse_coordinate(text);
    if (!v) {
        throw InputError(fmt::format("{}: supply '{}' in column '{}' is not a number; write a decimal such as 1.5 "
                                     "(or 1,5)",
                                     where, text, column));
    }
    if (*v < 0 || *v > max_supply) {
        throw InputError(fmt::format("{}: supply {} in column '{}' is {}; a site supplies 0 or more, at most {:g}",
                                     where, text, column, *v < 0 ? "negative" : "too large", max_supply));
    }
    return *v + 0.0;  // -0 reads as 0
}

std::string missing_supply_column(const std::string& path, const std::string& column, const std::string& present) {
    return fmt::format("points file '{}' has no column '{}', which the study names as the sites' supply (APL "
                       "supply_field); it has: {}. Fix supply_field in [services.<id>.apl], or add the column",
                       path, column, present);
}

/// Ids of a point file: the id field's value (filled, unique) or "<stem>:<number>".
class PointIds {
public:
    explicit PointIds(std::string stem) : m_stem(std::move(stem)) {}
    std::string make(const std::string& value, bool has_field, std::uint64_t number, const std::string& where) {
        if (!has_field) {
            return fmt::format("{}:{}", m_stem, number);
        }
        if (value.empty()) {
            throw InputError(fmt::format("{}: empty id; fill it, or remove the id column to number points by line",
                                         where));
        }
        if (!m_seen.insert(value).second) {
            throw InputError(fmt::format("{}: id '{}' appears twice; ids must be unique", where, value));
        }
        return value;
    }

private:
    std::string m_stem;
    std::set<std::string> m_seen;
};

FacilityReadResult read_point_csv(const std::filesystem::path& path, const PointFileOptions& options, const Log& log) {
    const std::string p = path.string();
    if (options.crs.empty()) {
        throw ConfigError(fmt::format("points file '{}' is a CSV: give the CRS of x/y, e.g. EPSG:2154 (Lambert-93 "
                                      "metres) or EPSG:4326 (longitude/latitude degrees)",
                                      p));
    }
    CsvReader csv(path, "points file", log);
    const SrsPtr srs = user_crs(options.crs, p);
    const ToWgs84 to_wgs84(srs_handle(srs));
    if (!to_wgs84.error().empty()) {
        throw ConfigError(fmt::format("CRS '{}' given for points file '{}': {}", options.crs, p, to_wgs84.error()));
    }
    const CsvText text(csv);

    const std::initializer_list<std::string_view> x_names = {"lon", "longitude", "x", "X", "LAMBERT_X"};
    const std::initializer_list<std::string_view> y_names = {"lat", "latitude", "y", "Y", "LAMBERT_Y"};
    const int x_col = point_column(csv, options.x_field, x_names);
    const int y_col = point_column(csv, options.y_field, y_names);
    if (x_col < 0 || y_col < 0) {
        throw InputError(fmt::format("points file '{}' has no {} column (tried {}); it has: {}. Name the column in "
                                     "the study file",
                                     p, x_col < 0 ? "x" : "y", names_list(x_col < 0 ? x_names : y_names),
                                     column_list(csv)));
    }
    const int id_col = point_column(csv, options.id_field, {"id", "ID", "identifiant"});
    const int name_col = point_column(csv, options.name_field, {"name", "nom", "NOM", "libelle"});
    const int type_col = options.type_field.empty() ? -1 : csv.require_column({options.type_field});
    const int supply_col = options.supply_field.empty() ? -1 : csv.column(options.supply_field);
    if (!options.supply_field.empty() && supply_col < 0) {
        throw InputError(missing_supply_column(p, options.supply_field, column_list(csv)));
    }
    const std::string& x_name = csv.columns()[static_cast<std::size_t>(x_col)];
    const std::string& y_name = csv.columns()[static_cast<std::size_t>(y_col)];

    PointIds ids(path.stem().string());
    FacilityReadResult out;
    while (csv.next()) {
        ++out.rows_read;
        const std::string where = csv.where();
        Facility f;
        f.id = ids.make(text(id_col), id_col >= 0, csv.line(), where);
        f.name = text(name_col);
        f.type = text(type_col);
        f.source = where;
        f.provider = "file";
        const std::string xs = text(x_col);
        const std::string ys = text(y_col);
        if (xs.empty() || ys.empty()) {
            out.unplaced.push_back({where, "no coordinates", f.type, ""});
            continue;
        }
        const auto x = parse_coordinate(xs);
        const auto y = parse_coordinate(ys);
        if (!x || !y) {
            throw InputError(fmt::format("{}: {} '{}' is not a number (expected coordinates in {})",
                                         where, x ? y_name : x_name, x ? ys : xs, options.crs));
        }
        const auto position = to_wgs84(*x, *y);
        if (!position) {
            throw InputError(fmt::format("{}: {} {}, {} {} fall outside the area of use of {}, the CRS given for this "
                                         "file; is the CRS right, or are x and y swapped?",
                                         where, x_name, xs, y_name, ys, to_wgs84.describe()));
        }
        f.position = *position;
        if (supply_col >= 0) {
            f.supply = read_supply(text(supply_col), options.supply_field, where);
        }
        out.facilities.push_back(std::move(f));
    }
    return out;
}

int layer_field(OGRFeatureDefnH defn, const std::string& configured, std::initializer_list<const char*> defaults,
                const std::string& path) {
    if (!configured.empty()) {
        const int i = OGR_FD_GetFieldIndex(defn, configured.c_str());
        if (i < 0) {
            std::string fields;
            for (int k = 0; k < OGR_FD_GetFieldCount(defn); ++k) {
                fields += (k > 0 ? ", " : "") + std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)));
            }
            throw InputError(fmt::format("points file '{}' has no field '{}'; fields are: {}", path, configured,
                                         fields.empty() ? "none" : fields));
        }
        return i;
    }
    for (const char* name : defaults) {
        if (const int i = OGR_FD_GetFieldIndex(defn, name); i >= 0) {
            return i;
        }
    }
    return -1;
}

FacilityReadResult read_point_layer(const std::filesystem::path& path, const PointFileOptions& options) {
    const std::string p = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw InputError(fmt::format("points file '{}' does not exist", p));
    }
    require_input_file(path, "points file");
    GDALAllRegister();
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    std::unique_ptr<void, DatasetCloser> ds(
        GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    CPLPopErrorHandler();
    if (!ds) {
        const std::string reason = detail::gdal_detail();
        throw InputError(fmt::format("cannot read points file '{}' as a vector file (GeoPackage, GeoJSON, "
                                     "Shapefile...; a CSV needs the extension .csv): {}",
                                     p, reason.empty() ? "no GDAL driver recognises it" : reason));
    }
    OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
    if (layer == nullptr) {
        throw InputError(fmt::format("points file '{}' holds no layer", p));
    }
    OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer);
    if (layer_srs == nullptr) {
        throw InputError(fmt::format("points file '{}' (layer {}) has an undefined CRS: add one (e.g. the .prj of a "
                                     "Shapefile, or 'ogr2ogr -a_srs EPSG:2154 fixed.gpkg {}')",
                                     p, OGR_L_GetName(layer), p));
    }
    const ToWgs84 to_wgs84(layer_srs);
    if (!to_wgs84.error().empty()) {
        throw InputError(fmt::format("points file '{}': {}", p, to_wgs84.error()));
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    const int id_field = layer_field(defn, options.id_field, {"id", "ID", "identifiant"}, p);
    const int name_field = layer_field(defn, options.name_field, {"name", "nom", "NOM", "libelle"}, p);
    const int type_field = options.type_field.empty() ? -1 : layer_field(defn, options.type_field, {}, p);
    const int supply_field = options.supply_field.empty() ? -1 : OGR_FD_GetFieldIndex(defn, options.supply_field.c_str());
    if (!options.supply_field.empty() && supply_field < 0) {
        std::string fields;
        for (int k = 0; k < OGR_FD_GetFieldCount(defn); ++k) {
            fields += (k > 0 ? ", " : "") + std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)));
        }
        throw InputError(missing_supply_column(p, options.supply_field, fields.empty() ? "none" : fields));
    }
    auto field = [](OGRFeatureH f, int i) {
        return i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i) != 0 ? trimmed(OGR_F_GetFieldAsString(f, i)) : std::string();
    };

    PointIds ids(path.stem().string());
    FacilityReadResult out;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH raw = OGR_L_GetNextFeature(layer)) {
        std::unique_ptr<void, FeatureDestroyer> feature(raw);
        ++out.rows_read;
        // Drivers without feature ids give OGRNullFID: number features from 1 instead.
        const GIntBig raw_fid = OGR_F_GetFID(raw);
        const auto fid = raw_fid == OGRNullFID ? out.rows_read : static_cast<std::uint64_t>(raw_fid);
        const std::string where = fmt::format("{}:feature {}", p, fid);
        Facility f;
        f.id = ids.make(field(raw, id_field), id_field >= 0, fid, where);
        f.name = field(raw, name_field);
        f.type = field(raw, type_field);
        f.provider = "file";
        f.source = where;
        OGRGeometryH g = OGR_F_GetGeometryRef(raw);
        if (g == nullptr || OGR_G_IsEmpty(g) != 0) {
            out.unplaced.push_back({where, "no geometry", f.type, ""});
            continue;
        }
        const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
        if (type == wkbMultiPoint && OGR_G_GetGeometryCount(g) == 1) {
            g = OGR_G_GetGeometryRef(g, 0);
        } else if (type != wkbPoint) {
            throw InputError(fmt::format("{}: geometry is a {}, not a point; facilities are points (convert with e.g. "
                                         "'ogr2ogr -dialect sqlite -sql \"SELECT *, ST_PointOnSurface(geometry) FROM "
                                         "...\"')",
                                         where, OGR_G_GetGeometryName(g)));
        }
        const double x = OGR_G_GetX(g, 0);
        const double y = OGR_G_GetY(g, 0);
        const auto position = to_wgs84(x, y);
        if (!position) {
            throw InputError(fmt::format("{}: point ({}, {}) falls outside the area of use of {}, the file's CRS; is "
                                         "the CRS declared in the file right?",
                                         where, x, y, to_wgs84.describe()));
        }
        f.position = *position;
        if (supply_field >= 0) {
            f.supply = read_supply(field(raw, supply_field), options.supply_field, where);
        }
        out.facilities.push_back(std::move(f));
    }
    return out;
}

} // namespace

FacilityReadResult read_bpe_csv(const std::filesystem::path& path, const std::set<std::string>& types,
                                const std::set<std::string>& known_types, const Log& log) {
    CsvReader csv(path, "BPE file", log);
    const CsvText text(csv);
    const int typequ_col = require_bpe_column(csv, "TYPEQU");
    const int depcom_col = require_bpe_column(csv, "DEPCOM");
    const int x_col = require_bpe_column(csv, "LAMBERT_X");
    const int y_col = require_bpe_column(csv, "LAMBERT_Y");
    const int dep_col = column_ignoring_case(csv, "DEP");
    const int epsg_col = column_ignoring_case(csv, "EPSG");
    const int nomrs_col = column_ignoring_case(csv, "NOMRS");
    const int libcom_col = column_ignoring_case(csv, "LIBCOM");

    EpsgCache crs;
    FacilityReadResult out;
    while (csv.next()) {
        ++out.rows_read;
        const std::string where = csv.where();
        const std::string type = text(typequ_col);
        if (type.empty()) {
            throw InputError(fmt::format("{}: empty TYPEQU; every BPE row has an equipment type code", where));
        }
        if (!known_types.empty() && known_types.count(type) == 0) {
            throw InputError(fmt::format("{}: TYPEQU '{}' is not in the BPE nomenclature in use; codes change "
                                         "between BPE years: use the nomenclature of the file's year, or fix the code",
                                         where, type));
        }
        if (!types.empty() && types.count(type) == 0) {
            continue;
        }
        const std::string commune = text(depcom_col);
        if (commune.empty()) {
            throw InputError(fmt::format("{}: empty DEPCOM; every BPE row has the INSEE code of its commune", where));
        }
        const std::string xs = text(x_col);
        const std::string ys = text(y_col);
        if (xs.empty() || ys.empty()) {
            out.unplaced.push_back({where, "no coordinates", type, commune});
            continue;
        }
        const CrsChoice choice = bpe_crs(text(epsg_col), text(dep_col), commune, where);
        const auto x = parse_coordinate(xs);
        const auto y = parse_coordinate(ys);
        if (!x || !y) {
            throw InputError(fmt::format("{}: {} '{}' is not a number (expected metres in EPSG:{}, {})",
                                         where, x ? "LAMBERT_Y" : "LAMBERT_X", x ? ys : xs, choice.epsg, choice.why));
        }
        const ToWgs84& to_wgs84 = crs.get(choice.epsg, where);
        const auto position = to_wgs84(*x, *y);
        if (!position) {
            throw InputError(fmt::format("{}: LAMBERT_X {}, LAMBERT_Y {} fall outside the area of use of {}, {}; are "
                                         "they in another CRS, or are LAMBERT_X and LAMBERT_Y swapped?",
                                         where, xs, ys, to_wgs84.describe(), choice.why));
        }
        Facility f;
        f.id = fmt::format("bpe:{}", csv.line());
        f.type = type;
        f.commune_code = commune;
        f.position = *position;
        f.source = where;
        f.provider = "bpe";
        f.name = text(nomrs_col);
        if (f.name.empty()) {
            const std::string libcom = text(libcom_col);
            f.name = fmt::format("{} {}{}{}", type, commune, libcom.empty() ? "" : " ", libcom);
        }
        out.facilities.push_back(std::move(f));
    }
    if (out.rows_read == 0) {
        throw InputError(fmt::format("BPE file '{}' has a header but no row", path.string()));
    }
    return out;
}

FacilityReadResult read_point_file(const std::filesystem::path& path, const PointFileOptions& options,
                                   const Log& log) {
    const std::string ext = lowercase(path.extension().string());
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
        return read_point_csv(path, options, log);
    }
    return read_point_layer(path, options);
}

} // namespace proxima
