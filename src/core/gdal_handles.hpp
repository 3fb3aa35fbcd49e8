#pragma once
// Internal: owning handles for GDAL/OGR C objects, so that every exit path frees them, and the
// quiet error handling every GDAL user here shares.

#include <cmath>
#include <memory>
#include <string>
#include <utility>

#include <cpl_error.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include "proxima/core/error.hpp"

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
struct GeometryDestroyer {
    void operator()(void* g) const { OGR_G_DestroyGeometry(static_cast<OGRGeometryH>(g)); }
};
struct FieldDefnDestroyer {
    void operator()(void* f) const { OGR_Fld_Destroy(static_cast<OGRFieldDefnH>(f)); }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;
using FeaturePtr = std::unique_ptr<void, FeatureDestroyer>;
using SrsPtr = std::unique_ptr<void, SrsDestroyer>;
using TransformPtr = std::unique_ptr<void, TransformDestroyer>;
using GeometryPtr = std::unique_ptr<void, GeometryDestroyer>;
using FieldDefnPtr = std::unique_ptr<void, FieldDefnDestroyer>;

// The same for GDAL's C++ classes.
struct OgrGeometryDeleter {
    void operator()(OGRGeometry* g) const { OGRGeometryFactory::destroyGeometry(g); }
};
struct OgrTransformDeleter {
    void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
};
using OgrGeometryPtr = std::unique_ptr<OGRGeometry, OgrGeometryDeleter>;
using OgrTransformPtr = std::unique_ptr<OGRCoordinateTransformation, OgrTransformDeleter>;


/// GDAL reports through CPLGetLastErrorMsg() while this lives; nothing is printed (the library
/// never prints). Error handlers are per thread, so this does not affect other threads.
class QuietGdalErrors {
public:
    QuietGdalErrors() { CPLPushErrorHandler(CPLQuietErrorHandler); }
    ~QuietGdalErrors() { CPLPopErrorHandler(); }
    QuietGdalErrors(const QuietGdalErrors&) = delete;
    QuietGdalErrors& operator=(const QuietGdalErrors&) = delete;
};

/// Where a feature stands: the centre of its geometry's envelope (a point's own coordinates);
/// NaN, NaN for a NULL or empty geometry. One rule for report.html, whether it reads the origins
/// back from access.gpkg or the run gives them from its memory (layer_writer.hpp).
inline std::pair<double, double> envelope_centre(OGRGeometryH g) {
    if (g == nullptr || OGR_G_IsEmpty(g)) {
        return {NAN, NAN};
    }
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    return {(e.MinX + e.MaxX) / 2, (e.MinY + e.MaxY) / 2};
}

/// The message of the last GDAL error (call CPLErrorReset() before the operation checked).
inline std::string gdal_detail() {
    const char* msg = CPLGetLastErrorMsg();
    return msg != nullptr && *msg != '\0' ? library_message(msg) : std::string("GDAL gave no detail");
}

/// Whether the last GDAL operation failed (after CPLErrorReset()).
inline bool gdal_failed() {
    const CPLErr type = CPLGetLastErrorType();
    return type == CE_Failure || type == CE_Fatal;
}

} // namespace proxima::detail
