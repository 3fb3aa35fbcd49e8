#include "proxima/osm/graph_builder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <osmium/geom/haversine.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include "osm/extract_path.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/core/version.hpp"
#include "proxima/graph/strong_components.hpp"

namespace proxima {

namespace {

/// A routable way (or the part of it whose nodes the extract holds), as read.
struct RawWay {
    std::int64_t way_id = 0;
    WayRule rule;
    std::uint32_t first = 0;  ///< into RawNetwork::node_ids / coords
    std::uint32_t count = 0;
};

struct RawNetwork {
    std::vector<RawWay> ways;
    std::vector<std::int64_t> node_ids;
    std::vector<LonLat> coords;
};

double way_length_m(const osmium::WayNodeList& nodes) {
    double m = 0;
    const osmium::NodeRef* prev = nullptr;
    for (const auto& n : nodes) {
        if (n.location().valid()) {
            if (prev != nullptr) {
                m += osmium::geom::haversine::distance(prev->location(), n.location());
            }
            prev = &n;
        }
    }
    return m;
}

/// libosmium handler: applies the profile to each way and keeps the routable ones.
class RoutableWayCollector : public osmium::handler::Handler {
public:
    RoutableWayCollector(const Profile& profile, RawNetwork& out, GraphBuildReport& report)
        : m_profile(profile), m_out(out), m_report(report) {}

    void way(const osmium::Way& way) {
        ++m_report.ways_read;
        m_tags.clear();
        for (const auto& t : way.tags()) {
            m_tags.push_back({t.key(), t.value()});
        }
        const WayRule rule = evaluate_way(m_profile, m_tags);
        const auto verdict = static_cast<std::size_t>(rule.verdict);
        ++m_report.ways_by_verdict[verdict];
        if (rule.verdict == WayVerdict::not_a_road) {
            return;
        }
        m_report.km_by_verdict[verdict] += way_length_m(way.nodes()) / 1000.0;
        if (rule.verdict != WayVerdict::routable) {
            return;
        }
        if (rule.invalid_maxspeed) {
            ++m_report.ways_with_invalid_maxspeed;
        }
        // Split at nodes the extract does not hold (ways cut by the extract boundary).
        bool missing = false;
        RawWay current{way.id(), rule, static_cast<std::uint32_t>(m_out.node_ids.size()), 0};
        auto flush = [&] {
            if (current.count >= 2) {
                m_out.ways.push_back(current);
            } else {
                m_out.node_ids.resize(current.first);
                m_out.coords.resize(current.first);
            }
            current.first = static_cast<std::uint32_t>(m_out.node_ids.size());
            current.count = 0;
        };
        for (const auto& n : way.nodes()) {
            if (!n.location().valid()) {
                missing = true;
                ++m_report.missing_node_refs;
                flush();
                continue;
            }
            m_out.node_ids.push_back(n.ref());
            m_out.coords.push_back({n.location().lon(), n.location().lat()});
            ++current.count;
        }
        flush();
        if (missing) {
            ++m_report.ways_with_missing_nodes;
        }
    }

private:
    const Profile& m_profile;
    RawNetwork& m_out;
    GraphBuildReport& m_report;
    std::vector<Tag> m_tags;
};

RawNetwork read_routable_ways(const std::filesystem::path& extract, const Profile& profile, GraphBuildReport& report,
                              const GraphBuildOptions& options) {
    detail::check_extract_path(extract);
    RawNetwork net;
    using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
    Index index;
    Index negative_ids;  // JOSM files number new nodes below zero: they are nodes like the others
    osmium::handler::NodeLocationsForWays<Index, Index> locations(index, negative_ids);
    locations.ignore_errors();  // missing nodes are counted by the collector instead
    RoutableWayCollector collector(profile, net, report);
    try {
        osmium::io::File file(extract.string());
        osmium::io::Reader reader(file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
        const double size = static_cast<double>(std::max<std::size_t>(reader.file_size(), 1));
        while (osmium::memory::Buffer buffer = reader.read()) {
            osmium::apply(buffer, locations, collector);
            if (options.progress) {
                options.progress(std::min(1.0, static_cast<double>(reader.offset()) / size));
            }
        }
        reader.close();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(fmt::format("cannot read OSM extract '{}': {}. Is it an OpenStreetMap file (.osm.pbf, "
                                     ".osm or .opl) and complete?",
                                     extract.string(), library_message(e.what())));
    }
    report.location_index_bytes = index.used_memory() + negative_ids.used_memory();
    return net;
}

/// Position along a Hilbert curve of order 16 over the bounding box: nearby nodes get nearby ids,
/// which keeps the search's memory accesses local.
std::uint64_t hilbert_key(std::uint32_t x, std::uint32_t y) {
    std::uint64_t d = 0;
    for (std::uint32_t s = 1U << 15; s > 0; s /= 2) {
        const std::uint32_t rx = (x & s) > 0 ? 1 : 0;
        const std::uint32_t ry = (y & s) > 0 ? 1 : 0;
        d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::swap(x, y);
        }
    }
    return d;
}

struct Segment {
    std::uint32_t u = 0;
    std::uint32_t v = 0;
    bool forward = false;
    bool backward = false;
    bool kept = false;
    int class_id = -1;
    std::uint32_t way = 0;  ///< index into RawNetwork::ways
    double length_m = 0.0;
    double forward_ds = 0.0;
    double backward_ds = 0.0;
};

} // namespace

GraphBuildResult build_road_graph(const std::filesystem::path& extract, const Profile& profile, const Log& log,
                                  const GraphBuildOptions& options) {
    GraphBuildReport report;
    report.extract_file = extract.filename().string();
    Stopwatch read_clock;
    log.info(fmt::format("reading {} with profile '{}'", extract.string(), profile.name));
    RawNetwork net = read_routable_ways(extract, profile, report, options);
    report.read_seconds = read_clock.seconds();
    Stopwatch build_clock;
    if (net.ways.empty()) {
        throw InputError(fmt::format("OSM extract '{}' holds no road drivable under profile '{}' ({} ways read): "
                                     "check that it is the right file and not empty",
                                     extract.string(), profile.name, report.ways_read));
    }

    // Dense node numbering by OSM id.
    std::vector<std::int64_t> osm_ids = net.node_ids;
    std::sort(osm_ids.begin(), osm_ids.end());
    osm_ids.erase(std::unique(osm_ids.begin(), osm_ids.end()), osm_ids.end());
    const auto n = static_cast<std::uint32_t>(osm_ids.size());
    std::vector<LonLat> coord(n);
    std::vector<std::uint32_t> dense(net.node_ids.size());
    for (std::size_t i = 0; i < net.node_ids.size(); ++i) {
        dense[i] = static_cast<std::uint32_t>(std::lower_bound(osm_ids.begin(), osm_ids.end(), net.node_ids[i]) -
                                              osm_ids.begin());
        coord[dense[i]] = net.coords[i];
    }
    report.osm_nodes_routable = n;

    // Segments between consecutive way nodes.
    std::vector<Segment> segs;
    for (std::uint32_t w = 0; w < net.ways.size(); ++w) {
        const auto& way = net.ways[w];
        double way_m = 0;
        for (std::uint32_t i = way.first + 1; i < way.first + way.count; ++i) {
            way_m += osmium::geom::haversine::distance(osmium::geom::Coordinates{net.coords[i - 1].lon, net.coords[i - 1].lat},
                                                       osmium::geom::Coordinates{net.coords[i].lon, net.coords[i].lat});
        }
        for (std::uint32_t i = way.first + 1; i < way.first + way.count; ++i) {
            Segment s;
            s.u = dense[i - 1];
            s.v = dense[i];
            if (s.u == s.v) {
                continue;  // repeated node in a way
            }
            s.forward = way.rule.forward;
            s.backward = way.rule.backward;
            s.class_id = way.rule.class_id;
            s.way = w;
            s.length_m = osmium::geom::haversine::distance(osmium::geom::Coordinates{coord[s.u].lon, coord[s.u].lat},
                                                           osmium::geom::Coordinates{coord[s.v].lon, coord[s.v].lat});
            if (way.rule.ferry_duration_s && way_m > 0) {
                s.forward_ds = s.backward_ds = *way.rule.ferry_duration_s * 10.0 * s.length_m / way_m;
            } else {
                s.forward_ds = s.length_m / (way.rule.forward_kmh / 3.6) * 10.0;
                s.backward_ds = s.length_m / (way.rule.backward_kmh / 3.6) * 10.0;
            }
            segs.push_back(s);
        }
    }

    // Largest strongly connected component of the segment-level graph.
    log.info(fmt::format("{} pieces of routable ways with at least two located nodes, {} OSM nodes, {} segments; "
                         "finding strongly connected components",
                         net.ways.size(), n, segs.size()));
    std::vector<std::uint32_t> first_out(n + 1, 0);
    for (const auto& s : segs) {
        first_out[s.u + 1] += s.forward ? 1 : 0;
        first_out[s.v + 1] += s.backward ? 1 : 0;
    }
    std::partial_sum(first_out.begin(), first_out.end(), first_out.begin());
    std::vector<std::uint32_t> head(first_out.back());
    {
        std::vector<std::uint32_t> fill(first_out.begin(), first_out.end() - 1);
        for (const auto& s : segs) {
            if (s.forward) {
                head[fill[s.u]++] = s.v;
            }
            if (s.backward) {
                head[fill[s.v]++] = s.u;
            }
        }
    }
    const StrongComponents scc = strong_components(first_out, head);
    report.components = scc.count;
    std::vector<std::uint8_t> in_main(n, 0);
    for (std::uint32_t v = 0; v < n; ++v) {
        in_main[v] = scc.component[v] == scc.largest ? 1 : 0;
    }
    report.osm_nodes_disconnected = n - scc.largest_size;
    std::vector<double> class_km(static_cast<std::size_t>(profile.class_count()), 0.0);
    std::uint64_t kept_segments = 0;
    for (auto& s : segs) {
        s.kept = in_main[s.u] != 0 && in_main[s.v] != 0;
        if (s.kept) {
            ++kept_segments;
            class_km[static_cast<std::size_t>(s.class_id)] += s.length_m / 1000.0;
            report.km_kept += s.length_m / 1000.0;
        } else {
            ++report.segments_disconnected;
            report.km_disconnected += s.length_m / 1000.0;
        }
    }
    if (kept_segments == 0) {
        throw InputError(fmt::format("OSM extract '{}' has no connected drivable network under profile '{}' "
                                     "(every drivable road is a one-way dead end)",
                                     extract.string(), profile.name));
    }
    for (int c = 0; c < profile.class_count(); ++c) {
        if (class_km[static_cast<std::size_t>(c)] > 0) {
            report.km_by_class.emplace_back(profile.class_name(c), class_km[static_cast<std::size_t>(c)]);
        }
    }

    // Undirected incidence lists of the kept segments.
    std::vector<std::uint32_t> inc_first(n + 1, 0);
    for (const auto& s : segs) {
        if (s.kept) {
            ++inc_first[s.u + 1];
            ++inc_first[s.v + 1];
        }
    }
    std::partial_sum(inc_first.begin(), inc_first.end(), inc_first.begin());
    std::vector<std::uint32_t> inc(inc_first.back());
    {
        std::vector<std::uint32_t> fill(inc_first.begin(), inc_first.end() - 1);
        for (std::uint32_t i = 0; i < segs.size(); ++i) {
            if (segs[i].kept) {
                inc[fill[segs[i].u]++] = i;
                inc[fill[segs[i].v]++] = i;
            }
        }
    }
    auto degree = [&](std::uint32_t v) { return inc_first[v + 1] - inc_first[v]; };
    // Directions allowed on segment s when walked starting from node `from`.
    auto along = [&](const Segment& s, std::uint32_t from) { return s.u == from ? s.forward : s.backward; };
    auto against = [&](const Segment& s, std::uint32_t from) { return s.u == from ? s.backward : s.forward; };

    // A degree-2 node stays a node when the two roads through it differ in drivable directions.
    std::vector<std::uint8_t> is_node(n, 0);
    for (std::uint32_t v = 0; v < n; ++v) {
        const auto d = degree(v);
        if (d == 0) {
            continue;
        }
        if (d != 2) {
            is_node[v] = 1;
            continue;
        }
        const Segment& in = segs[inc[inc_first[v]]];
        const Segment& out = segs[inc[inc_first[v] + 1]];
        const std::uint32_t a = in.u == v ? in.v : in.u;
        // in is walked a -> v, out is walked v -> b.
        if (along(in, a) != along(out, v) || against(in, a) != against(out, v)) {
            is_node[v] = 1;
        }
    }

    // Walk chains from every node; then the cycles made only of degree-2 nodes.
    struct Chain {
        std::uint32_t from = 0;
        std::uint32_t to = 0;
        bool forward = false;
        bool backward = false;
        std::int64_t way_id = 0;
        std::uint32_t first_point = 0;
    };
    std::vector<Chain> chains;
    std::vector<LonLat> points;
    std::vector<float> point_m;
    std::vector<float> point_fwd;
    std::vector<float> point_bwd;
    std::vector<std::uint32_t> chain_first_point;
    std::vector<std::uint8_t> visited(segs.size(), 0);

    auto walk = [&](std::uint32_t start, std::uint32_t first_seg) {
        Chain c;
        c.from = start;
        c.forward = along(segs[first_seg], start);
        c.backward = against(segs[first_seg], start);
        c.way_id = net.ways[segs[first_seg].way].way_id;
        chain_first_point.push_back(static_cast<std::uint32_t>(points.size()));
        points.push_back(coord[start]);
        double m = 0;
        double fwd = 0;
        double bwd = 0;
        point_m.push_back(0);
        point_fwd.push_back(0);
        point_bwd.push_back(0);
        std::uint32_t cur = start;
        std::uint32_t s = first_seg;
        while (true) {
            visited[s] = 1;
            const Segment& seg = segs[s];
            const std::uint32_t next = seg.u == cur ? seg.v : seg.u;
            m += seg.length_m;
            fwd += seg.u == cur ? seg.forward_ds : seg.backward_ds;
            bwd += seg.u == cur ? seg.backward_ds : seg.forward_ds;
            points.push_back(coord[next]);
            point_m.push_back(static_cast<float>(m));
            point_fwd.push_back(static_cast<float>(fwd));
            point_bwd.push_back(static_cast<float>(bwd));
            cur = next;
            if (is_node[cur] != 0) {
                break;
            }
            const auto s0 = inc[inc_first[cur]];
            const auto s1 = inc[inc_first[cur] + 1];
            s = s0 == s ? s1 : s0;
        }
        c.to = cur;
        chains.push_back(c);
    };
    for (std::uint32_t v = 0; v < n; ++v) {
        if (is_node[v] == 0) {
            continue;
        }
        for (auto i = inc_first[v]; i < inc_first[v + 1]; ++i) {
            if (visited[inc[i]] == 0) {
                walk(v, inc[i]);
            }
        }
    }
    for (std::uint32_t v = 0; v < n; ++v) {
        if (degree(v) > 0 && is_node[v] == 0 && visited[inc[inc_first[v]]] == 0) {
            is_node[v] = 1;  // a ring with no junction: cut it at its lowest OSM id
            walk(v, inc[inc_first[v]]);
        }
    }
    chain_first_point.push_back(static_cast<std::uint32_t>(points.size()));

    // Graph nodes in Hilbert order over the bounding box (ties by OSM id: deterministic).
    std::vector<std::uint32_t> nodes;
    for (std::uint32_t v = 0; v < n; ++v) {
        if (is_node[v] != 0) {
            nodes.push_back(v);
        }
    }
    double min_lon = 180, max_lon = -180, min_lat = 90, max_lat = -90;
    for (auto v : nodes) {
        min_lon = std::min(min_lon, coord[v].lon);
        max_lon = std::max(max_lon, coord[v].lon);
        min_lat = std::min(min_lat, coord[v].lat);
        max_lat = std::max(max_lat, coord[v].lat);
    }
    auto grid = [](double x, double lo, double hi) {
        const double t = hi > lo ? (x - lo) / (hi - lo) : 0.0;
        return static_cast<std::uint32_t>(std::clamp(t, 0.0, 1.0) * 65535.0);
    };
    std::vector<std::uint64_t> key(n, 0);
    for (auto v : nodes) {
        key[v] = hilbert_key(grid(coord[v].lon, min_lon, max_lon), grid(coord[v].lat, min_lat, max_lat));
    }
    std::stable_sort(nodes.begin(), nodes.end(), [&](auto a, auto b) { return key[a] < key[b]; });
    std::vector<std::uint32_t> new_id(n, invalid_index);
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
        new_id[nodes[i]] = i;
    }

    // Arcs: one per drivable direction of each chain, sorted by tail (stable: chain order).
    RoadGraph::Arrays g;
    const auto node_count = static_cast<std::uint32_t>(nodes.size());
    g.node_coord.resize(node_count);
    for (std::uint32_t i = 0; i < node_count; ++i) {
        g.node_coord[i] = coord[nodes[i]];
    }
    struct PendingArc {
        std::uint32_t tail;
        std::uint32_t head;
        std::uint32_t edge_slot;
    };
    std::vector<PendingArc> pending;
    for (std::uint32_t e = 0; e < chains.size(); ++e) {
        const auto& c = chains[e];
        if (c.forward) {
            pending.push_back({new_id[c.from], new_id[c.to], 2 * e});
        }
        if (c.backward) {
            pending.push_back({new_id[c.to], new_id[c.from], 2 * e + 1});
        }
    }
    std::stable_sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.tail < b.tail; });
    g.first_out.assign(node_count + 1, 0);
    g.edge_arc.assign(2 * chains.size(), invalid_index);
    for (std::uint32_t a = 0; a < pending.size(); ++a) {
        const auto& p = pending[a];
        ++g.first_out[p.tail + 1];
        g.head.push_back(p.head);
        const std::uint32_t e = p.edge_slot / 2;
        const std::uint32_t last = chain_first_point[e + 1] - 1;
        const double total_ds = (p.edge_slot & 1U) == 0 ? point_fwd[last] : point_bwd[last];
        g.travel_ds.push_back(static_cast<Deciseconds>(std::min<double>(std::llround(total_ds), max_arc_ds)));
        g.length_m.push_back(point_m[last]);
        g.arc_edge.push_back(p.edge_slot);
        g.edge_arc[p.edge_slot] = a;
    }
    std::partial_sum(g.first_out.begin(), g.first_out.end(), g.first_out.begin());
    g.edge_first_point = std::move(chain_first_point);
    g.points = std::move(points);
    g.point_m = std::move(point_m);
    g.point_fwd_ds = std::move(point_fwd);
    g.point_bwd_ds = std::move(point_bwd);
    for (const auto& c : chains) {
        g.edge_way_id.push_back(c.way_id);
    }
    build_reverse_csr(g);

    GraphProvenance provenance;
    provenance.source_file = extract.filename().string();
    provenance.source_sha256 = sha256_file(extract);
    provenance.profile_name = profile.name;
    provenance.profile_sha256 = profile.sha256;
    provenance.proxima_version = version_string;
    RoadGraph graph(std::move(g), std::move(provenance));
    report.nodes = graph.node_count();
    report.arcs = graph.arc_count();
    report.edges = graph.edge_count();
    report.build_seconds = build_clock.seconds();
    return {std::move(graph), std::move(report)};
}

std::string format_build_report(const GraphBuildReport& r) {
    std::string out;
    out += fmt::format("Road graph of {}\n", r.extract_file);
    out += fmt::format("  nodes (intersections, dead ends): {}\n", r.nodes);
    out += fmt::format("  arcs (drivable directions):       {}\n", r.arcs);
    out += fmt::format("  edges (road chains with geometry):{:>1}{}\n", " ", r.edges);
    out += fmt::format("  road kept: {:.1f} km\n", r.km_kept);
    for (const auto& [name, km] : r.km_by_class) {
        out += fmt::format("    {:<16} {:>10.1f} km\n", name, km);
    }
    out += fmt::format("  ways read: {}; routable: {}\n", r.ways_read,
                       r.ways_by_verdict[static_cast<std::size_t>(WayVerdict::routable)]);
    out += "  dropped:\n";
    for (auto v : {WayVerdict::unroutable_class, WayVerdict::access_denied, WayVerdict::reversible, WayVerdict::area}) {
        const auto i = static_cast<std::size_t>(v);
        out += fmt::format("    {:<36} {:>7} ways {:>10.1f} km\n", to_string(v), r.ways_by_verdict[i], r.km_by_verdict[i]);
    }
    out += fmt::format("    {:<36} {:>7} nodes {:>9.1f} km ({} segments; {} components in all)\n",
                       "disconnected from the main network", r.osm_nodes_disconnected, r.km_disconnected,
                       r.segments_disconnected, r.components);
    if (r.ways_with_missing_nodes > 0) {
        out += fmt::format("  warning: {} routable ways cut by the extract boundary ({} node references without a "
                           "location)\n",
                           r.ways_with_missing_nodes, r.missing_node_refs);
    }
    if (r.ways_with_invalid_maxspeed > 0) {
        out += fmt::format("  warning: {} ways with an unreadable maxspeed or duration tag (class speed used)\n",
                           r.ways_with_invalid_maxspeed);
    }
    out += fmt::format("  time: {:.2f} s reading OSM + {:.2f} s building; node location index {:.1f} MiB\n",
                       r.read_seconds, r.build_seconds, static_cast<double>(r.location_index_bytes) / (1 << 20));
    return out;
}

} // namespace proxima
