#pragma once
// Internal: PROJ's proj_trans_generic over many points, on every core. A PJ object is not
// thread-safe, so each thread converts its share with its own clone (in its own context). A
// région's raster has tens of millions of pixel centres to carry to lon/lat and then to the
// snapper's plane: one core spent seconds on it while the other waited.

#include <cstddef>

#include <proj.h>

namespace proxima::detail {

/// As proj_trans_generic(pj, direction, x, x_stride, n, y, y_stride, n, no z, no t): the same
/// results (each point is converted on its own), in parallel when `n` is large enough to pay for
/// the clones. Strides are in bytes.
void proj_trans_parallel(PJ* pj, PJ_DIRECTION direction, double* x, std::size_t x_stride, double* y,
                         std::size_t y_stride, std::size_t n);

} // namespace proxima::detail
