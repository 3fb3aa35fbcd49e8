#pragma once
// Graphs for tests: random synthetic ones (loops, parallel arcs, zero weights, unreachable parts)
// and the real samples, built once per process.

#include <map>
#include <random>
#include <string>

#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima_test/fixtures.hpp"

namespace proxima::test {

inline RoadGraph random_graph(std::uint32_t nodes, std::uint32_t arcs, std::uint64_t seed, Deciseconds max_weight = 600) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::uint32_t> node(0, nodes - 1);
    std::uniform_int_distribution<Deciseconds> weight(0, max_weight);
    std::uniform_real_distribution<double> coord(0.0, 0.1);
    std::vector<LonLat> coords(nodes);
    for (auto& c : coords) {
        c = {coord(rng), coord(rng)};
    }
    std::vector<ArcSpec> list;
    for (std::uint32_t i = 0; i < arcs; ++i) {
        const auto w = weight(rng);
        list.push_back({node(rng), node(rng), w, static_cast<float>(w) * 1.5F});
    }
    return graph_from_arcs(std::move(coords), list);
}

/// The road graph of a bundled extract (data/osm/<name>.osm.pbf) with the car profile, cached.
inline const RoadGraph& sample_graph(const std::string& name) {
    static std::map<std::string, RoadGraph> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        auto built = build_road_graph(data_file("osm/" + name + ".osm.pbf"), default_car_profile());
        it = cache.emplace(name, std::move(built.graph)).first;
    }
    return it->second;
}

} // namespace proxima::test
