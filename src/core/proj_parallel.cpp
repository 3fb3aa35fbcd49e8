#include "core/proj_parallel.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include <omp.h>

namespace proxima::detail {

namespace {

/// Below this many points one call is quicker than making a clone per thread.
constexpr std::size_t parallel_from = std::size_t{1} << 16;

struct ThreadProj {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    ThreadProj() = default;
    ThreadProj(const ThreadProj&) = delete;
    ThreadProj& operator=(const ThreadProj&) = delete;
    ~ThreadProj() {
        if (pj != nullptr) {
            proj_destroy(pj);
        }
        if (ctx != nullptr) {
            proj_context_destroy(ctx);
        }
    }
};

void convert(PJ* pj, PJ_DIRECTION direction, double* x, std::size_t x_stride, double* y, std::size_t y_stride,
             std::size_t first, std::size_t count) {
    if (count == 0) {
        return;
    }
    auto* xs = reinterpret_cast<double*>(reinterpret_cast<char*>(x) + first * x_stride);
    auto* ys = reinterpret_cast<double*>(reinterpret_cast<char*>(y) + first * y_stride);
    proj_trans_generic(pj, direction, xs, x_stride, count, ys, y_stride, count, nullptr, 0, 0, nullptr, 0, 0);
}

} // namespace

void proj_trans_parallel(PJ* pj, PJ_DIRECTION direction, double* x, std::size_t x_stride, double* y,
                         std::size_t y_stride, std::size_t n) {
    // Inside a parallel region (a caller already on every core) one call does it: a nested
    // region would run on one thread anyway.
    const int threads = omp_in_parallel() != 0 ? 1 : omp_get_max_threads();
    if (n < parallel_from || threads <= 1) {
        convert(pj, direction, x, x_stride, y, y_stride, 0, n);
        return;
    }
    // Clones made here, before the threads start: if PROJ cannot clone, one call does it all.
    std::vector<std::unique_ptr<ThreadProj>> clones;
    for (int t = 0; t < threads; ++t) {
        auto c = std::make_unique<ThreadProj>();
        c->ctx = proj_context_create();
        if (c->ctx != nullptr) {
            proj_log_level(c->ctx, PJ_LOG_NONE);
            c->pj = proj_clone(c->ctx, pj);
        }
        if (c->pj == nullptr) {
            convert(pj, direction, x, x_stride, y, y_stride, 0, n);
            return;
        }
        clones.push_back(std::move(c));
    }
    constexpr std::size_t chunk = std::size_t{1} << 14;
    const auto chunks = static_cast<std::ptrdiff_t>((n + chunk - 1) / chunk);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::ptrdiff_t k = 0; k < chunks; ++k) {
        const std::size_t first = static_cast<std::size_t>(k) * chunk;
        convert(clones[static_cast<std::size_t>(omp_get_thread_num())]->pj, direction, x, x_stride, y, y_stride, first,
                std::min(chunk, n - first));
    }
}

} // namespace proxima::detail
