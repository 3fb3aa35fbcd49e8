#include "proxima/territory/chef_lieux.hpp"

#include <map>

#include <fmt/format.h>

#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

namespace {

using detail::DatasetPtr;
using detail::FeaturePtr;

constexpr const char* chef_lieu_layer_name = "CHFLIEU_COMMUNE";

DatasetPtr open_vector(const std::filesystem::path& path) {
    GDALAllRegister();
    const detail::QuietGdalErrors quiet;
    return DatasetPtr(GDALOpenEx(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
}

OGRLayerH named_layer(GDALDatasetH ds, const std::string& name) {
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, i);
        if (EQUAL(OGR_L_GetName(layer), name.c_str())) {
            return layer;
        }
    }
    return nullptr;
}

std::string layer_names(GDALDatasetH ds) {
    std::string names;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        names += (i > 0 ? ", " : "") + std::string(OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    }
    return names;
}

std::string field_names(OGRFeatureDefnH defn) {
    std::string names;
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        names += (i > 0 ? ", " : "") + std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    return names.empty() ? "none" : names;
}

/// The transformation from the layer's CRS to WGS84 lon/lat (GIS axis order).
struct ToWgs84 {
    detail::SrsPtr wgs84;
    detail::SrsPtr source;
    detail::TransformPtr transform;
};

ToWgs84 to_wgs84(OGRLayerH layer, const std::string& where) {
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (srs == nullptr) {
        throw InputError(fmt::format("{}: the layer has no CRS (a shapefile without its .prj?): add it", where));
    }
    ToWgs84 t;
    t.wgs84.reset(OSRNewSpatialReference(nullptr));
    OSRImportFromEPSG(static_cast<OGRSpatialReferenceH>(t.wgs84.get()), 4326);
    OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(t.wgs84.get()), OAMS_TRADITIONAL_GIS_ORDER);
    t.source.reset(OSRClone(srs));
    OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(t.source.get()), OAMS_TRADITIONAL_GIS_ORDER);
    t.transform.reset(OCTNewCoordinateTransformation(static_cast<OGRSpatialReferenceH>(t.source.get()),
                                                     static_cast<OGRSpatialReferenceH>(t.wgs84.get())));
    if (!t.transform) {
        throw InputError(fmt::format("{}: cannot convert its CRS to WGS84: {}", where, detail::gdal_detail()));
    }
    return t;
}

/// The point of one feature in WGS84; refused unless a (single) point that converts.
LonLat feature_point(OGRFeatureH feature, OGRCoordinateTransformationH transform, const std::string& where) {
    OGRGeometryH g = OGR_F_GetGeometryRef(feature);
    if (g != nullptr && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPoint && OGR_G_GetGeometryCount(g) == 1) {
        g = OGR_G_GetGeometryRef(g, 0);
    }
    if (g == nullptr || OGR_G_IsEmpty(g) || wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint) {
        throw InputError(fmt::format("{}: not a point; a chef-lieu layer holds one point per commune", where));
    }
    double x = OGR_G_GetX(g, 0);
    double y = OGR_G_GetY(g, 0);
    if (OCTTransform(transform, 1, &x, &y, nullptr) == 0 || x < -180 || x > 180 || y < -90 || y > 90) {
        throw InputError(fmt::format("{}: its coordinates do not convert to WGS84 from the layer's CRS", where));
    }
    return {x, y};
}

} // namespace

std::string find_chef_lieu_layer(const std::filesystem::path& path) {
    const DatasetPtr ds = open_vector(path);
    if (!ds) {
        return {};
    }
    OGRLayerH layer = named_layer(ds.get(), chef_lieu_layer_name);
    return layer == nullptr ? std::string() : std::string(OGR_L_GetName(layer));
}

ChefLieuLayer read_chef_lieux(const std::filesystem::path& path, const std::string& layer_name) {
    const std::string p = path.string();
    const DatasetPtr ds = open_vector(path);
    if (!ds) {
        throw InputError(fmt::format("cannot read chef-lieu points '{}' as a vector file (shapefile, GeoPackage): {}",
                                     p, detail::gdal_detail()));
    }
    OGRLayerH layer = named_layer(ds.get(), layer_name.empty() ? chef_lieu_layer_name : layer_name);
    if (layer == nullptr && layer_name.empty() && GDALDatasetGetLayerCount(ds.get()) > 0) {
        layer = GDALDatasetGetLayer(ds.get(), 0);
    }
    if (layer == nullptr) {
        throw InputError(fmt::format("chef-lieu points '{}' has no layer '{}'; layers are: {}", p,
                                     layer_name.empty() ? chef_lieu_layer_name : layer_name, layer_names(ds.get())));
    }
    ChefLieuLayer out;
    out.source = fmt::format("{} (layer {})", p, OGR_L_GetName(layer));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int link = OGR_FD_GetFieldIndex(defn, "INSEE_COM");
    out.link = "INSEE_COM";
    if (link < 0) {
        link = OGR_FD_GetFieldIndex(defn, "ID_COM");
        out.link = "ID_COM";
    }
    if (link < 0) {
        throw InputError(fmt::format("chef-lieu points {}: no INSEE_COM nor ID_COM field to name the commune of each "
                                     "point (fields: {}); give IGN ADMIN EXPRESS's CHFLIEU_COMMUNE layer",
                                     out.source, field_names(defn)));
    }
    const int name = OGR_FD_GetFieldIndex(defn, "NOM");
    const ToWgs84 transform = to_wgs84(layer, out.source);
    std::map<std::string, std::int64_t> seen;
    OGR_L_ResetReading(layer);
    while (FeaturePtr feature{OGR_L_GetNextFeature(layer)}) {
        auto* f = static_cast<OGRFeatureH>(feature.get());
        ChefLieu c;
        c.feature_id = OGR_F_GetFID(f);
        const std::string where = fmt::format("chef-lieu points {}, feature {}", out.source, c.feature_id);
        c.commune = OGR_F_GetFieldAsString(f, link);
        if (c.commune.empty()) {
            throw InputError(fmt::format("{}: empty {}: every chef-lieu names its commune", where, out.link));
        }
        if (const auto [it, fresh] = seen.emplace(c.commune, c.feature_id); !fresh) {
            throw InputError(fmt::format("{}: commune {} already has a chef-lieu (feature {}); keep one point per "
                                         "commune",
                                         where, c.commune, it->second));
        }
        c.name = name >= 0 ? OGR_F_GetFieldAsString(f, name) : "";
        c.position = feature_point(f, static_cast<OGRCoordinateTransformationH>(transform.transform.get()), where);
        out.points.push_back(std::move(c));
    }
    return out;
}

} // namespace proxima
