#pragma once
// OGR handles owned by the tests that read outputs back with OGR, independently of the code under
// test.

#include <memory>
#include <string>
#include <type_traits>

#include <catch2/catch.hpp>
#include <ogr_api.h>
#include <ogr_srs_api.h>

namespace proxima::test {

struct GeometryDeleter {
    void operator()(OGRGeometryH g) const { OGR_G_DestroyGeometry(g); }
};
struct SrsDeleter {
    void operator()(OGRSpatialReferenceH s) const { OSRDestroySpatialReference(s); }
};
struct TransformDeleter {
    void operator()(OGRCoordinateTransformationH t) const { OCTDestroyCoordinateTransformation(t); }
};
using Geometry = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeometryDeleter>;
using Srs = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter>;
using Transform = std::unique_ptr<std::remove_pointer_t<OGRCoordinateTransformationH>, TransformDeleter>;

/// A CRS from user input ("EPSG:2154"), axes in lon, lat / x, y order.
inline Srs srs_of(const std::string& crs) {
    Srs s(OSRNewSpatialReference(nullptr));
    REQUIRE(OSRSetFromUserInput(s.get(), crs.c_str()) == OGRERR_NONE);
    OSRSetAxisMappingStrategy(s.get(), OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

} // namespace proxima::test
