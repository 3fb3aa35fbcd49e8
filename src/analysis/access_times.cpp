#include "proxima/analysis/access_times.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <omp.h>

#include "proxima/core/error.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/routing/site_search_batch.hpp"

namespace proxima {

SearchPlan plan_search(const RoadGraph& graph, SearchChoice requested, std::size_t services, int threads,
                       unsigned directions, std::size_t memory_bytes) {
    SearchPlan plan;
    plan.requested = requested;
    const bool hierarchy = graph.hierarchy() != nullptr;
    if (requested == SearchChoice::phast && !hierarchy) {
        throw ConfigError("search = \"phast\" needs the graph's contraction hierarchy, which this graph file does not "
                          "have; rebuild it with 'proxima build-graph' (without --no-hierarchy), or choose search = "
                          "\"auto\"");
    }
    if (requested == SearchChoice::dijkstra) {
        plan.reason = "asked for";
    } else if (requested == SearchChoice::phast) {
        plan.method = SearchMethod::phast;
        plan.reason = "asked for";
    } else if (!hierarchy) {
        plan.reason = "the graph has no contraction hierarchy";
    } else {
        plan.method = SearchMethod::phast;
        plan.reason = "the graph has a contraction hierarchy";
    }
    if (plan.method == SearchMethod::phast) {
        // Lanes so that every thread has a batch, at most 8 per sweep.
        const auto t = static_cast<std::size_t>(std::max(1, threads));
        plan.lanes = static_cast<unsigned>(std::clamp<std::size_t>((services + t - 1) / t, 1, Phast::max_lanes));
        // A sweep holds a time and a tag per state and lane: 8 lanes on a graph of France's 10^8
        // states would be 6.4 GB, for each thread and each direction searched.
        const std::size_t sweeps = t * std::max(1U, directions);
        auto label_bytes = [&](unsigned lanes) { return sweeps * Phast::memory_bytes(graph.state_count(), lanes); };
        const std::size_t budget = memory_bytes / 8;
        const unsigned wanted = plan.lanes;
        while (memory_bytes > 0 && plan.lanes > 1 && label_bytes(plan.lanes) > budget) {
            plan.lanes = plan.lanes <= 2 ? 1 : plan.lanes <= 4 ? 2 : 4;
        }
        auto gib = [](std::size_t bytes) { return static_cast<double>(bytes) / (1U << 30); };
        if (memory_bytes > 0 && label_bytes(plan.lanes) > budget) {
            plan.reason += fmt::format("; one service per sweep, and even so the {} sweeps hold {:.1f} GiB, more than "
                                       "an eighth ({:.1f} GiB) of this machine's {:.1f} GiB",
                                       sweeps, gib(label_bytes(plan.lanes)), gib(budget), gib(memory_bytes));
        } else if (plan.lanes < wanted) {
            plan.reason += fmt::format("; {} service{} per sweep instead of {}, so that the {} sweeps ({:.1f} GiB) hold "
                                       "at most an eighth ({:.1f} GiB) of this machine's {:.1f} GiB",
                                       plan.lanes, plan.lanes == 1 ? "" : "s", wanted, sweeps,
                                       gib(label_bytes(plan.lanes)), gib(budget), gib(memory_bytes));
        }
    }
    return plan;
}

namespace {

/// Label rows asked for ahead of their use (Phast::prefetch_row) when resolving points: the
/// rows of the origin that many places ahead (and the ranks that locate them, of the origin twice
/// as far), and runs of this many surface pixels (their seeds found first, then every rank and
/// every row of the run asked for at once). On a graph larger than the caches each is a miss;
/// these overlap them. Speed only: the answers do not depend on them.
constexpr std::size_t prefetch_points_ahead = 8;
constexpr std::size_t points_per_run = 32;

/// Services searched together: consecutive services of one direction, at most `lanes`.
struct Batch {
    Direction direction;
    std::vector<std::size_t> services;
};

Direction service_direction(const ServiceInputs& service) {
    // Residents drive to the facilities (reverse search); an outbound service drives out of them.
    return service.spec.direction == TravelDirection::from_service ? Direction::forward : Direction::reverse;
}

std::vector<Batch> batches_of(const StudyInputs& in, unsigned lanes) {
    std::vector<Batch> out;
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const Direction d = service_direction(in.services[s]);
        if (out.empty() || out.back().direction != d || out.back().services.size() == lanes) {
            out.push_back({d, {}});
        }
        out.back().services.push_back(s);
    }
    return out;
}

/// One searcher per slot of a round of batches, per direction, made when first needed.
class Searchers {
public:
    Searchers(const RoadGraph& graph, const AccessOptions& access, const SearchPlan& plan, std::size_t slots)
        : m_graph(graph), m_access(access), m_plan(plan), m_slots(slots * 2) {}
    SiteSearchBatch& at(std::size_t slot, Direction d) {
        auto& p = m_slots[slot * 2 + (d == Direction::forward ? 1 : 0)];
        if (!p) {
            p = std::make_unique<SiteSearchBatch>(m_graph, d, m_access, m_plan.method, m_plan.lanes);
        }
        return *p;
    }

private:
    const RoadGraph& m_graph;
    AccessOptions m_access;
    SearchPlan m_plan;
    std::vector<std::unique_ptr<SiteSearchBatch>> m_slots;
};

} // namespace

AccessTable compute_access(const StudyInputs& in, int threads, const PointTimes* extra) {
    const RoadGraph& graph = in.graph();
    const AccessOptions access{in.study.network.access_kmh};
    AccessTable table(in.services.size(), in.origins.size());
    const int threads_used = proxima::thread_count(threads);
    const bool forward = std::any_of(in.services.begin(), in.services.end(),
                                     [](const ServiceInputs& s) { return service_direction(s) == Direction::forward; });
    const bool reverse = std::any_of(in.services.begin(), in.services.end(),
                                     [](const ServiceInputs& s) { return service_direction(s) == Direction::reverse; });
    table.set_search(plan_search(graph, in.study.network.search, in.services.size(), threads_used,
                                 (forward ? 1U : 0U) + (reverse ? 1U : 0U)));
    const SearchPlan& plan = table.search();

    // The origin side of each trip is the same for every service: its seeds, once per direction
    // needed (millions of origins at France's size: on every thread, in one array each).
    const auto origin_snap = [&in](std::size_t o) -> const Snap& { return in.origins[o].snap; };
    // A forward search (from the facilities) arrives at the origins, a reverse one leaves them.
    const PointSeeds leave = reverse ? PointSeeds(graph, in.origins.size(), origin_snap, Direction::forward, access,
                                                  threads_used)
                                     : PointSeeds();  // origin -> network
    const PointSeeds arrive = forward ? PointSeeds(graph, in.origins.size(), origin_snap, Direction::reverse, access,
                                                   threads_used)
                                      : PointSeeds();  // network -> origin

    // Rounds of one batch per thread: the searches in parallel across batches, then the points
    // in parallel across points, reading every batch of the round.
    const std::vector<Batch> batches = batches_of(in, plan.lanes);
    const auto round_size = static_cast<std::size_t>(threads_used);
    Searchers searchers(graph, access, plan, round_size);
    const std::size_t points = extra != nullptr ? extra->points.size() : 0;
    std::vector<std::vector<Deciseconds>> point_ds;  // per service of the round
    for (std::size_t first = 0; first < batches.size(); first += round_size) {
        const std::size_t count = std::min(round_size, batches.size() - first);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_used)
        for (std::size_t i = 0; i < count; ++i) {
            const Batch& b = batches[first + i];
            std::vector<std::span<const Snap>> sites;
            for (auto s : b.services) {
                sites.emplace_back(in.services[s].snaps);
            }
            searchers.at(i, b.direction).run(sites);
        }
#pragma omp parallel for schedule(dynamic, 256) num_threads(threads_used)
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            // The ranks of the origin twice as far ahead (the graph's: once per direction), the
            // rows of the one half as far (each batch's own).
            bool ranked[2] = {false, false};
            for (std::size_t i = 0; i < count; ++i) {
                const Batch& b = batches[first + i];
                const auto& ahead_seeds = b.direction == Direction::forward ? arrive : leave;
                const SiteSearchBatch& search = searchers.at(i, b.direction);
                const int d = b.direction == Direction::forward ? 1 : 0;
                if (!ranked[d] && o + 2 * prefetch_points_ahead < in.origins.size()) {
                    search.prefetch_ranks(ahead_seeds[o + 2 * prefetch_points_ahead]);
                    ranked[d] = true;
                }
                if (o + prefetch_points_ahead < in.origins.size()) {
                    search.prefetch(ahead_seeds[o + prefetch_points_ahead]);
                }
            }
            for (std::size_t i = 0; i < count; ++i) {
                const Batch& b = batches[first + i];
                const SiteSearchBatch& search = searchers.at(i, b.direction);
                const auto& own = b.direction == Direction::forward ? arrive[o] : leave[o];
                std::array<SiteReach, Phast::max_lanes> reach;
                const std::span<SiteReach> lanes(reach.data(), b.services.size());
                search.resolve_lanes(in.origins[o].snap, own, lanes);
                for (unsigned l = 0; l < b.services.size(); ++l) {
                    table.set(b.services[l], o, lanes[l].ds, lanes[l].site);
                }
            }
        }
        if (points == 0) {
            continue;
        }
        std::vector<std::size_t> round_services;
        for (std::size_t i = 0; i < count; ++i) {
            for (auto s : batches[first + i].services) {
                round_services.push_back(s);
            }
        }
        point_ds.resize(round_services.size());
        for (auto& v : point_ds) {
            v.assign(points, unreachable_ds);
        }
        const std::size_t runs = (points + points_per_run - 1) / points_per_run;
#pragma omp parallel num_threads(threads_used)
        {
            // Millions of points: each thread reuses its seed vectors (per direction: the seeds of
            // every point of the run, one after the other, and where each point's end).
            std::vector<SourceSet::Source> seeds_by[2];
            std::vector<std::size_t> seeds_end[2];
            std::vector<SourceSet::Source> one_point;
            std::array<SiteReach, Phast::max_lanes> reach;
#pragma omp for schedule(dynamic, 8)
            for (std::size_t run = 0; run < runs; ++run) {
                const std::size_t p0 = run * points_per_run;
                const std::size_t p1 = std::min(points, p0 + points_per_run);
                bool seeded[2] = {false, false};
                for (std::size_t i = 0; i < count; ++i) {
                    const Batch& b = batches[first + i];
                    const SiteSearchBatch& search = searchers.at(i, b.direction);
                    const int d = b.direction == Direction::forward ? 1 : 0;
                    if (!seeded[d]) {
                        seeds_by[d].clear();
                        seeds_end[d].clear();
                        for (std::size_t p = p0; p < p1; ++p) {
                            search.point_seeds_into(one_point, extra->points[p]);
                            seeds_by[d].insert(seeds_by[d].end(), one_point.begin(), one_point.end());
                            seeds_end[d].push_back(seeds_by[d].size());
                        }
                        seeded[d] = true;
                        // Every rank (the graph's: once per direction), then every row (each
                        // batch's), the run will read is asked for before the first is needed.
                        search.prefetch_ranks(seeds_by[d]);
                    }
                }
                for (std::size_t i = 0; i < count; ++i) {
                    const Batch& b = batches[first + i];
                    searchers.at(i, b.direction).prefetch(seeds_by[b.direction == Direction::forward ? 1 : 0]);
                }
                for (std::size_t p = p0; p < p1; ++p) {
                    std::size_t k = 0;
                    for (std::size_t i = 0; i < count; ++i) {
                        const Batch& b = batches[first + i];
                        const SiteSearchBatch& search = searchers.at(i, b.direction);
                        const int d = b.direction == Direction::forward ? 1 : 0;
                        const std::size_t from = p == p0 ? 0 : seeds_end[d][p - p0 - 1];
                        const std::span<const SourceSet::Source> seeds(seeds_by[d].data() + from,
                                                                       seeds_end[d][p - p0] - from);
                        const std::span<SiteReach> lanes(reach.data(), b.services.size());
                        search.resolve_lanes(extra->points[p], seeds, lanes);
                        for (const auto& r : lanes) {
                            point_ds[k++][p] = r.ds;
                        }
                    }
                }
            }
        }
        const auto consume_start = std::chrono::steady_clock::now();
        std::vector<std::exception_ptr> failed(round_services.size());
        // An exception must not leave an OpenMP region: each is kept, the first rethrown after.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_used)
        for (std::size_t k = 0; k < round_services.size(); ++k) {
            try {
                extra->consume(round_services[k], point_ds[k], table);
            } catch (...) {
                failed[k] = std::current_exception();
            }
        }
        if (extra->consume_seconds != nullptr) {
            *extra->consume_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - consume_start).count();
        }
        for (const auto& e : failed) {
            if (e) {
                std::rethrow_exception(e);
            }
        }
    }
    return table;
}

} // namespace proxima
