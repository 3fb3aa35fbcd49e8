// The search phase of `proxima run` alone: loads a study, then times compute_access (every
// service's search, every origin's time and site, on the threads asked for), as `run` does before
// its surfaces and outputs. For sizes whose whole run does not fit the machine (the 20m case of
// benchmarks/run-scaling.sh: its surfaces and GeoPackage), this is the phase the issue's "search
// phase" target is about. Prints the load and search times, the method and lanes chosen, the
// origins reached, the peak memory and the system's transparent huge pages setting (the sweeps
// and lookups are faster on huge pages: core/huge_pages.hpp).
//
//   search_phase <study.toml> [threads]      threads: 0 (default) = every core

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "proxima/analysis/access_times.hpp"
#include "proxima/core/huge_pages.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/routing/search_method.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima/core/malloc_tuning.hpp"

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: search_phase <study.toml> [threads]\n");
        return 2;
    }
    using namespace proxima;
    using clock = std::chrono::steady_clock;
    const int threads = argc == 3 ? std::atoi(argv[2]) : 0;
    try {
        const auto start = clock::now();
        const StudyInputs in = load_study_inputs(load_study(argv[1]));
        const auto loaded = clock::now();
        const AccessTable access = compute_access(in, threads);
        const auto searched = clock::now();
        std::size_t reached = 0;
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            for (std::size_t o = 0; o < in.origins.size(); ++o) {
                reached += access.time_ds(s, o) != unreachable_ds ? 1 : 0;
            }
        }
        const SearchPlan& plan = access.search();
        std::printf("states %zu\nservices %zu\norigins %zu\nthreads %d\n", std::size_t{in.graph().state_count()},
                    in.services.size(), in.origins.size(), thread_count(threads));
        std::printf("huge_pages %s\n", huge_pages_mode().c_str());
        std::printf("method %s\nlanes %u\nreason %s\n", search_method_name(plan.method), plan.lanes, plan.reason.c_str());
        std::printf("load_s %.2f\nsearch_s %.2f\nreached %zu of %zu\npeak_mib %.0f\n",
                    std::chrono::duration<double>(loaded - start).count(),
                    std::chrono::duration<double>(searched - loaded).count(), reached,
                    in.services.size() * in.origins.size(), peak_resident_mib());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "search_phase: %s\n", e.what());
        return 1;
    }
    return 0;
}
