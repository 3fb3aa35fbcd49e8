#pragma once
// Internal: owning handles for GDAL/OGR C objects, so that every exit path frees them.

#include <memory>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

namespace proxima::detail {

struct DatasetCloser {
    void operator()(void* ds) const { GDALClose(ds); }
};
struct FeatureDestroyer {
    void operator()(void* f) const { OGR_F_Destroy(static_cast<OGRFeatureH>(f)); }
};
struct SrsDestroyer {
    void operator()(void* s) const { OSRDestroySpatialReference(static_cast<OGRSpatialReferenceH>(s)); }
};
struct TransformDestroyer {
    void operator()(void* t) const { OCTDestroyCoordinateTransformation(static_cast<OGRCoordinateTransformationH>(t)); }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;
using FeaturePtr = std::unique_ptr<void, FeatureDestroyer>;
using SrsPtr = std::unique_ptr<void, SrsDestroyer>;
using TransformPtr = std::unique_ptr<void, TransformDestroyer>;

} // namespace proxima::detail
