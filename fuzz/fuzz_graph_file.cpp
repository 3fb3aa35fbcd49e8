// Fuzz target: graph cache files (.pxg), proxima::load_graph (proxima/graph/graph_file.hpp).
//
// The payload of a graph file is protected by a SHA-256 that a fuzzer would never match, so the
// first input byte chooses what the rest is:
//   even: (a) the raw file bytes (header checks: magic, version, byte order, size, checksum);
//   odd:  (b) the payload only: this target writes magic, version, byte-order mark, size and the
//         correct SHA-256 around it, so that the payload reader and RoadGraph::validate() run.
// The seeds are real graphs (tests/fixtures/*.osm through `proxima build-graph`) in form (b):
// byte 0x01 followed by the file without its 88-byte header (see fuzz/README.md).
// CacheError and InputError are the expected refusals; any other exception, or a crash, is a
// finding.
//
// Invariants on success: validate() passes again (and the contraction hierarchy's, if any); node, arc and edge counts agree across all
// arrays; every arc's tail and head are nodes; and, beyond what validate() checks today, every
// coordinate is a finite WGS84 position and every length and cumulative time is finite and not
// negative (a graph with NaN in it loads but gives NaN distances and snaps).

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/graph/road_graph.hpp"

namespace {

std::vector<char> wrap_payload(const std::uint8_t* payload, std::size_t size) {
    constexpr std::array<char, 8> magic = {'P', 'X', 'G', 'R', 'A', 'P', 'H', '\0'};
    const std::uint32_t version = proxima::graph_file_format_version;
    const std::uint32_t byte_order_mark = 0x01020304;
    const std::uint64_t payload_size = size;
    const std::string digest = proxima::sha256_hex(std::span(reinterpret_cast<const std::byte*>(payload), size));
    std::vector<char> file(magic.begin(), magic.end());
    auto append = [&](const void* p, std::size_t n) {
        const auto* c = static_cast<const char*>(p);
        file.insert(file.end(), c, c + n);
    };
    append(&version, sizeof version);
    append(&byte_order_mark, sizeof byte_order_mark);
    append(&payload_size, sizeof payload_size);
    append(digest.data(), digest.size());
    append(payload, size);
    return file;
}

bool valid_position(const proxima::LonLat& p) {
    return std::isfinite(p.lon) && std::isfinite(p.lat) && p.lon >= -180 && p.lon <= 180 && p.lat >= -90 &&
           p.lat <= 90;
}

bool finite_non_negative(float v) { return std::isfinite(v) && v >= 0.0F; }

void check_graph(const proxima::RoadGraph& g) {
    try {
        g.validate();
    } catch (const proxima::Error& e) {
        PROXIMA_FUZZ_CHECK(false, "a loaded graph fails validate(): %s", e.what());
    }
    if (const auto* h = g.hierarchy()) {
        // An attached contraction hierarchy: one rank per state, arcs upwards (validate() again).
        try {
            h->validate(g.state_count());
        } catch (const proxima::Error& e) {
            PROXIMA_FUZZ_CHECK(false, "a loaded hierarchy fails validate(): %s", e.what());
        }
        PROXIMA_FUZZ_CHECK(h->state_count() == g.state_count(), "hierarchy of %u states for %u", h->state_count(),
                           g.state_count());
    }
    const auto& a = g.arrays();
    const std::size_t nodes = g.node_count();
    const std::size_t arcs = g.arc_count();
    const std::size_t edges = g.edge_count();
    PROXIMA_FUZZ_CHECK(a.first_out.size() == nodes + 1 && a.first_in.size() == nodes + 1, "node count %zu", nodes);
    PROXIMA_FUZZ_CHECK(a.first_out.back() == arcs && a.first_in.back() == arcs, "arc count %zu", arcs);
    PROXIMA_FUZZ_CHECK(a.travel_ds.size() == arcs && a.length_m.size() == arcs && a.arc_edge.size() == arcs &&
                           a.tail_in.size() == arcs && a.in_arc.size() == arcs && a.in_travel_ds.size() == arcs,
                       "per-arc array sizes for %zu arcs", arcs);
    PROXIMA_FUZZ_CHECK(a.edge_first_point.size() == edges + 1 && a.edge_arc.size() == 2 * edges &&
                           a.edge_way_id.size() == edges,
                       "per-edge array sizes for %zu edges", edges);
    for (std::uint32_t arc = 0; arc < arcs; ++arc) {
        const auto tail = proxima::to_index(g.tail(proxima::ArcId{arc}));
        const auto head = proxima::to_index(g.head(proxima::ArcId{arc}));
        PROXIMA_FUZZ_CHECK(tail < nodes && head < nodes, "arc %u: %u -> %u of %zu nodes", arc, tail, head, nodes);
        PROXIMA_FUZZ_CHECK(finite_non_negative(a.length_m[arc]), "arc %u has length %g m", arc,
                           static_cast<double>(a.length_m[arc]));
    }
    for (std::size_t n = 0; n < nodes; ++n) {
        PROXIMA_FUZZ_CHECK(valid_position(a.node_coord[n]), "node %zu at lon %g lat %g", n, a.node_coord[n].lon,
                           a.node_coord[n].lat);
    }
    for (std::size_t p = 0; p < a.points.size(); ++p) {
        PROXIMA_FUZZ_CHECK(valid_position(a.points[p]), "shape point %zu at lon %g lat %g", p, a.points[p].lon,
                           a.points[p].lat);
        PROXIMA_FUZZ_CHECK(finite_non_negative(a.point_m[p]) && finite_non_negative(a.point_fwd_ds[p]) &&
                               finite_non_negative(a.point_bwd_ds[p]),
                           "shape point %zu: %g m, %g ds along, %g ds against", p, static_cast<double>(a.point_m[p]),
                           static_cast<double>(a.point_fwd_ds[p]), static_cast<double>(a.point_bwd_ds[p]));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::filesystem::path path;
    if ((data[0] & 1U) == 0) {
        path = proxima::fuzz::write_scratch_file("graph.pxg", data + 1, size - 1);
    } else {
        const auto file = wrap_payload(data + 1, size - 1);
        path = proxima::fuzz::write_scratch_file("graph.pxg", file.data(), file.size());
    }
    try {
        const proxima::RoadGraph graph = proxima::load_graph(path);
        check_graph(graph);
        proxima::fuzz::accepted("load_graph");
    } catch (const proxima::CacheError& e) {
        proxima::fuzz::refused(e, "load_graph");  // expected: not a graph, another version, corrupt
    } catch (const proxima::InputError& e) {
        proxima::fuzz::refused(e, "load_graph");  // expected: unreadable
    } catch (const std::exception& e) {
        proxima::fuzz::unexpected_exception(e, "load_graph");
    }
    return 0;
}
