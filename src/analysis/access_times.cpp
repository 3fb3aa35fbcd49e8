#include "proxima/analysis/access_times.hpp"

#include <omp.h>

#include "proxima/core/threads.hpp"
#include "proxima/routing/site_search.hpp"

namespace proxima {

AccessTable compute_access(const StudyInputs& in, int threads) {
    const RoadGraph& graph = in.graph();
    const AccessOptions access{in.study.network.access_kmh};
    AccessTable table(in.services.size(), in.origins.size());

    // The origin side of each trip is the same for every service: its seeds, once per direction.
    std::vector<std::vector<SourceSet::Source>> leave(in.origins.size());   // origin -> network
    std::vector<std::vector<SourceSet::Source>> arrive(in.origins.size());  // network -> origin
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        leave[o] = seeds(graph, in.origins[o].snap, Direction::forward, access);
        arrive[o] = seeds(graph, in.origins[o].snap, Direction::reverse, access);
    }

    // One search per service; OpenMP across services, one search object per thread.
    const int threads_used = proxima::thread_count(threads);
#pragma omp parallel num_threads(threads_used)
    {
        SiteSearch to_facility(graph, Direction::reverse, access);
        SiteSearch from_facility(graph, Direction::forward, access);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            const ServiceInputs& service = in.services[s];
            // Residents leave their origin (to_service); an outbound service arrives at it.
            const bool outbound = service.spec.direction == TravelDirection::from_service;
            SiteSearch& search = outbound ? from_facility : to_facility;
            search.run(service.snaps);
            for (std::size_t o = 0; o < in.origins.size(); ++o) {
                const SiteReach r = search.resolve(in.origins[o].snap, outbound ? arrive[o] : leave[o]);
                table.set(s, o, r.ds, r.site);
            }
        }
    }
    return table;
}

} // namespace proxima
