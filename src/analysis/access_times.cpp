#include "proxima/analysis/access_times.hpp"

#include <algorithm>
#include <map>

#include <omp.h>

#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/core/threads.hpp"

namespace proxima {

AccessTable compute_access(const StudyInputs& in, int threads) {
    const RoadGraph& graph = in.graph;
    const AccessOptions access{in.study.network.access_kmh};
    AccessTable table(in.services.size(), in.origins.size());
    const int threads_used = proxima::thread_count(threads);

    // The origin side of each trip is the same for every service: compute its seeds once.
    std::vector<std::vector<SourceSet::Source>> leave(in.origins.size());   // origin -> network
    std::vector<std::vector<SourceSet::Source>> arrive(in.origins.size());  // network -> origin
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        leave[o] = seeds(graph, in.origins[o].snap, Direction::forward, access);
        arrive[o] = seeds(graph, in.origins[o].snap, Direction::reverse, access);
    }

    // One search per service; OpenMP across services, one search object per thread.
#pragma omp parallel num_threads(threads_used)
    {
        MultiSourceDijkstra to_facility(graph, Direction::reverse, false);
        MultiSourceDijkstra from_facility(graph, Direction::forward, false);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            const ServiceInputs& service = in.services[s];
            const bool outbound = service.spec.direction == TravelDirection::from_service;
            MultiSourceDijkstra& search = outbound ? from_facility : to_facility;
            search.reset();
            // Facilities on each edge, for trips that stay on one edge (no node in between).
            std::multimap<std::uint32_t, std::uint32_t> on_edge;
            for (std::uint32_t f = 0; f < service.snaps.size(); ++f) {
                const auto direction = outbound ? Direction::forward : Direction::reverse;
                for (const auto& seed : seeds(graph, service.snaps[f], direction, access, f)) {
                    search.add_source(seed.node, seed.offset_ds, seed.tag);
                }
                on_edge.emplace(to_index(service.snaps[f].edge), f);
            }
            search.run();
            for (std::size_t o = 0; o < in.origins.size(); ++o) {
                Deciseconds best = unreachable_ds;
                std::uint32_t nearest = invalid_index;
                // Residents leave their origin (to_service); an outbound service arrives at it.
                for (const auto& seed : outbound ? arrive[o] : leave[o]) {
                    const Deciseconds t = search.time_ds(seed.node);
                    if (t == unreachable_ds) {
                        continue;
                    }
                    const Deciseconds total = t + seed.offset_ds;
                    const std::uint32_t f = search.source_of(seed.node);
                    if (total < best || (total == best && f < nearest)) {
                        best = total;
                        nearest = f;
                    }
                }
                const Snap& origin = in.origins[o].snap;
                const auto range = on_edge.equal_range(to_index(origin.edge));
                for (auto it = range.first; it != range.second; ++it) {
                    const Snap& facility = service.snaps[it->second];
                    const auto direct = outbound ? same_edge_leg(graph, facility, origin)
                                                 : same_edge_leg(graph, origin, facility);
                    if (!direct) {
                        continue;
                    }
                    const Deciseconds total = access_ds(origin, access) + direct->ds + access_ds(facility, access);
                    if (total < best || (total == best && it->second < nearest)) {
                        best = total;
                        nearest = it->second;
                    }
                }
                table.set(s, o, best, nearest);
            }
        }
    }
    return table;
}

} // namespace proxima
