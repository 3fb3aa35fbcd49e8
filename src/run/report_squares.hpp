#pragma once
// Internal: report.html's squares of origins made by `proxima run` from its memory. Beyond the
// page's cap, the page groups the origins layer into squares (report/report_origins.hpp); read
// back from access.gpkg, that is two passes over the whole layer (12 GB, ~100 s on one core at
// 20 M nodes). The run has the same values in memory: it groups them while the GeoPackage is
// still being written, and the page takes the squares instead of reading the layer.

#include <cstddef>
#include <optional>

#include "proxima/analysis/access_times.hpp"
#include "proxima/study/study_inputs.hpp"
#include "report/report_origins.hpp"

namespace proxima {

/// The squares report.html makes of the origins layer `proxima run` writes (origins_layer, in
/// the study's output CRS), from `in` and `access` instead of the file: the same positions
/// (layer_writer's WrittenGeometry), populations and minutes as written (run_layers.hpp), in
/// the layer's order, hence the same page. nullopt when report.html shows every origin one by
/// one, or none (max_origins 0): nothing to group.
[[nodiscard]] std::optional<detail::OriginSquares> report_origin_squares(const StudyInputs& in,
                                                                        const AccessTable& access,
                                                                        std::size_t max_origins);

} // namespace proxima
