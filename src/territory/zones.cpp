#include "proxima/territory/zones.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>

#include <cpl_error.h>
#include <geodesic.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "proxima/core/csv_reader.hpp"
#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/text_encoding.hpp"
#include "proxima/territory/population_value.hpp"

namespace proxima {

namespace {

using detail::DatasetCloser;
using detail::FeatureDestroyer;
using detail::SrsDestroyer;
using detail::TransformDestroyer;

std::string field_list(OGRFeatureDefnH defn) {
    std::string out;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        out += (i > 0 ? ", " : "") + std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    return out.empty() ? "none" : out;
}

int find_field(OGRFeatureDefnH defn, const std::string& configured, std::initializer_list<const char*> defaults,
               const std::string& path, const char* role, bool required) {
    if (!configured.empty()) {
        const int i = OGR_FD_GetFieldIndex(defn, configured.c_str());
        if (i < 0) {
            throw InputError(fmt::format("zones '{}': no field '{}' for the {}; fields are: {}", path, configured, role,
                                         field_list(defn)));
        }
        return i;
    }
    for (const char* name : defaults) {
        if (const int i = OGR_FD_GetFieldIndex(defn, name); i >= 0) {
            return i;
        }
    }
    if (required) {
        std::string tried;
        for (const char* name : defaults) {
            tried += (tried.empty() ? "" : ", ") + std::string(name);
        }
        throw InputError(fmt::format("zones '{}': no {} field found (tried {}); fields are: {}. Name the field in "
                                     "the study file",
                                     path, role, tried, field_list(defn)));
    }
    return -1;
}

/// Area of a WGS84 (lon/lat) polygon or multipolygon on the ellipsoid, m² (PROJ's geodesics).
double geodesic_area_m2(OGRGeometryH g) {
    geod_geodesic wgs84{};
    geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
    auto ring_area = [&](OGRGeometryH ring) {
        const int n = OGR_G_GetPointCount(ring);
        std::vector<double> lats(static_cast<std::size_t>(n));
        std::vector<double> lons(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            lons[static_cast<std::size_t>(i)] = OGR_G_GetX(ring, i);
            lats[static_cast<std::size_t>(i)] = OGR_G_GetY(ring, i);
        }
        double area = 0;
        double perimeter = 0;
        geod_polygonarea(&wgs84, lats.data(), lons.data(), n, &area, &perimeter);
        return std::abs(area);
    };
    auto polygon_area = [&](OGRGeometryH polygon) {
        double area = 0;
        for (int r = 0; r < OGR_G_GetGeometryCount(polygon); ++r) {
            const double a = ring_area(OGR_G_GetGeometryRef(polygon, r));
            area += r == 0 ? a : -a;  // outer ring minus holes
        }
        return area;
    };
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon) {
        return polygon_area(g);
    }
    double total = 0;
    for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
        total += polygon_area(OGR_G_GetGeometryRef(g, i));
    }
    return total;
}

std::string srs_name(OGRSpatialReferenceH srs) {
    const char* auth = OSRGetAuthorityName(srs, nullptr);
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    if (auth != nullptr && code != nullptr) {
        return fmt::format("{}:{}", auth, code);
    }
    const char* name = OSRGetName(srs);
    return name != nullptr ? name : "unnamed CRS";
}

/// The file opened read-only as a vector dataset; GDAL's own complaint is kept for the message.
std::unique_ptr<void, DatasetCloser> open_zones_dataset(const std::filesystem::path& path) {
    const std::string p = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw InputError(fmt::format("zones file '{}' does not exist", p));
    }
    require_input_file(path, "zones file");
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    std::unique_ptr<void, DatasetCloser> ds(
        GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    CPLPopErrorHandler();
    if (!ds) {
        throw InputError(fmt::format("cannot read zones '{}' as a vector file (GeoJSON, GeoPackage, Shapefile...): {}",
                                     p, detail::gdal_detail()));
    }
    return ds;
}

/// The layer of communes in an ADMIN EXPRESS GeoPackage, which holds a dozen layers in an order
/// that does not start with it (ARRONDISSEMENT, ..., CHFLIEU_COMMUNE, COMMUNE, ...); null if none.
OGRLayerH admin_express_commune_layer(GDALDatasetH ds) {
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, i);
        if (EQUAL(OGR_L_GetName(layer), "COMMUNE")) {
            return layer;
        }
    }
    return nullptr;
}

/// The configured layer, else the COMMUNE layer of an ADMIN EXPRESS GeoPackage, else the first:
/// refused when missing (naming the layers) or empty.
OGRLayerH pick_layer(GDALDatasetH ds, const std::string& layer_name, const std::string& p) {
    OGRLayerH layer = nullptr;
    if (layer_name.empty()) {
        layer = admin_express_commune_layer(ds);
        if (layer == nullptr) {
            layer = GDALDatasetGetLayer(ds, 0);
        }
    } else {
        layer = GDALDatasetGetLayerByName(ds, layer_name.c_str());
        if (layer == nullptr) {
            std::string names;
            for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
                names += (i > 0 ? ", " : "") + std::string(OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
            }
            throw InputError(fmt::format("zones '{}' has no layer '{}'; layers are: {}", p, layer_name, names));
        }
    }
    if (layer == nullptr) {
        throw InputError(fmt::format("zones '{}' holds no layer", p));
    }
    if (OGR_L_GetFeatureCount(layer, 1) == 0) {
        throw InputError(fmt::format("zones '{}' holds no feature: the study needs at least one zone", p));
    }
    return layer;
}

/// Indexes of the attribute fields a zone is read from; -1 for an optional field that is absent.
struct ZoneFields {
    int code = -1;
    int name = -1;
    int population = -1;
    int epci = -1;
    int admin_id = -1;  ///< ADMIN EXPRESS ID, which CHFLIEU_COMMUNE's ID_COM names
};

/// The fields named in the study file, else the usual IGN/INSEE names; only the code is required.
ZoneFields find_zone_fields(OGRFeatureDefnH defn, const ZoneLayerOptions& options, const std::string& p) {
    ZoneFields fields;
    fields.code = find_field(defn, options.code_field, {"INSEE_COM", "code_insee", "code", "CODGEO", "insee"}, p,
                             "commune code", true);
    fields.name = find_field(defn, options.name_field, {"NOM", "nom", "NOM_COM", "LIBGEO", "name"}, p, "name", false);
    fields.population = find_field(defn, "", {"POPULATION", "population", "PMUN"}, p, "population", false);
    fields.epci = find_field(defn, "", {"SIREN_EPCI", "epci_siren"}, p, "EPCI", false);
    fields.admin_id = find_field(defn, "", {"ID"}, p, "ADMIN EXPRESS id", false);
    return fields;
}

/// The transformation to WGS84 lon/lat with the two CRS it was made from, held as long as it is
/// (members are destroyed in reverse order: the transformation first).
struct Wgs84Transform {
    std::unique_ptr<void, SrsDestroyer> wgs84;
    std::unique_ptr<void, SrsDestroyer> source;
    std::unique_ptr<void, TransformDestroyer> to_wgs84;
};

/// From the layer's CRS, both in GIS axis order (lon, lat); refused with GDAL's reason if impossible.
Wgs84Transform transform_to_wgs84(OGRSpatialReferenceH source_srs, const std::string& p, const std::string& crs) {
    Wgs84Transform t;
    t.wgs84.reset(OSRNewSpatialReference(nullptr));
    OSRImportFromEPSG(static_cast<OGRSpatialReferenceH>(t.wgs84.get()), 4326);
    OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(t.wgs84.get()), OAMS_TRADITIONAL_GIS_ORDER);
    t.source.reset(OSRClone(source_srs));
    OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(t.source.get()), OAMS_TRADITIONAL_GIS_ORDER);
    t.to_wgs84.reset(OCTNewCoordinateTransformation(static_cast<OGRSpatialReferenceH>(t.source.get()),
                                                    static_cast<OGRSpatialReferenceH>(t.wgs84.get())));
    if (!t.to_wgs84) {
        throw InputError(
            fmt::format("zones '{}': cannot convert its CRS ({}) to WGS84: {}", p, crs, detail::gdal_detail()));
    }
    return t;
}

/// Where the source CRS is meant to be used (degrees), to catch coordinates given in another CRS.
struct AreaOfUse {
    double west = -180, south = -90, east = 180, north = 90;
    const char* name = nullptr;  ///< owned by the CRS; null when it has none
};

/// The CRS's declared area of use, or the whole world when it declares none.
AreaOfUse area_of_use(OGRSpatialReferenceH srs) {
    AreaOfUse use;
    if (!OSRGetAreaOfUse(srs, &use.west, &use.south, &use.east, &use.north, &use.name)) {
        use.west = -180, use.south = -90, use.east = 180, use.north = 90;
    }
    return use;
}

/// What every feature's geometry is checked against and converted with, and named by in messages.
struct ZoneConversion {
    OGRCoordinateTransformationH to_wgs84 = nullptr;
    std::string crs;
    AreaOfUse use;
};

/// Code, name, EPCI and population of one feature, into `z` (whose code is already read): a code
/// is present and unique, and every text is UTF-8.
void read_zone_attributes(OGRFeatureH raw, const ZoneFields& fields, const std::string& where, const std::string& p,
                          std::set<std::string>& seen, Zone& z) {
    if (z.code.empty()) {
        throw InputError(fmt::format("{}: empty code; every zone needs one", where));
    }
    if (!seen.insert(z.code).second) {
        throw InputError(fmt::format("{}: code {} appears twice; merge the two features or fix the code", where,
                                     z.code));
    }
    if (fields.name >= 0) {
        z.name = OGR_F_GetFieldAsString(raw, fields.name);
    }
    if (fields.epci >= 0) {
        z.epci_siren = OGR_F_GetFieldAsString(raw, fields.epci);
    }
    if (fields.admin_id >= 0) {
        z.admin_id = OGR_F_GetFieldAsString(raw, fields.admin_id);
    }
    // GDAL recodes shapefiles from their .cpg and GeoJSON/GeoPackage are UTF-8 by definition:
    // a non-UTF-8 string here is a mislabelled file, refused before it reaches the outputs.
    for (const std::string* text : {&z.code, &z.name, &z.epci_siren}) {
        if (first_invalid_utf8(*text)) {
            throw InputError(fmt::format("{}: '{}' is not UTF-8 text. For a shapefile, add a .cpg file next to "
                                         "the .shp holding its encoding (e.g. CP1252); otherwise convert it: "
                                         "ogr2ogr -lco ENCODING=UTF-8 converted.shp '{}'",
                                         where, cp1252_to_utf8(*text), p));
        }
    }
    if (fields.population >= 0 && OGR_F_IsFieldSetAndNotNull(raw, fields.population)) {
        const std::string text = OGR_F_GetFieldAsString(raw, fields.population);
        z.population =
            static_cast<std::int64_t>(read_population(text, where, "zone " + z.code, PopulationFigure::whole));
    }
}

/// The feature's geometry (owned by the feature), refused unless a valid, non-empty (multi)polygon.
OGRGeometryH checked_polygon(OGRFeatureH raw, const std::string& where, const std::string& p) {
    OGRGeometryH geometry = OGR_F_GetGeometryRef(raw);
    if (geometry == nullptr || OGR_G_IsEmpty(geometry)) {
        throw InputError(fmt::format("{}: no geometry, or an empty one; every zone needs its polygon", where));
    }
    const auto type = wkbFlatten(OGR_G_GetGeometryType(geometry));
    if (type != wkbPolygon && type != wkbMultiPolygon) {
        throw InputError(fmt::format("{}: geometry is a {}, not a polygon", where, OGR_G_GetGeometryName(geometry)));
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);  // GEOS explains invalidity on stderr: we say it ourselves
    const bool valid = OGR_G_IsValid(geometry) != 0;
    CPLPopErrorHandler();
    if (!valid) {
        throw InputError(fmt::format("{}: invalid polygon (self-intersection or bad ring); repair the file, e.g. "
                                     "'ogr2ogr -makevalid fixed.gpkg {}'",
                                     where, p));
    }
    return geometry;
}

/// A WGS84 copy of `geometry`, for the caller to destroy; refused when the conversion fails or lands
/// outside the CRS's area of use (coordinates that belong to another CRS).
OGRGeometryH wgs84_copy(OGRGeometryH geometry, const std::string& where, const ZoneConversion& conversion) {
    const double margin = 1.0;  // degrees: zones of a buffer may reach a little beyond
    const AreaOfUse& use = conversion.use;
    OGRGeometryH g = OGR_G_Clone(geometry);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const OGRErr transformed = OGR_G_Transform(g, conversion.to_wgs84);
    CPLPopErrorHandler();
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    const bool inside_use = env.MinX >= use.west - margin && env.MaxX <= use.east + margin &&
                            env.MinY >= use.south - margin && env.MaxY <= use.north + margin;
    if (transformed != OGRERR_NONE || !inside_use) {
        OGR_G_DestroyGeometry(g);
        throw InputError(fmt::format("{}: coordinates fall outside the area of use of the file's CRS ({}{}{}): "
                                     "are they in another CRS (e.g. lon/lat degrees declared as Lambert-93)?",
                                     where, conversion.crs, use.name != nullptr ? ", " : "",
                                     use.name != nullptr ? use.name : ""));
    }
    return g;
}

/// Point on surface, geodesic area and WKB of one feature's polygon, into `z`, all in WGS84.
void read_zone_geometry(OGRFeatureH raw, const std::string& where, const std::string& p,
                        const ZoneConversion& conversion, Zone& z) {
    OGRGeometryH g = wgs84_copy(checked_polygon(raw, where, p), where, conversion);
    OGRGeometryH inside = OGR_G_PointOnSurface(g);
    if (inside != nullptr) {
        z.point_on_surface = {OGR_G_GetX(inside, 0), OGR_G_GetY(inside, 0)};
        OGR_G_DestroyGeometry(inside);
    }
    z.area_km2 = geodesic_area_m2(g) / 1e6;
    z.wkb.resize(static_cast<std::size_t>(OGR_G_WkbSize(g)));
    OGR_G_ExportToWkb(g, wkbNDR, z.wkb.data());
    OGR_G_DestroyGeometry(g);
}

/// One feature as a zone; messages name the feature by its id and, once known, its code.
Zone read_zone(OGRFeatureH raw, const ZoneFields& fields, const std::string& p, const ZoneConversion& conversion,
               std::set<std::string>& seen) {
    Zone z;
    z.feature_id = OGR_F_GetFID(raw);
    z.code = OGR_F_GetFieldAsString(raw, fields.code);
    const std::string where = fmt::format("zones '{}', feature {}{}", p, z.feature_id,
                                          z.code.empty() ? std::string() : " (code " + z.code + ")");
    read_zone_attributes(raw, fields, where, p, seen, z);
    read_zone_geometry(raw, where, p, conversion, z);
    return z;
}

} // namespace

ZoneLayer read_zones(const std::filesystem::path& path, const ZoneLayerOptions& options) {
    const std::string p = path.string();
    const std::unique_ptr<void, DatasetCloser> ds = open_zones_dataset(path);
    OGRLayerH layer = pick_layer(ds.get(), options.layer, p);
    const ZoneFields fields = find_zone_fields(OGR_L_GetLayerDefn(layer), options, p);

    OGRSpatialReferenceH source_srs = OGR_L_GetSpatialRef(layer);
    if (source_srs == nullptr) {
        throw InputError(fmt::format("zones '{}' has no coordinate reference system: add one (e.g. the .prj of a "
                                     "Shapefile, or 'ogr2ogr -a_srs EPSG:2154')",
                                     p));
    }
    ZoneLayer out;
    out.source = p;
    out.crs = srs_name(source_srs);
    const Wgs84Transform transform = transform_to_wgs84(source_srs, p, out.crs);
    const ZoneConversion conversion{static_cast<OGRCoordinateTransformationH>(transform.to_wgs84.get()), out.crs,
                                    area_of_use(source_srs)};

    std::set<std::string> seen;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH raw = OGR_L_GetNextFeature(layer)) {
        std::unique_ptr<void, FeatureDestroyer> feature(raw);
        out.zones.push_back(read_zone(raw, fields, p, conversion, seen));
    }
    if (out.zones.empty()) {
        throw InputError(fmt::format("zones '{}' holds no feature", p));
    }
    return out;
}

Zone make_zone(std::string code, std::string name, std::vector<unsigned char> wkb, const std::string& where) {
    OGRGeometryH g = nullptr;
    if (OGR_G_CreateFromWkb(wkb.data(), nullptr, &g, static_cast<int>(wkb.size())) != OGRERR_NONE || g == nullptr) {
        throw InputError(fmt::format("{}: geometry cannot be read", where));
    }
    std::unique_ptr<void, void (*)(void*)> guard(g, [](void* p) { OGR_G_DestroyGeometry(static_cast<OGRGeometryH>(p)); });
    const auto type = wkbFlatten(OGR_G_GetGeometryType(g));
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const bool valid = OGR_G_IsValid(g) != 0;
    CPLPopErrorHandler();
    if ((type != wkbPolygon && type != wkbMultiPolygon) || OGR_G_IsEmpty(g) || !valid) {
        throw InputError(fmt::format("{}: not a valid polygon", where));
    }
    Zone z;
    z.code = std::move(code);
    z.name = std::move(name);
    if (OGRGeometryH inside = OGR_G_PointOnSurface(g)) {
        z.point_on_surface = {OGR_G_GetX(inside, 0), OGR_G_GetY(inside, 0)};
        OGR_G_DestroyGeometry(inside);
    }
    z.area_km2 = geodesic_area_m2(g) / 1e6;
    z.wkb = std::move(wkb);
    return z;
}

ZoneJoin join_zones(const ZoneLayer& zones, const CommuneTable& table) {
    ZoneJoin join;
    std::set<std::string> departements;
    std::set<std::string> codes;
    for (const auto& z : zones.zones) {
        codes.insert(z.code);
        const Commune* c = table.find(z.code);
        if (c == nullptr) {
            join.commune_of_zone.push_back(ZoneJoin::no_commune);
            join.unmatched_zones.push_back(z.code);
            continue;
        }
        join.commune_of_zone.push_back(static_cast<std::size_t>(c - table.communes().data()));
        ++join.matched;
        departements.insert(c->departement);
    }
    for (const auto& c : table.communes()) {
        if (departements.count(c.departement) != 0 && codes.count(c.code) == 0) {
            join.unmatched_communes.push_back(c.code);
            join.unmatched_communes_population += c.population.value_or(0);
        }
    }
    std::sort(join.unmatched_zones.begin(), join.unmatched_zones.end());
    return join;
}

} // namespace proxima
