#pragma once
// Travel time from every origin to the nearest facility of every service (or from it, for
// services that drive out), including both off-network legs: one multi-source search per
// service from all its facilities at once, services in parallel (OpenMP). The same search
// also gives the times at other points (the pixels of the travel-time surface), so that every
// product of a run comes from one search per service.
//
// Method (plan_search): Dijkstra, one service per search, or PHAST over the graph's contraction
// hierarchy, up to 8 services per sweep (routing/site_search_batch.hpp); both give the same
// times and facilities. [network] search = "auto" picks PHAST whenever the graph has a hierarchy:
// measured (benchmarks/README.md, bench_phast), one PHAST lane already costs less than one
// Dijkstra search on every graph tried, and 8 lanes much less, so no count of services or points
// makes Dijkstra the better choice; the cost to weigh is the hierarchy's own build, paid once per
// graph file. Lanes: the services divided among the threads, at most 8 per sweep, so that every
// thread has a batch. Point times cost the same by both methods (the same seeds are read).

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "proxima/core/huge_pages.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/graph/ids.hpp"
#include "proxima/routing/search_method.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// How the services of a run are searched, and why.
struct SearchPlan {
    SearchChoice requested = SearchChoice::automatic;
    SearchMethod method = SearchMethod::dijkstra;
    unsigned lanes = 1;      ///< services per search
    std::string reason;      ///< in words, for run.json
};

/// The method for `services` searches on `graph` with `threads` threads (> 0) as `requested`.
/// PHAST sweeps as many services at once as give every thread a batch (at most
/// Phast::max_lanes), fewer where the sweeps (one per thread and per direction searched,
/// `directions` 1 or 2) would hold more than an eighth of `memory_bytes` (the memory this process
/// may use, by default): the times are the same, the memory not.
/// Throws ConfigError if PHAST is requested and the graph has no contraction hierarchy.
[[nodiscard]] SearchPlan plan_search(const RoadGraph& graph, SearchChoice requested, std::size_t services,
                                     int threads, unsigned directions = 1,
                                     std::size_t memory_bytes = physical_memory_bytes());

class AccessTable {
public:
    AccessTable() = default;
    AccessTable(std::size_t services, std::size_t origins) : m_origins(origins) {
        // Gigabytes at France's size: on huge pages, filled with 512 times fewer page faults.
        assign_on_huge_pages(m_ds, services * origins, unreachable_ds);
        assign_on_huge_pages(m_nearest, services * origins, std::uint32_t{invalid_index});
    }

    [[nodiscard]] std::size_t origin_count() const { return m_origins; }
    [[nodiscard]] std::size_t service_count() const { return m_origins == 0 ? 0 : m_ds.size() / m_origins; }
    /// Deciseconds, unreachable_ds if no facility can be reached.
    [[nodiscard]] Deciseconds time_ds(std::size_t service, std::size_t origin) const { return m_ds[service * m_origins + origin]; }
    /// The times of every origin to one service, in origin order.
    [[nodiscard]] std::span<const Deciseconds> times_ds(std::size_t service) const {
        return std::span<const Deciseconds>(m_ds).subspan(service * m_origins, m_origins);
    }
    /// Index of the nearest facility (into ServiceInputs::facilities), invalid_index if unreachable.
    [[nodiscard]] std::uint32_t nearest(std::size_t service, std::size_t origin) const {
        return m_nearest[service * m_origins + origin];
    }
    void set(std::size_t service, std::size_t origin, Deciseconds ds, std::uint32_t facility) {
        m_ds[service * m_origins + origin] = ds;
        m_nearest[service * m_origins + origin] = facility;
    }

    /// How the table was searched.
    [[nodiscard]] const SearchPlan& search() const { return m_search; }
    void set_search(SearchPlan plan) { m_search = std::move(plan); }

private:
    SearchPlan m_search;
    std::size_t m_origins = 0;
    std::vector<Deciseconds> m_ds;
    std::vector<std::uint32_t> m_nearest;
};

class AccessTable;

/// Times at other snapped points from the same searches: consume(service, times, table) is called
/// once per service with the time of every point (deciseconds, unreachable_ds if no facility can
/// be reached), exactly as an origin's time would be computed there; `table` is the access table
/// being filled, complete for that service. The services of one round of searches (one batch of
/// lanes per thread) are consumed side by side on the search's threads: consume must be safe to
/// call concurrently for different services (and not rely on their order). An exception it
/// throws stops the computation and is rethrown by compute_access (the first, by service order).
struct PointTimes {
    std::span<const Snap> points;
    std::function<void(std::size_t service, std::span<const Deciseconds> times, const AccessTable& table)> consume;
    double* consume_seconds = nullptr;  ///< if set, receives the wall time spent consuming
};

/// Computes the table for every service of `inputs` (ids and order as inputs.services), and, with
/// `extra`, the times at its points. The method follows inputs.study.network.search
/// (plan_search). `threads` 0 = all cores. Deterministic whatever the thread count and method.
/// Memory: the state labels of one batch of services per thread, and with `extra` the point
/// times of one batch per thread.
[[nodiscard]] AccessTable compute_access(const StudyInputs& inputs, int threads = 0, const PointTimes* extra = nullptr);

} // namespace proxima
