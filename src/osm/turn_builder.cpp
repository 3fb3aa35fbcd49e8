#include "osm/turn_builder.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "proxima/graph/strong_components.hpp"
#include "proxima/osm/turn_model.hpp"

namespace proxima::detail {

namespace {

/// Distance along an arc at which its direction is read: far enough that a short kink at the
/// junction (a mapped lane split, a rounded corner) does not decide the angle.
constexpr double bearing_lookahead_m = 15.0;

/// Points of an arc in driving order.
std::vector<LonLat> arc_points(const RoadGraph::Arrays& g, std::uint32_t arc) {
    const auto code = g.arc_edge[arc];
    const auto e = code >> 1;
    std::vector<LonLat> pts(g.points.begin() + g.edge_first_point[e], g.points.begin() + g.edge_first_point[e + 1]);
    if ((code & 1U) != 0) {
        std::reverse(pts.begin(), pts.end());
    }
    return pts;
}

double metres(LonLat a, LonLat b) {
    constexpr double r = 6371008.8;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double x = (b.lon - a.lon) * rad * std::cos((a.lat + b.lat) * 0.5 * rad);
    const double y = (b.lat - a.lat) * rad;
    return r * std::sqrt(x * x + y * y);
}

/// Bearing leaving the tail (out) and arriving at the head (in) of every arc.
struct ArcBearings {
    std::vector<double> at_tail;
    std::vector<double> at_head;
};

ArcBearings arc_bearings(const RoadGraph::Arrays& g) {
    ArcBearings b;
    const std::size_t arcs = g.head.size();
    b.at_tail.resize(arcs);
    b.at_head.resize(arcs);
    for (std::uint32_t a = 0; a < arcs; ++a) {
        const auto pts = arc_points(g, a);
        std::size_t i = 1;
        while (i + 1 < pts.size() && metres(pts[0], pts[i]) < bearing_lookahead_m) {
            ++i;
        }
        b.at_tail[a] = bearing_deg(pts[0], pts[i]);
        std::size_t j = pts.size() - 2;
        while (j > 0 && metres(pts[j], pts.back()) < bearing_lookahead_m) {
            --j;
        }
        b.at_head[a] = bearing_deg(pts[j], pts.back());
    }
    return b;
}

Deciseconds to_ds(double seconds) { return static_cast<Deciseconds>(std::llround(std::max(0.0, seconds) * 10.0)); }

/// The transitions out of one state: (to state, turn ds).
using TurnList = std::vector<std::pair<std::uint32_t, Deciseconds>>;

/// Allowed transitions per state while they are being built (copies appended at the end).
struct TurnTable {
    std::vector<TurnList> out;  ///< per state: (to state, turn ds)
    std::vector<std::uint32_t> state_arc;
};

class RestrictionResolver {
public:
    RestrictionResolver(const RoadGraph::Arrays& g, const std::vector<ArcEnds>& ends, const std::vector<NodeInfo>& nodes,
                        const std::vector<WayEnds>& way_ends, TurnTable& table, GraphBuildReport& report)
        : m_g(g), m_ends(ends), m_way_ends(way_ends), m_table(table), m_report(report),
          m_copies_from(static_cast<std::uint32_t>(table.state_arc.size())) {
        for (std::uint32_t v = 0; v < nodes.size(); ++v) {
            m_node_of_osm.emplace(nodes[v].osm_id, v);
        }
    }

    void apply(const TurnRestriction& r) {
        if (r.via_node != 0) {
            apply_via_node(r);
        } else {
            apply_via_ways(r);
        }
    }

private:
    void problem(const TurnRestriction& r, const std::string& why) {
        ++m_report.restrictions_not_applied;
        if (m_report.restriction_problems.size() < 10) {
            m_report.restriction_problems.push_back(fmt::format("relation/{} ({}): {}", r.relation_id, r.value, why));
        }
    }

    std::optional<std::uint32_t> node_of(std::int64_t osm_id) const {
        const auto it = m_node_of_osm.find(osm_id);
        return it == m_node_of_osm.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
    }

    /// Arcs entering v on way `w`, and leaving v on way `w`.
    std::vector<std::uint32_t> arcs_in(std::uint32_t v, std::int64_t w) const {
        std::vector<std::uint32_t> out;
        for (auto i = m_g.first_in[v]; i < m_g.first_in[v + 1]; ++i) {
            if (m_ends[m_g.in_arc[i]].head_way == w) {
                out.push_back(m_g.in_arc[i]);
            }
        }
        return out;
    }
    std::vector<std::uint32_t> arcs_out(std::uint32_t v, std::int64_t w) const {
        std::vector<std::uint32_t> out;
        for (auto a = m_g.first_out[v]; a < m_g.first_out[v + 1]; ++a) {
            if (m_ends[a].tail_way == w) {
                out.push_back(a);
            }
        }
        return out;
    }

    /// Forbids, at the end of a path ending in `state`, the turns into the arcs `to` (no_*), or
    /// every turn but those (only_*). Returns the number of turns removed.
    std::size_t forbid(std::uint32_t state, const std::vector<std::uint32_t>& to, bool only) {
        auto& out = m_table.out[state];
        const auto before = out.size();
        auto is_target = [&](std::uint32_t t) {
            return std::find(to.begin(), to.end(), m_table.state_arc[t]) != to.end();
        };
        out.erase(std::remove_if(out.begin(), out.end(),
                                 [&](const auto& turn) { return only ? !is_target(turn.first) : is_target(turn.first); }),
                  out.end());
        return before - out.size();
    }

    void apply_via_node(const TurnRestriction& r) {
        const auto v = node_of(r.via_node);
        if (!v) {
            problem(r, fmt::format("via node/{} is not on the network", r.via_node));
            return;
        }
        std::vector<std::uint32_t> to;
        for (auto w : r.to_ways) {
            const auto a = arcs_out(*v, w);
            to.insert(to.end(), a.begin(), a.end());
        }
        std::size_t from_count = 0;
        std::size_t removed = 0;
        for (auto w : r.from_ways) {
            for (auto c : arcs_in(*v, w)) {
                ++from_count;
                // The state of arc c and every copy of it: a car that came along another
                // restriction's path is still coming from this way.
                for (const auto s : states_of(c)) {
                    removed += forbid(s, to, r.only);
                }
            }
        }
        if (from_count == 0 || to.empty()) {
            problem(r, from_count == 0 ? "no drivable 'from' way into the via node" : "no drivable 'to' way out of the via node");
            return;
        }
        ++m_report.restrictions_applied_via_node;
        m_report.turns_forbidden += removed;
    }

    const WayEnds* way_ends(std::int64_t w) const {
        const auto it = std::lower_bound(m_way_ends.begin(), m_way_ends.end(), w,
                                         [](const WayEnds& e, std::int64_t id) { return e.way_id < id; });
        return it != m_way_ends.end() && it->way_id == w ? &*it : nullptr;
    }

    /// The arcs along way `w` from node `from` to its other end; empty if it cannot be driven so.
    std::vector<std::uint32_t> along_way(std::uint32_t from, std::int64_t w, std::uint32_t& end_node) const {
        const WayEnds* ends = way_ends(w);
        if (ends == nullptr) {
            return {};
        }
        const auto first = node_of(ends->first_node);
        const auto last = node_of(ends->last_node);
        if (!first || !last || (from != *first && from != *last)) {
            return {};
        }
        const std::uint32_t goal = from == *first ? *last : *first;
        std::vector<std::uint32_t> path;
        std::uint32_t at = from;
        std::uint32_t previous_edge = invalid_index;
        while (at != goal || path.empty()) {
            std::optional<std::uint32_t> next;
            for (auto a = m_g.first_out[at]; a < m_g.first_out[at + 1]; ++a) {
                if (m_ends[a].tail_way == w && (m_g.arc_edge[a] >> 1) != previous_edge) {
                    next = a;
                    break;
                }
            }
            if (!next || path.size() > 10000) {
                return {};
            }
            path.push_back(*next);
            previous_edge = m_g.arc_edge[*next] >> 1;
            at = m_g.head[*next];
        }
        end_node = at;
        return path;
    }

    void apply_via_ways(const TurnRestriction& r) {
        const auto& first_via = r.via_ways.front();
        const WayEnds* ends = way_ends(first_via);
        if (ends == nullptr) {
            problem(r, fmt::format("via way/{} is not on the network", first_via));
            return;
        }
        std::size_t paths = 0;
        std::size_t removed = 0;
        for (auto start_osm : {ends->first_node, ends->last_node}) {
            const auto start = node_of(start_osm);
            if (!start) {
                continue;
            }
            // The via ways in order, from this end of the first one.
            std::vector<std::uint32_t> path;
            std::uint32_t at = *start;
            bool ok = true;
            for (auto w : r.via_ways) {
                std::uint32_t end = 0;
                const auto part = along_way(at, w, end);
                if (part.empty()) {
                    ok = false;
                    break;
                }
                path.insert(path.end(), part.begin(), part.end());
                at = end;
            }
            if (!ok) {
                continue;
            }
            std::vector<std::uint32_t> to;
            for (auto w : r.to_ways) {
                const auto a = arcs_out(at, w);
                to.insert(to.end(), a.begin(), a.end());
            }
            for (auto c : arcs_in(*start, r.from_ways.front())) {
                if (to.empty()) {
                    break;
                }
                ++paths;
                for (const auto s : states_of(c)) {
                    removed += restrict_path(s, path, to, r.only);
                }
            }
        }
        if (paths == 0) {
            problem(r, "the from, via and to ways do not join up on the network");
            return;
        }
        ++m_report.restrictions_applied_via_way;
        m_report.turns_forbidden += removed;
    }

    /// A car in `state` that drives `path` next may not then turn into `to` (no_*) or may only
    /// (only_*): it drives the path in copies of its states, whose exits are restricted. Copies
    /// made for an earlier restriction along the same path are followed, not copied again.
    std::size_t restrict_path(std::uint32_t state, const std::vector<std::uint32_t>& path,
                              const std::vector<std::uint32_t>& to, bool only) {
        std::uint32_t s = state;
        for (const auto arc : path) {
            auto& out = m_table.out[s];
            auto it = std::find_if(out.begin(), out.end(), [&](const auto& t) { return m_table.state_arc[t.first] == arc; });
            if (it == out.end()) {
                return 0;  // that turn is already forbidden: the restriction cannot bite
            }
            const std::uint32_t target = it->first;
            if (target < m_copies_from) {
                // First restriction along this step: a copy of the state that keeps its exits.
                const auto copy = static_cast<std::uint32_t>(m_table.state_arc.size());
                m_table.state_arc.push_back(arc);
                m_table.out.push_back(m_table.out[target]);
                it = std::find_if(m_table.out[s].begin(), m_table.out[s].end(),
                                  [&](const auto& t) { return m_table.state_arc[t.first] == arc; });
                it->first = copy;
                m_copies.emplace(arc, copy);
                ++m_report.states_copied;
                s = copy;
            } else {
                s = target;
            }
        }
        return forbid(s, to, only);
    }

    /// Every state of arc `c`: the arc itself and the copies made so far.
    std::vector<std::uint32_t> states_of(std::uint32_t c) const {
        std::vector<std::uint32_t> out{c};
        const auto [b, e] = m_copies.equal_range(c);
        for (auto it = b; it != e; ++it) {
            out.push_back(it->second);
        }
        return out;
    }

    const RoadGraph::Arrays& m_g;
    const std::vector<ArcEnds>& m_ends;
    const std::vector<WayEnds>& m_way_ends;
    TurnTable& m_table;
    GraphBuildReport& m_report;
    std::uint32_t m_copies_from;  ///< copies are the states from this index on
    std::multimap<std::uint32_t, std::uint32_t> m_copies;  ///< arc -> its copies
    std::map<std::int64_t, std::uint32_t> m_node_of_osm;
};

/// Delay for traffic arriving on arc `c` and passing node v (signals, stop, gate...), seconds.
double node_delay_s(const NodeRule& rule, const ArcEnds& c) {
    if (rule.direction == NodeDirection::forward && !c.head_along_way) {
        return 0.0;
    }
    if (rule.direction == NodeDirection::backward && c.head_along_way) {
        return 0.0;
    }
    return rule.delay_s;
}

/// Destination-only arcs (access=private, destination...) may start or end a trip, never be
/// driven through: a path may go through them only at its start and at its end. Each of their
/// states gets a second state, entered from the open network and with no way back out to it;
/// the first keeps its exits (a trip that starts there leaves freely). Open roads that can be
/// reached only through destination-only ones (a public cul-de-sac behind a private gate) carry
/// only the traffic of the places on them too: they are treated the same way, so that nobody
/// living there is cut off.
void add_destination_copies(TurnTable& table, const std::vector<ArcEnds>& ends, GraphBuildReport& report) {
    const auto states = static_cast<std::uint32_t>(table.out.size());
    std::vector<std::uint8_t> destination(states, 0);
    bool any = false;
    for (std::uint32_t s = 0; s < states; ++s) {
        destination[s] = ends[table.state_arc[s]].destination ? 1 : 0;
        any = any || destination[s] != 0;
    }
    if (!any) {
        return;
    }
    // The open network: the largest strongly connected part of the turns between open states.
    std::vector<std::uint32_t> first(states + 1, 0);
    std::vector<std::uint32_t> head;
    for (std::uint32_t s = 0; s < states; ++s) {
        if (destination[s] == 0) {
            for (const auto& t : table.out[s]) {
                if (destination[t.first] == 0) {
                    head.push_back(t.first);
                }
            }
        }
        first[s + 1] = static_cast<std::uint32_t>(head.size());
    }
    const StrongComponents open = strong_components(first, head);
    for (std::uint32_t s = 0; s < states; ++s) {
        if (destination[s] == 0 && open.component[s] != open.largest) {
            destination[s] = 1;
            ++report.states_behind_destination;
        }
    }
    std::vector<std::uint32_t> end_copy(states, invalid_index);
    for (std::uint32_t s = 0; s < states; ++s) {
        if (destination[s] != 0) {
            end_copy[s] = static_cast<std::uint32_t>(table.state_arc.size());
            table.state_arc.push_back(table.state_arc[s]);
            table.out.emplace_back();
            ++report.states_destination_only;
        }
    }
    for (std::uint32_t s = 0; s < states; ++s) {
        if (end_copy[s] == invalid_index) {
            // From the open network into a destination-only arc: into its copy without exits.
            for (auto& [t, ds] : table.out[s]) {
                if (end_copy[t] != invalid_index) {
                    t = end_copy[t];
                }
            }
            continue;
        }
        auto& inside = table.out[end_copy[s]];
        for (const auto& [t, ds] : table.out[s]) {
            if (end_copy[t] != invalid_index) {
                inside.emplace_back(end_copy[t], ds);
            }
        }
    }
}

/// The turns at the nodes before any restriction: the states (one per arc so far) and their
/// transitions, and per arc the U-turns the profile does not allow, kept aside: one may be needed
/// where nothing else is.
struct NodeTurns {
    TurnTable table;
    std::vector<TurnList> u_turn_of;
};

/// Number of distinct edges touching node v (`edges_at` is scratch): 1 at a dead end, 3 or more
/// at a junction.
std::size_t distinct_edges_at(const RoadGraph::Arrays& g, std::uint32_t v, std::vector<std::uint32_t>& edges_at) {
    edges_at.clear();
    for (auto a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
        edges_at.push_back(g.arc_edge[a] >> 1);
    }
    for (auto i = g.first_in[v]; i < g.first_in[v + 1]; ++i) {
        edges_at.push_back(g.arc_edge[g.in_arc[i]] >> 1);
    }
    std::sort(edges_at.begin(), edges_at.end());
    edges_at.erase(std::unique(edges_at.begin(), edges_at.end()), edges_at.end());
    return edges_at.size();
}

/// The importance rank of the most important road at node v, for yielding.
int best_rank_at(const RoadGraph::Arrays& g, const std::vector<ArcEnds>& ends, const Profile& profile,
                 std::uint32_t v) {
    int best_rank = 1 << 20;
    for (auto a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
        best_rank = std::min(best_rank, profile.importance_rank(ends[a].tail_class));
    }
    for (auto i = g.first_in[v]; i < g.first_in[v + 1]; ++i) {
        best_rank = std::min(best_rank, profile.importance_rank(ends[g.in_arc[i]].head_class));
    }
    return best_rank;
}

/// Every turn from an arc into a node to an arc out of it, with its cost (junction delay, angle,
/// U-turn, yielding): the transitions of the arcs' own states, before any restriction.
NodeTurns turns_at_nodes(const RoadGraph::Arrays& g, const std::vector<ArcEnds>& ends,
                         const std::vector<NodeInfo>& nodes, const Profile& profile, GraphBuildReport& report) {
    const auto n = static_cast<std::uint32_t>(g.first_out.size() - 1);
    const auto arcs = static_cast<std::uint32_t>(g.head.size());
    const ArcBearings bearing = arc_bearings(g);
    const auto& turns = profile.turns;

    NodeTurns node_turns;
    TurnTable& table = node_turns.table;
    table.out.resize(arcs);
    table.state_arc.resize(arcs);
    for (std::uint32_t a = 0; a < arcs; ++a) {
        table.state_arc[a] = a;
    }
    auto& u_turn_of = node_turns.u_turn_of;
    u_turn_of.resize(arcs);

    std::vector<std::uint32_t> edges_at;  // distinct edges touching the node being processed
    for (std::uint32_t v = 0; v < n; ++v) {
        const std::size_t edge_count = distinct_edges_at(g, v, edges_at);
        const bool dead_end = edge_count == 1;
        const bool junction = edge_count > 2;
        const NodeRule& rule = nodes[v].rule;
        const bool signals = rule.feature == NodeFeature::traffic_signals;
        const int best_rank = best_rank_at(g, ends, profile, v);
        for (auto i = g.first_in[v]; i < g.first_in[v + 1]; ++i) {
            const std::uint32_t c = g.in_arc[i];
            const int c_rank = profile.importance_rank(ends[c].head_class);
            const double delay = node_delay_s(rule, ends[c]);
            for (auto b = g.first_out[v]; b < g.first_out[v + 1]; ++b) {
                const bool u_turn = (g.arc_edge[b] >> 1) == (g.arc_edge[c] >> 1) && b != c;
                double cost = delay;
                const double angle = turn_angle_deg(bearing.at_head[c], bearing.at_tail[b]);
                if (junction || u_turn) {
                    cost += turn_angle_cost_s(turns, u_turn ? 180.0 : angle);
                }
                if (u_turn) {
                    cost += turns.u_turn_s;
                }
                // Crossing or joining a more important road where no signal gives the way.
                const int b_rank = profile.importance_rank(ends[b].tail_class);
                if (!signals && junction && !ends[c].ferry && (b_rank < c_rank || best_rank < c_rank)) {
                    cost += turns.yield_s;
                }
                if (u_turn && !turns.u_turns_anywhere && !dead_end) {
                    u_turn_of[c].emplace_back(b, to_ds(cost));
                    continue;
                }
                if (u_turn) {
                    ++report.u_turns_at_dead_ends;
                }
                table.out[c].emplace_back(b, to_ds(cost));
            }
            if (delay > 0.0) {
                ++report.turns_with_junction_delay;
            }
        }
    }
    return node_turns;
}

/// Applies the restrictions that apply to cars. Through nodes first, then through ways: the
/// copies a way restriction makes inherit the node restrictions of their arcs.
void apply_restrictions(const RoadGraph::Arrays& g, const std::vector<ArcEnds>& ends,
                        const std::vector<NodeInfo>& nodes, const std::vector<WayEnds>& way_ends,
                        const std::vector<TurnRestriction>& restrictions, TurnTable& table,
                        GraphBuildReport& report) {
    RestrictionResolver resolver(g, ends, nodes, way_ends, table, report);
    for (const auto& r : restrictions) {
        if (r.via_node != 0) {
            resolver.apply(r);
        }
    }
    for (const auto& r : restrictions) {
        if (r.via_node == 0) {
            resolver.apply(r);
        }
    }
}

/// A car must never be trapped: where an arc (or a copy) has no way out at all, the U-turn the
/// profile does not allow is allowed after all.
void allow_u_turns_where_trapped(TurnTable& table, const std::vector<TurnList>& u_turn_of, GraphBuildReport& report) {
    for (std::uint32_t s = 0; s < table.out.size(); ++s) {
        const auto arc = table.state_arc[s];
        if (table.out[s].empty() && !u_turn_of[arc].empty()) {
            table.out[s] = u_turn_of[arc];
            ++report.u_turns_no_other_way;
        }
    }
}

/// The strongly connected components of the states under their transitions.
StrongComponents state_components(const TurnTable& table) {
    std::vector<std::uint32_t> first(table.out.size() + 1, 0);
    std::vector<std::uint32_t> head;
    for (std::uint32_t s = 0; s < table.out.size(); ++s) {
        for (const auto& t : table.out[s]) {
            head.push_back(t.first);
        }
        first[s + 1] = static_cast<std::uint32_t>(head.size());
    }
    return strong_components(first, head);
}

/// States that cannot reach the rest (or be reached) without a U-turn, e.g. at the end of a road
/// closed by a restriction: allow their U-turns, once, and count what is still apart.
void allow_u_turns_to_stay_connected(TurnTable& table, const std::vector<TurnList>& u_turn_of,
                                     GraphBuildReport& report) {
    auto scc = state_components(table);
    if (scc.largest_size < table.out.size()) {
        for (std::uint32_t s = 0; s < table.out.size(); ++s) {
            if (scc.component[s] != scc.largest) {
                for (const auto& u : u_turn_of[table.state_arc[s]]) {
                    table.out[s].push_back(u);
                    ++report.u_turns_to_stay_connected;
                }
            }
        }
        scc = state_components(table);
    }
    report.states_apart = table.out.size() - scc.largest_size;
}

/// The finished table as the search graph takes it: the arc of each copy (the states past the
/// `arcs` first ones) and every transition, in state order.
SearchGraphParts search_graph_parts(const TurnTable& table, std::uint32_t arcs) {
    SearchGraphParts parts;
    parts.copy_arc.assign(table.state_arc.begin() + arcs, table.state_arc.end());
    for (std::uint32_t s = 0; s < table.out.size(); ++s) {
        for (const auto& [t, ds] : table.out[s]) {
            parts.turns.push_back({s, t, ds});
        }
    }
    return parts;
}

} // namespace

SearchGraphParts build_turns(const RoadGraph::Arrays& g, const std::vector<ArcEnds>& ends,
                             const std::vector<NodeInfo>& nodes, const std::vector<WayEnds>& way_ends,
                             const std::vector<TurnRestriction>& restrictions, const Profile& profile,
                             GraphBuildReport& report) {
    const auto arcs = static_cast<std::uint32_t>(g.head.size());
    NodeTurns node_turns = turns_at_nodes(g, ends, nodes, profile, report);
    TurnTable& table = node_turns.table;
    apply_restrictions(g, ends, nodes, way_ends, restrictions, table, report);
    allow_u_turns_where_trapped(table, node_turns.u_turn_of, report);
    allow_u_turns_to_stay_connected(table, node_turns.u_turn_of, report);
    add_destination_copies(table, ends, report);
    return search_graph_parts(table, arcs);
}

} // namespace proxima::detail
