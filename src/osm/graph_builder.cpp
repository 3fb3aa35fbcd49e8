#include "proxima/osm/graph_builder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <osmium/geom/haversine.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include "osm/extract_path.hpp"
#include "osm/road_node_index.hpp"
#include "osm/turn_builder.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/core/version.hpp"
#include "proxima/graph/strong_components.hpp"

namespace proxima {

namespace {

// ---------------------------------------------------------------------------------------------
// Reading the extract

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
    std::vector<std::pair<std::int64_t, NodeRule>> node_rules;  ///< nodes that matter, by OSM id
    std::vector<detail::WayEnds> way_ends;                      ///< every routable way's end nodes
    std::vector<TurnRestriction> restrictions;                  ///< those that apply to cars
    std::vector<std::int64_t> tram_nodes;                       ///< nodes of tram tracks, sorted
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

/// libosmium handler: applies the profile to each node, way and restriction relation, and keeps
/// what the graph needs.
class NetworkCollector : public osmium::handler::Handler {
public:
    NetworkCollector(const Profile& profile, RawNetwork& out, GraphBuildReport& report)
        : m_profile(profile), m_out(out), m_report(report) {}

    void node(const osmium::Node& node) {
        if (node.tags().empty()) {
            return;
        }
        collect_tags(node.tags());
        const NodeRule rule = evaluate_node(m_profile, m_tags);
        if (rule.feature != NodeFeature::none) {
            m_out.node_rules.emplace_back(node.id(), rule);
        }
    }

    void way(const osmium::Way& way) {
        ++m_report.ways_read;
        // A tram line's level crossings are crossings of a street, not of a railway line.
        if (const char* railway = way.tags()["railway"]; railway != nullptr && std::string_view(railway) == "tram") {
            for (const auto& n : way.nodes()) {
                m_out.tram_nodes.push_back(n.ref());
            }
        }
        collect_tags(way.tags());
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
        if (rule.invalid_limit) {
            ++m_report.ways_with_invalid_limit;
        }
        m_report.ways_destination_only += (rule.forward_destination || rule.backward_destination) ? 1 : 0;
        m_report.ways_opened += rule.opened ? 1 : 0;
        m_report.ways_alternating += rule.alternating ? 1 : 0;
        m_report.ways_shuttle_train += rule.shuttle_train ? 1 : 0;
        if (!way.nodes().empty()) {
            m_out.way_ends.push_back({way.id(), way.nodes().front().ref(), way.nodes().back().ref()});
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

    void relation(const osmium::Relation& relation) {
        const char* type = relation.tags()["type"];
        if (type == nullptr || !is_restriction_type(type)) {
            return;
        }
        collect_tags(relation.tags());
        m_members.clear();
        for (const auto& m : relation.members()) {
            const char t = m.type() == osmium::item_type::node ? 'n' : m.type() == osmium::item_type::way ? 'w' : 'r';
            m_members.push_back({t, m.ref(), m.role()});
        }
        ParsedRestriction parsed = parse_restriction(relation.id(), m_tags, m_members);
        ++m_report.restrictions_by_verdict[static_cast<std::size_t>(parsed.verdict)];
        if (parsed.verdict == RestrictionVerdict::applies) {
            m_out.restrictions.push_back(std::move(parsed.restriction));
        } else if (parsed.verdict == RestrictionVerdict::malformed && m_report.restriction_problems.size() < 10) {
            m_report.restriction_problems.push_back(fmt::format("relation/{}: {}", relation.id(), parsed.why));
        }
    }

private:
    void collect_tags(const osmium::TagList& tags) {
        m_tags.clear();
        for (const auto& t : tags) {
            m_tags.push_back({t.key(), t.value()});
        }
    }

    const Profile& m_profile;
    RawNetwork& m_out;
    GraphBuildReport& m_report;
    std::vector<Tag> m_tags;
    std::vector<RelationMember> m_members;
};

/// First pass: the nodes of every way the profile does not reject as "not a road" (the ways
/// NetworkCollector::way() measures or keeps), sorted and unique; negative ids (JOSM's new
/// nodes) apart, as their absolute values.
class RoadNodeIds : public osmium::handler::Handler {
public:
    explicit RoadNodeIds(const Profile& profile) : m_profile(profile) {}

    void way(const osmium::Way& way) {
        m_tags.clear();
        for (const auto& t : way.tags()) {
            m_tags.push_back({t.key(), t.value()});
        }
        if (evaluate_way(m_profile, m_tags).verdict == WayVerdict::not_a_road) {
            return;
        }
        for (const auto& n : way.nodes()) {
            (n.ref() >= 0 ? positive : negative).push_back(static_cast<osmium::unsigned_object_id_type>(std::abs(n.ref())));
        }
    }
    static void sort_unique(std::vector<osmium::unsigned_object_id_type>& ids) {
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        ids.shrink_to_fit();  // the index keeps this vector: every reference was listed, repeats included
    }

    std::vector<osmium::unsigned_object_id_type> positive;
    std::vector<osmium::unsigned_object_id_type> negative;

private:
    const Profile& m_profile;
    std::vector<Tag> m_tags;
};

RawNetwork read_network(const std::filesystem::path& extract, const Profile& profile, GraphBuildReport& report,
                        const GraphBuildOptions& options) {
    detail::check_extract_path(extract);
    RawNetwork net;
    NetworkCollector collector(profile, net, report);
    try {
        osmium::io::File file(extract.string());
        RoadNodeIds road_nodes(profile);
        {
            osmium::io::Reader ways(file, osmium::osm_entity_bits::way);
            osmium::apply(ways, road_nodes);
            ways.close();
        }
        RoadNodeIds::sort_unique(road_nodes.positive);
        RoadNodeIds::sort_unique(road_nodes.negative);
        using Index = detail::RoadNodeLocations;
        Index index(std::move(road_nodes.positive));
        Index negative_ids(std::move(road_nodes.negative));  // JOSM files number new nodes below zero
        osmium::handler::NodeLocationsForWays<Index, Index> locations(index, negative_ids);
        locations.ignore_errors();  // missing nodes are counted by the collector instead
        osmium::io::Reader reader(file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way |
                                            osmium::osm_entity_bits::relation);
        const double size = static_cast<double>(std::max<std::size_t>(reader.file_size(), 1));
        while (osmium::memory::Buffer buffer = reader.read()) {
            osmium::apply(buffer, locations, collector);
            if (options.progress) {
                options.progress(std::min(1.0, static_cast<double>(reader.offset()) / size));
            }
        }
        reader.close();
        report.location_index_bytes = index.used_memory() + negative_ids.used_memory();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(fmt::format("cannot read OSM extract '{}': {}. Is it an OpenStreetMap file (.osm.pbf, "
                                     ".osm or .opl) and complete?",
                                     extract.string(), library_message(e.what())));
    }
    std::sort(net.node_rules.begin(), net.node_rules.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::sort(net.tram_nodes.begin(), net.tram_nodes.end());
    for (auto& [id, rule] : net.node_rules) {
        if (rule.feature == NodeFeature::level_crossing && std::binary_search(net.tram_nodes.begin(), net.tram_nodes.end(), id)) {
            rule = {NodeFeature::crossing, profile.junctions.crossing_s, NodeDirection::both};
        }
    }
    std::sort(net.way_ends.begin(), net.way_ends.end(),
              [](const auto& a, const auto& b) { return a.way_id < b.way_id; });
    return net;
}

const NodeRule* rule_of(const RawNetwork& net, std::int64_t osm_id) {
    const auto it = std::lower_bound(net.node_rules.begin(), net.node_rules.end(), osm_id,
                                     [](const auto& r, std::int64_t id) { return r.first < id; });
    return it != net.node_rules.end() && it->first == osm_id ? &it->second : nullptr;
}

// ---------------------------------------------------------------------------------------------
// Nodes and segments

/// Dense numbering of the located nodes. A barrier cars cannot pass splits the road: each
/// segment touching it gets its own copy of the node, so nothing connects through it.
struct DenseNodes {
    std::vector<LonLat> coord;
    std::vector<std::int64_t> osm_id;
    std::vector<std::uint32_t> before;  ///< per way node occurrence: id for the segment arriving at it
    std::vector<std::uint32_t> after;   ///< per way node occurrence: id for the segment leaving it
};

DenseNodes number_nodes(const RawNetwork& net, GraphBuildReport& report) {
    DenseNodes d;
    std::vector<std::int64_t> ids;
    ids.reserve(net.node_ids.size());
    for (auto id : net.node_ids) {
        const NodeRule* r = rule_of(net, id);
        if (r == nullptr || !r->blocked()) {
            ids.push_back(id);
        }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    d.coord.resize(ids.size());
    d.osm_id = ids;
    d.before.resize(net.node_ids.size());
    d.after.resize(net.node_ids.size());
    for (std::size_t i = 0; i < net.node_ids.size(); ++i) {
        const auto it = std::lower_bound(ids.begin(), ids.end(), net.node_ids[i]);
        if (it != ids.end() && *it == net.node_ids[i]) {
            const auto v = static_cast<std::uint32_t>(it - ids.begin());
            d.before[i] = d.after[i] = v;
            d.coord[v] = net.coords[i];
        } else {  // a closed barrier: one dead end on each side
            ++report.ways_cut_by_barriers;
            for (auto* side : {&d.before[i], &d.after[i]}) {
                *side = static_cast<std::uint32_t>(d.coord.size());
                d.coord.push_back(net.coords[i]);
                d.osm_id.push_back(net.node_ids[i]);
            }
        }
    }
    report.osm_nodes_routable = ids.size();
    return d;
}

struct Segment {
    std::uint32_t u = 0;
    std::uint32_t v = 0;
    bool forward = false;
    bool backward = false;
    bool forward_destination = false;   ///< u -> v only for trips that start or end on the way
    bool backward_destination = false;
    bool kept = false;
    int class_id = -1;
    std::uint32_t way = 0;  ///< index into RawNetwork::ways; u -> v follows the way's node order
    double length_m = 0.0;
    double forward_ds = 0.0;
    double backward_ds = 0.0;
};

std::vector<Segment> make_segments(const RawNetwork& net, const DenseNodes& d) {
    std::vector<Segment> segs;
    // At most one segment per pair of consecutive nodes: reserved, the array is not copied as it
    // grows (three times its size for a moment) and holds no spare room.
    std::size_t pairs = 0;
    for (const auto& way : net.ways) {
        pairs += way.count > 0 ? way.count - 1 : 0;
    }
    segs.reserve(pairs);
    for (std::uint32_t w = 0; w < net.ways.size(); ++w) {
        const auto& way = net.ways[w];
        double way_m = 0;
        for (std::uint32_t i = way.first + 1; i < way.first + way.count; ++i) {
            way_m += osmium::geom::haversine::distance(osmium::geom::Coordinates{net.coords[i - 1].lon, net.coords[i - 1].lat},
                                                       osmium::geom::Coordinates{net.coords[i].lon, net.coords[i].lat});
        }
        for (std::uint32_t i = way.first + 1; i < way.first + way.count; ++i) {
            Segment s;
            s.u = d.after[i - 1];
            s.v = d.before[i];
            if (s.u == s.v) {
                continue;  // repeated node in a way
            }
            s.forward = way.rule.forward;
            s.backward = way.rule.backward;
            s.forward_destination = way.rule.forward_destination;
            s.backward_destination = way.rule.backward_destination;
            s.class_id = way.rule.class_id;
            s.way = w;
            s.length_m = osmium::geom::haversine::distance(osmium::geom::Coordinates{d.coord[s.u].lon, d.coord[s.u].lat},
                                                           osmium::geom::Coordinates{d.coord[s.v].lon, d.coord[s.v].lat});
            if (way.rule.ferry_duration_s && way_m > 0) {
                s.forward_ds = s.backward_ds = *way.rule.ferry_duration_s * 10.0 * s.length_m / way_m;
            } else {
                s.forward_ds = s.length_m / (way.rule.forward_kmh / 3.6) * 10.0;
                s.backward_ds = s.length_m / (way.rule.backward_kmh / 3.6) * 10.0;
            }
            if (way.rule.delay_s > 0 && way_m > 0) {  // a wait for the whole way, spread along it
                s.forward_ds += way.rule.delay_s * 10.0 * s.length_m / way_m;
                s.backward_ds += way.rule.delay_s * 10.0 * s.length_m / way_m;
            }
            segs.push_back(s);
        }
    }
    return segs;
}

/// Keeps the largest strongly connected component of the segment-level network.
void keep_largest_component(std::vector<Segment>& segs, std::uint32_t n, const Profile& profile,
                            GraphBuildReport& report) {
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
    report.osm_nodes_disconnected = n - scc.largest_size;
    std::vector<double> class_km(static_cast<std::size_t>(profile.class_count()), 0.0);
    for (auto& s : segs) {
        s.kept = scc.component[s.u] == scc.largest && scc.component[s.v] == scc.largest;
        if (s.kept) {
            class_km[static_cast<std::size_t>(s.class_id)] += s.length_m / 1000.0;
            report.km_kept += s.length_m / 1000.0;
        } else {
            ++report.segments_disconnected;
            report.km_disconnected += s.length_m / 1000.0;
        }
    }
    for (int c = 0; c < profile.class_count(); ++c) {
        if (class_km[static_cast<std::size_t>(c)] > 0) {
            report.km_by_class.emplace_back(profile.class_name(c), class_km[static_cast<std::size_t>(c)]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Chains (edges)

struct Chain {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    bool forward = false;
    bool backward = false;
    bool forward_destination = false;
    bool backward_destination = false;
    bool first_along = true;  ///< the first segment is walked in its way's node order
    bool last_along = true;
    // What the graph needs of the first and last segments: the segments go before it is made.
    std::uint32_t first_way = 0;  ///< into RawNetwork::ways
    std::uint32_t last_way = 0;
    int first_class = -1;
    int last_class = -1;
};

struct Chains {
    std::vector<Chain> chains;
    std::vector<std::uint32_t> first_point;  ///< chains + 1
    std::vector<LonLat> points;
    std::vector<float> point_m;
    std::vector<float> point_fwd;
    std::vector<float> point_bwd;
    std::vector<std::uint32_t> first_run;  ///< chains + 1
    std::vector<std::uint32_t> run_first_segment;
    std::vector<std::int64_t> run_way;
    std::vector<std::uint8_t> is_node;  ///< per dense node
};

/// The kept segments touching each dense node, CSR: a chain goes on through a node of degree 2.
struct SegmentIncidence {
    std::vector<std::uint32_t> first;    ///< dense nodes + 1, into `segment`
    std::vector<std::uint32_t> segment;  ///< indices into the segments

    [[nodiscard]] std::uint32_t degree(std::uint32_t v) const { return first[v + 1] - first[v]; }
};

/// The kept segments at each of the `n` dense nodes, in segment order.
SegmentIncidence incidence_of(const std::vector<Segment>& segs, std::uint32_t n) {
    SegmentIncidence inc;
    inc.first.assign(n + 1, 0);
    for (const auto& s : segs) {
        if (s.kept) {
            ++inc.first[s.u + 1];
            ++inc.first[s.v + 1];
        }
    }
    std::partial_sum(inc.first.begin(), inc.first.end(), inc.first.begin());
    inc.segment.resize(inc.first.back());
    std::vector<std::uint32_t> fill(inc.first.begin(), inc.first.end() - 1);
    for (std::uint32_t i = 0; i < segs.size(); ++i) {
        if (segs[i].kept) {
            inc.segment[fill[segs[i].u]++] = i;
            inc.segment[fill[segs[i].v]++] = i;
        }
    }
    return inc;
}

// Segment `s` driven from its end `from` (along) or towards it (against): drivable, or for
// destination traffic only.
bool drivable_along(const Segment& s, std::uint32_t from) { return s.u == from ? s.forward : s.backward; }
bool drivable_against(const Segment& s, std::uint32_t from) { return s.u == from ? s.backward : s.forward; }
bool destination_along(const Segment& s, std::uint32_t from) {
    return s.u == from ? s.forward_destination : s.backward_destination;
}
bool destination_against(const Segment& s, std::uint32_t from) {
    return s.u == from ? s.backward_destination : s.forward_destination;
}

/// Per dense node, 1 where chains end (it stays a node of the graph): not of degree 2, `forced`,
/// or where the roads through it differ; 0 inside a chain or off the network.
std::vector<std::uint8_t> chain_end_flags(const std::vector<Segment>& segs, const SegmentIncidence& inc,
                                          const std::vector<std::uint8_t>& forced, int ferry_class) {
    const auto n = static_cast<std::uint32_t>(inc.first.size() - 1);
    std::vector<std::uint8_t> is_node(n, 0);
    for (std::uint32_t v = 0; v < n; ++v) {
        const auto deg = inc.degree(v);
        if (deg == 0) {
            continue;
        }
        if (deg != 2 || forced[v] != 0) {
            is_node[v] = 1;
            continue;
        }
        const Segment& in = segs[inc.segment[inc.first[v]]];
        const Segment& out = segs[inc.segment[inc.first[v] + 1]];
        const std::uint32_t a = in.u == v ? in.v : in.u;
        if (drivable_along(in, a) != drivable_along(out, v) || drivable_against(in, a) != drivable_against(out, v) ||
            destination_along(in, a) != destination_along(out, v) ||
            destination_against(in, a) != destination_against(out, v) ||
            (in.class_id == ferry_class) != (out.class_id == ferry_class)) {
            // Where the drivable directions, the destination-only rule or road/ferry change.
            is_node[v] = 1;
        }
    }
    return is_node;
}

/// Walks chains from node to node (the nodes `Chains::is_node` marks), appending each chain, its
/// points with the metres and travel times from its start, and its runs of ways to the Chains.
class ChainWalker {
public:
    ChainWalker(const std::vector<Segment>& segs, const SegmentIncidence& inc, const DenseNodes& d,
                const RawNetwork& net, Chains& c)
        : m_segs(segs), m_inc(inc), m_d(d), m_net(net), m_c(c), m_visited(segs.size(), 0) {}

    /// True once segment `s` is part of a chain.
    [[nodiscard]] bool visited(std::uint32_t s) const { return m_visited[s] != 0; }

    /// The chain that leaves node `start` by segment `first_seg`, up to the next node.
    void walk(std::uint32_t start, std::uint32_t first_seg) {
        Chain ch;
        ch.from = start;
        ch.forward = drivable_along(m_segs[first_seg], start);
        ch.backward = drivable_against(m_segs[first_seg], start);
        ch.forward_destination = destination_along(m_segs[first_seg], start);
        ch.backward_destination = destination_against(m_segs[first_seg], start);
        ch.first_along = m_segs[first_seg].u == start;
        ch.first_way = m_segs[first_seg].way;
        ch.first_class = m_segs[first_seg].class_id;
        m_c.first_point.push_back(static_cast<std::uint32_t>(m_c.points.size()));
        m_c.first_run.push_back(static_cast<std::uint32_t>(m_c.run_way.size()));
        m_c.points.push_back(m_d.coord[start]);
        m_c.point_m.push_back(0);
        m_c.point_fwd.push_back(0);
        m_c.point_bwd.push_back(0);
        double m = 0;
        double fwd = 0;
        double bwd = 0;
        std::uint32_t cur = start;
        std::uint32_t s = first_seg;
        for (std::uint32_t k = 0;; ++k) {
            m_visited[s] = 1;
            const Segment& seg = m_segs[s];
            const std::int64_t way_id = m_net.ways[seg.way].way_id;
            if (m_c.run_way.size() == m_c.first_run.back() || m_c.run_way.back() != way_id) {
                m_c.run_first_segment.push_back(k);
                m_c.run_way.push_back(way_id);
            }
            const std::uint32_t next = seg.u == cur ? seg.v : seg.u;
            ch.last_along = seg.u == cur;
            ch.last_way = seg.way;
            ch.last_class = seg.class_id;
            m += seg.length_m;
            fwd += seg.u == cur ? seg.forward_ds : seg.backward_ds;
            bwd += seg.u == cur ? seg.backward_ds : seg.forward_ds;
            m_c.points.push_back(m_d.coord[next]);
            m_c.point_m.push_back(static_cast<float>(m));
            m_c.point_fwd.push_back(static_cast<float>(fwd));
            m_c.point_bwd.push_back(static_cast<float>(bwd));
            cur = next;
            if (m_c.is_node[cur] != 0) {
                break;
            }
            const auto s0 = m_inc.segment[m_inc.first[cur]];
            const auto s1 = m_inc.segment[m_inc.first[cur] + 1];
            s = s0 == s ? s1 : s0;
        }
        ch.to = cur;
        m_c.chains.push_back(ch);
    }

private:
    const std::vector<Segment>& m_segs;
    const SegmentIncidence& m_inc;
    const DenseNodes& m_d;
    const RawNetwork& m_net;
    Chains& m_c;
    std::vector<std::uint8_t> m_visited;  ///< per segment
};

/// Merges runs of degree-2 nodes into chains. A node stays a node where the roads through it
/// differ in drivable directions, or where `forced` says something happens there.
Chains build_chains(const std::vector<Segment>& segs, const DenseNodes& d, const RawNetwork& net,
                    const std::vector<std::uint8_t>& forced, int ferry_class) {
    const auto n = static_cast<std::uint32_t>(d.coord.size());
    const SegmentIncidence inc = incidence_of(segs, n);
    Chains c;
    c.is_node = chain_end_flags(segs, inc, forced, ferry_class);
    // Bounds (a chain has one segment or more; one point per segment plus its start): the arrays
    // are not copied as they grow. Room never written takes no memory.
    const auto kept =
        static_cast<std::size_t>(std::count_if(segs.begin(), segs.end(), [](const Segment& s) { return s.kept; }));
    c.chains.reserve(kept);
    c.first_point.reserve(kept + 1);
    c.first_run.reserve(kept + 1);
    c.run_first_segment.reserve(kept);
    c.run_way.reserve(kept);
    for (auto* v : {&c.point_m, &c.point_fwd, &c.point_bwd}) {
        v->reserve(2 * kept);
    }
    c.points.reserve(2 * kept);
    ChainWalker walker(segs, inc, d, net, c);
    for (std::uint32_t v = 0; v < n; ++v) {
        if (c.is_node[v] == 0) {
            continue;
        }
        for (auto i = inc.first[v]; i < inc.first[v + 1]; ++i) {
            if (!walker.visited(inc.segment[i])) {
                walker.walk(v, inc.segment[i]);
            }
        }
    }
    for (std::uint32_t v = 0; v < n; ++v) {
        if (inc.degree(v) > 0 && c.is_node[v] == 0 && !walker.visited(inc.segment[inc.first[v]])) {
            c.is_node[v] = 1;  // a ring with no junction: cut it at its lowest OSM id
            walker.walk(v, inc.segment[inc.first[v]]);
        }
    }
    c.first_point.push_back(static_cast<std::uint32_t>(c.points.size()));
    c.first_run.push_back(static_cast<std::uint32_t>(c.run_way.size()));
    return c;
}

/// Nodes where something happens to traffic, or that a restriction names: they stay nodes.
std::vector<std::uint8_t> forced_nodes(const RawNetwork& net, const DenseNodes& d) {
    std::vector<std::int64_t> ids;
    for (const auto& [id, rule] : net.node_rules) {
        if (rule.matters()) {
            ids.push_back(id);
        }
    }
    for (const auto& r : net.restrictions) {
        if (r.via_node != 0) {
            ids.push_back(r.via_node);
        }
        for (const auto w : r.via_ways) {
            const auto it = std::lower_bound(net.way_ends.begin(), net.way_ends.end(), w,
                                             [](const detail::WayEnds& e, std::int64_t id) { return e.way_id < id; });
            if (it != net.way_ends.end() && it->way_id == w) {
                ids.push_back(it->first_node);
                ids.push_back(it->last_node);
            }
        }
    }
    std::sort(ids.begin(), ids.end());
    std::vector<std::uint8_t> forced(d.coord.size(), 0);
    for (std::uint32_t v = 0; v < d.coord.size(); ++v) {
        forced[v] = std::binary_search(ids.begin(), ids.end(), d.osm_id[v]) ? 1 : 0;
    }
    return forced;
}

// ---------------------------------------------------------------------------------------------
// Graph arrays

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

/// Graph nodes in Hilbert order (ties by OSM id: deterministic); new_id per dense node.
std::vector<std::uint32_t> order_nodes(const Chains& c, const DenseNodes& d, std::vector<std::uint32_t>& nodes) {
    const auto n = static_cast<std::uint32_t>(d.coord.size());
    nodes.clear();
    for (std::uint32_t v = 0; v < n; ++v) {
        if (c.is_node[v] != 0) {
            nodes.push_back(v);
        }
    }
    double min_lon = 180, max_lon = -180, min_lat = 90, max_lat = -90;
    for (auto v : nodes) {
        min_lon = std::min(min_lon, d.coord[v].lon);
        max_lon = std::max(max_lon, d.coord[v].lon);
        min_lat = std::min(min_lat, d.coord[v].lat);
        max_lat = std::max(max_lat, d.coord[v].lat);
    }
    auto grid = [](double x, double lo, double hi) {
        const double t = hi > lo ? (x - lo) / (hi - lo) : 0.0;
        return static_cast<std::uint32_t>(std::clamp(t, 0.0, 1.0) * 65535.0);
    };
    std::vector<std::uint64_t> key(n, 0);
    for (auto v : nodes) {
        key[v] = hilbert_key(grid(d.coord[v].lon, min_lon, max_lon), grid(d.coord[v].lat, min_lat, max_lat));
    }
    std::stable_sort(nodes.begin(), nodes.end(), [&](auto a, auto b) { return key[a] < key[b]; });
    std::vector<std::uint32_t> new_id(n, invalid_index);
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
        new_id[nodes[i]] = i;
    }
    return new_id;
}

/// The physical arrays (CSR, reverse CSR, geometry, way runs) and the turn model's view of each arc.
RoadGraph::Arrays physical_arrays(Chains& c, const DenseNodes& d, const RawNetwork& net, int ferry_class,
                                  std::vector<detail::ArcEnds>& arc_ends, std::vector<detail::NodeInfo>& node_info) {
    std::vector<std::uint32_t> nodes;
    const std::vector<std::uint32_t> new_id = order_nodes(c, d, nodes);
    RoadGraph::Arrays g;
    const auto node_count = static_cast<std::uint32_t>(nodes.size());
    g.node_coord.resize(node_count);
    node_info.resize(node_count);
    for (std::uint32_t i = 0; i < node_count; ++i) {
        g.node_coord[i] = d.coord[nodes[i]];
        node_info[i].osm_id = d.osm_id[nodes[i]];
        if (const NodeRule* r = rule_of(net, d.osm_id[nodes[i]])) {
            node_info[i].rule = *r;
        }
    }
    struct PendingArc {
        std::uint32_t tail;
        std::uint32_t head;
        std::uint32_t edge_slot;
    };
    std::vector<PendingArc> pending;
    for (std::uint32_t e = 0; e < c.chains.size(); ++e) {
        const auto& ch = c.chains[e];
        if (ch.forward) {
            pending.push_back({new_id[ch.from], new_id[ch.to], 2 * e});
        }
        if (ch.backward) {
            pending.push_back({new_id[ch.to], new_id[ch.from], 2 * e + 1});
        }
    }
    std::stable_sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.tail < b.tail; });
    g.first_out.assign(node_count + 1, 0);
    g.edge_arc.assign(2 * c.chains.size(), invalid_index);
    for (auto* v : {&g.head, &g.arc_edge}) {
        v->reserve(pending.size());
    }
    g.travel_ds.reserve(pending.size());
    g.length_m.reserve(pending.size());
    arc_ends.reserve(pending.size());
    for (std::uint32_t a = 0; a < pending.size(); ++a) {
        const auto& p = pending[a];
        ++g.first_out[p.tail + 1];
        g.head.push_back(p.head);
        const std::uint32_t e = p.edge_slot / 2;
        const bool against = (p.edge_slot & 1U) != 0;
        const std::uint32_t last = c.first_point[e + 1] - 1;
        const double total_ds = against ? c.point_bwd[last] : c.point_fwd[last];
        g.travel_ds.push_back(static_cast<Deciseconds>(std::min<double>(std::llround(total_ds), max_arc_ds)));
        g.length_m.push_back(c.point_m[last]);
        g.arc_edge.push_back(p.edge_slot);
        g.edge_arc[p.edge_slot] = a;
        // The segments at the arc's two ends: its tail's and its head's.
        const Chain& ch = c.chains[e];
        detail::ArcEnds ends;
        ends.tail_way = net.ways[against ? ch.last_way : ch.first_way].way_id;
        ends.head_way = net.ways[against ? ch.first_way : ch.last_way].way_id;
        ends.tail_along_way = against ? !ch.last_along : ch.first_along;
        ends.head_along_way = against ? !ch.first_along : ch.last_along;
        ends.tail_class = against ? ch.last_class : ch.first_class;
        ends.head_class = against ? ch.first_class : ch.last_class;
        ends.ferry = ch.first_class == ferry_class;
        ends.destination = against ? ch.backward_destination : ch.forward_destination;
        arc_ends.push_back(ends);
    }
    std::partial_sum(g.first_out.begin(), g.first_out.end(), g.first_out.begin());
    g.edge_first_point = std::move(c.first_point);
    g.points = std::move(c.points);
    g.point_m = std::move(c.point_m);
    g.point_fwd_ds = std::move(c.point_fwd);
    g.point_bwd_ds = std::move(c.point_bwd);
    g.edge_way_id.reserve(c.chains.size());
    g.edge_flags.reserve(c.chains.size());
    for (const auto& ch : c.chains) {
        g.edge_way_id.push_back(net.ways[ch.first_way].way_id);
        // Trips never start or end on a ferry or a car train: no point is snapped to them.
        g.edge_flags.push_back(ch.first_class == ferry_class ? RoadGraph::edge_no_snap : 0);
    }
    g.edge_first_run = std::move(c.first_run);
    g.run_first_segment = std::move(c.run_first_segment);
    g.run_way_id = std::move(c.run_way);
    build_reverse_csr(g);
    return g;
}

} // namespace

GraphBuildResult build_road_graph(const std::filesystem::path& extract, const Profile& profile, const Log& log,
                                  const GraphBuildOptions& options) {
    GraphBuildReport report;
    report.extract_file = extract.filename().string();
    Stopwatch read_clock;
    log.info(fmt::format("reading {} with profile '{}'", extract.string(), profile.name));
    RawNetwork net = read_network(extract, profile, report, options);
    report.read_seconds = read_clock.seconds();
    report.peak_mib_after_read = peak_resident_mib();
    Stopwatch build_clock;
    if (net.ways.empty()) {
        throw InputError(fmt::format("OSM extract '{}' holds no road drivable under profile '{}' ({} ways read): "
                                     "check that it is the right file and not empty",
                                     extract.string(), profile.name, report.ways_read));
    }

    DenseNodes dense = number_nodes(net, report);
    std::vector<Segment> segs = make_segments(net, dense);
    // What was kept per node of each way is in the segments now: freed before the chains.
    release_memory(net.node_ids);
    release_memory(net.coords);
    release_memory(dense.before);
    release_memory(dense.after);
    log.info(fmt::format("{} pieces of routable ways with at least two located nodes, {} OSM nodes, {} segments; "
                         "finding strongly connected components",
                         net.ways.size(), report.osm_nodes_routable, segs.size()));
    keep_largest_component(segs, static_cast<std::uint32_t>(dense.coord.size()), profile, report);
    if (std::none_of(segs.begin(), segs.end(), [](const Segment& s) { return s.kept; })) {
        throw InputError(fmt::format("OSM extract '{}' has no connected drivable network under profile '{}' "
                                     "(every drivable road is a one-way dead end)",
                                     extract.string(), profile.name));
    }
    // What each node is for traffic, counted on the roads kept.
    {
        std::vector<std::uint8_t> on_kept(dense.coord.size(), 0);
        for (const auto& s : segs) {
            if (s.kept) {
                on_kept[s.u] = on_kept[s.v] = 1;
            }
        }
        std::vector<std::int64_t> counted;
        for (std::uint32_t v = 0; v < dense.coord.size(); ++v) {
            if (on_kept[v] != 0) {
                counted.push_back(dense.osm_id[v]);
            }
        }
        std::sort(counted.begin(), counted.end());
        counted.erase(std::unique(counted.begin(), counted.end()), counted.end());
        for (const auto id : counted) {
            if (const NodeRule* r = rule_of(net, id)) {
                ++report.nodes_by_feature[static_cast<std::size_t>(r->feature)];
            }
        }
    }

    Chains chains = build_chains(segs, dense, net, forced_nodes(net, dense), profile.ferry_class());
    // The chains hold what the graph needs of the segments.
    release_memory(segs);
    std::vector<detail::ArcEnds> arc_ends;
    std::vector<detail::NodeInfo> node_info;
    RoadGraph::Arrays g = physical_arrays(chains, dense, net, profile.ferry_class(), arc_ends, node_info);
    // The turns need only the arrays, the ways' ends and the restrictions: what was read and
    // chained goes before they are made (the build's peak is here).
    chains = Chains{};
    dense = DenseNodes{};
    release_memory(net.ways);
    release_memory(net.node_rules);
    release_memory(net.tram_nodes);

    detail::SearchGraphParts search =
        detail::build_turns(g, arc_ends, node_info, net.way_ends, net.restrictions, profile, report);
    build_search_graph(g, search.copy_arc, std::move(search.turns));
    report.transitions = g.transition_head.size();

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
    report.peak_mib_after_build = peak_resident_mib();
    return {std::move(graph), std::move(report)};
}

std::string format_build_report(const GraphBuildReport& r) {
    std::string out;
    out += fmt::format("Road graph of {}\n", r.extract_file);
    out += fmt::format("  nodes (intersections, dead ends): {}\n", r.nodes);
    out += fmt::format("  arcs (drivable directions):       {}\n", r.arcs);
    out += fmt::format("  edges (road chains with geometry):{:>1}{}\n", " ", r.edges);
    out += fmt::format("  turns (allowed, for the search):  {}\n", r.transitions);
    out += fmt::format("  road kept: {:.1f} km\n", r.km_kept);
    for (const auto& [name, km] : r.km_by_class) {
        out += fmt::format("    {:<16} {:>10.1f} km\n", name, km);
    }
    out += fmt::format("  ways read: {}; routable: {}\n", r.ways_read,
                       r.ways_by_verdict[static_cast<std::size_t>(WayVerdict::routable)]);
    out += "  dropped:\n";
    for (auto v : {WayVerdict::unroutable_class, WayVerdict::access_denied, WayVerdict::closed, WayVerdict::too_small,
                   WayVerdict::reversible, WayVerdict::area}) {
        const auto i = static_cast<std::size_t>(v);
        out += fmt::format("    {:<36} {:>7} ways {:>10.1f} km\n", to_string(v), r.ways_by_verdict[i], r.km_by_verdict[i]);
    }
    out += fmt::format("    {:<36} {:>7} nodes {:>9.1f} km ({} segments; {} components in all)\n",
                       "disconnected from the main network", r.osm_nodes_disconnected, r.km_disconnected,
                       r.segments_disconnected, r.components);
    out += fmt::format("  routable ways for destination traffic only (private, delivery, destination...): {}; "
                       "{} arc directions of open roads reached only through them, treated alike\n",
                       r.ways_destination_only, r.states_behind_destination);
    if (r.ways_opened + r.ways_alternating + r.ways_shuttle_train > 0) {
        out += fmt::format("  routable ways opened to cars by their tags: {}; alternating one-ways: {}; car trains: {}\n",
                           r.ways_opened, r.ways_alternating, r.ways_shuttle_train);
    }
    out += "  junctions and barriers on the roads kept (delays and closures of the profile):\n";
    for (int f = 1; f < node_feature_count; ++f) {
        const auto n = r.nodes_by_feature[static_cast<std::size_t>(f)];
        if (n > 0) {
            out += fmt::format("    {:<36} {:>7}\n", to_string(static_cast<NodeFeature>(f)), n);
        }
    }
    if (r.ways_cut_by_barriers > 0) {
        out += fmt::format("    {:<36} {:>7} places (the road is split there)\n", "roads cut by a closed barrier",
                           r.ways_cut_by_barriers);
    }
    const auto read = std::accumulate(r.restrictions_by_verdict.begin(), r.restrictions_by_verdict.end(), std::uint64_t{0});
    out += fmt::format("  turn restrictions: {} relations read; {} applied through a node, {} through ways "
                       "({} turns forbidden, {} arc copies)\n",
                       read, r.restrictions_applied_via_node, r.restrictions_applied_via_way, r.turns_forbidden,
                       r.states_copied);
    for (auto v : {RestrictionVerdict::conditional, RestrictionVerdict::not_for_cars, RestrictionVerdict::malformed}) {
        const auto n = r.restrictions_by_verdict[static_cast<std::size_t>(v)];
        if (n > 0) {
            out += fmt::format("    {:<36} {:>7}\n", to_string(v), n);
        }
    }
    if (r.restrictions_not_applied > 0) {
        out += fmt::format("    {:<36} {:>7} (members outside the extract or not drivable)\n",
                           "not matching the network", r.restrictions_not_applied);
    }
    for (const auto& p : r.restriction_problems) {
        out += fmt::format("      {}\n", p);
    }
    out += fmt::format("  U-turns: {} at dead ends; {} where a restriction left no other way; {} to keep the "
                       "network connected\n",
                       r.u_turns_at_dead_ends, r.u_turns_no_other_way, r.u_turns_to_stay_connected);
    if (r.states_apart > 0) {
        out += fmt::format("  warning: {} arc directions cannot be reached or left without a forbidden turn\n",
                           r.states_apart);
    }
    if (r.ways_with_missing_nodes > 0) {
        out += fmt::format("  warning: {} routable ways cut by the extract boundary ({} node references without a "
                           "location)\n",
                           r.ways_with_missing_nodes, r.missing_node_refs);
    }
    if (r.ways_with_invalid_limit > 0) {
        out += fmt::format("  warning: {} ways with an unreadable width, height or weight limit (ignored)\n",
                           r.ways_with_invalid_limit);
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
