#include "proxima/routing/contraction_hierarchy.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proxima {

namespace {

struct Arc {
    std::uint32_t node;
    Deciseconds ds;
    std::uint32_t hops;  ///< transitions the arc stands for (1 for a transition)
};

/// Adds an arc to `node` to a list, or lowers the weight of the one already there (taking the
/// hops of the lighter). Returns true if an arc was added.
bool add_or_lower(std::vector<Arc>& list, std::uint32_t node, Deciseconds ds, std::uint32_t hops) {
    for (auto& a : list) {
        if (a.node == node) {
            if (ds < a.ds) {
                a.ds = ds;
                a.hops = hops;
            }
            return false;
        }
    }
    list.push_back({node, ds, hops});
    return true;
}

void remove_arc(std::vector<Arc>& list, std::uint32_t node) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (list[i].node == node) {
            list[i] = list.back();
            list.pop_back();
            return;
        }
    }
}

/// Weight of a state's level in its importance (see Contractor::importance).
constexpr std::int64_t level_weight = 10;

/// The remaining graph while contracting, and the local searches on it.
class Contractor {
public:
    Contractor(const RoadGraph& graph, const HierarchyBuildOptions& options)
        : m_n(graph.state_count()), m_options(options), m_out(m_n), m_in(m_n), m_level(m_n, 0),
          m_contracted_neighbours(m_n, 0), m_dist(m_n, 0), m_hops(m_n, 0), m_stamp(m_n, 0) {
        const auto first = graph.first_transition();
        const auto head = graph.transition_head();
        const auto ds = graph.transition_ds();
        for (std::uint32_t s = 0; s < m_n; ++s) {
            for (auto i = first[s]; i < first[s + 1]; ++i) {
                if (head[i] != s) {  // a loop never shortens a path
                    add_or_lower(m_out[s], head[i], ds[i], 1);
                }
            }
        }
        for (std::uint32_t s = 0; s < m_n; ++s) {
            m_transitions += m_out[s].size();
            for (const auto& a : m_out[s]) {
                m_in[a.node].push_back({s, a.ds, a.hops});
            }
        }
    }

    StateHierarchy run(HierarchyBuildReport& report) {
        using Entry = std::pair<std::int64_t, std::uint32_t>;  // (priority, state): ties by id
        std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
        std::vector<std::int64_t> priority(m_n);
        for (std::uint32_t v = 0; v < m_n; ++v) {
            priority[v] = importance(v);
            queue.emplace(priority[v], v);
        }
        std::vector<std::uint32_t> order;
        order.reserve(m_n);
        std::vector<unsigned char> done(m_n, 0);
        std::vector<std::vector<Arc>> up(m_n);
        std::vector<std::vector<Arc>> down(m_n);
        while (!queue.empty()) {
            const auto [p, v] = queue.top();
            queue.pop();
            if (done[v] != 0 || p != priority[v]) {
                continue;  // stale entry
            }
            // Lazy update: contract v only if it is still the least important.
            const std::int64_t now = importance(v);
            if (now > p && !queue.empty() && Entry{now, v} > queue.top()) {
                priority[v] = now;
                queue.emplace(now, v);
                continue;
            }
            contract(v);
            done[v] = 1;
            order.push_back(v);
            if (m_options.progress && (order.size() & 4095U) == 0) {
                m_options.progress(static_cast<double>(order.size()) / m_n);
            }
            up[v] = m_out[v];
            down[v] = m_in[v];
            for (const auto& a : m_out[v]) {
                remove_arc(m_in[a.node], v);
            }
            for (const auto& a : m_in[v]) {
                remove_arc(m_out[a.node], v);
            }
            // Neighbours: one more contracted around them, a level above v, a new importance.
            std::vector<std::uint32_t> neighbours;
            for (const auto& a : m_out[v]) {
                neighbours.push_back(a.node);
            }
            for (const auto& a : m_in[v]) {
                neighbours.push_back(a.node);
            }
            std::sort(neighbours.begin(), neighbours.end());
            neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
            for (auto w : neighbours) {
                ++m_contracted_neighbours[w];
                m_level[w] = std::max(m_level[w], m_level[v] + 1);
            }
            m_out[v] = {};
            m_in[v] = {};
            for (auto w : neighbours) {
                priority[w] = importance(w);
                queue.emplace(priority[w], w);
            }
        }
        return assemble(order, up, down, report);
    }

private:
    /// Local Dijkstra from `from` avoiding `skip`, until every state within `bound` is settled
    /// or a limit is reached; m_dist/m_stamp hold what it found.
    void witness_search(std::uint32_t from, std::uint32_t skip, Deciseconds bound, std::size_t targets,
                        std::uint32_t settle_limit) {
        ++m_round;
        using Entry = std::pair<Deciseconds, std::uint32_t>;
        m_heap.clear();
        m_dist[from] = 0;
        m_hops[from] = 0;
        m_stamp[from] = m_round;
        m_heap.emplace_back(0, from);
        std::uint32_t settled = 0;
        std::size_t targets_settled = 0;
        while (!m_heap.empty()) {
            std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>{});
            const Entry top = m_heap.back();
            m_heap.pop_back();
            const std::uint32_t u = top.second;
            if (top.first != m_dist[u]) {
                continue;
            }
            if (top.first > bound || ++settled > settle_limit) {
                return;
            }
            if (m_target_mark[u] == m_round && ++targets_settled == targets) {
                return;  // every target settled: their times are final
            }
            if (m_hops[u] >= m_options.witness_hop_limit) {
                continue;
            }
            for (const auto& a : m_out[u]) {
                if (a.node == skip) {
                    continue;
                }
                const Deciseconds t = top.first + a.ds;
                if (t > bound) {
                    continue;
                }
                if (m_stamp[a.node] != m_round || t < m_dist[a.node]) {
                    m_stamp[a.node] = m_round;
                    m_dist[a.node] = t;
                    m_hops[a.node] = m_hops[u] + 1;
                    m_heap.emplace_back(t, a.node);
                    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<>{});
                }
            }
        }
    }

    /// Calls add(u, w, ds, hops) for every shortcut contracting v needs.
    template <typename Add>
    void shortcuts_of(std::uint32_t v, std::uint32_t settle_limit, Add&& add) {
        const auto& outs = m_out[v];
        if (outs.empty()) {
            return;
        }
        Deciseconds max_out = 0;
        for (const auto& b : outs) {
            max_out = std::max(max_out, b.ds);
        }
        for (const auto& a : m_in[v]) {
            const std::uint32_t u = a.node;
            // The round of the search to come marks the targets (witness_search increments it).
            const std::uint32_t round = m_round + 1;
            std::size_t targets = 0;
            for (const auto& b : outs) {
                if (b.node != u && m_target_mark[b.node] != round) {
                    m_target_mark[b.node] = round;
                    ++targets;
                }
            }
            if (targets == 0) {
                ++m_round;
                continue;
            }
            witness_search(u, v, a.ds + max_out, targets, settle_limit);
            for (const auto& b : outs) {
                if (b.node == u) {
                    continue;
                }
                const Deciseconds via = a.ds + b.ds;
                if (m_stamp[b.node] != m_round || m_dist[b.node] > via) {
                    add(u, b.node, std::min(via, hierarchy_cap_ds), a.hops + b.hops);
                }
            }
        }
    }

    /// Lower is contracted first: the shortcuts contracting v would add per arc it removes, the
    /// same counted in transitions (long shortcuts make deep searches), the neighbours already
    /// contracted (in thousandths), and the level, weighted lightly: on the turn-aware graph of a
    /// real network (a 4 x 4 mosaic of the Liechtenstein extract, 315 k transitions), a level
    /// worth a whole quotient (1000) made 467 k shortcuts in 74 s, 10 made 389 k in 35 s, 0
    /// made 391 k (benchmarks/README.md).
    std::int64_t importance(std::uint32_t v) {
        std::int64_t added = 0;
        std::int64_t added_hops = 0;
        shortcuts_of(v, m_options.witness_settle_limit / 5 + 1, [&](std::uint32_t, std::uint32_t, Deciseconds, std::uint32_t hops) {
            ++added;
            added_hops += hops;
        });
        std::int64_t removed_hops = 0;
        for (const auto& a : m_out[v]) {
            removed_hops += a.hops;
        }
        for (const auto& a : m_in[v]) {
            removed_hops += a.hops;
        }
        const auto removed = static_cast<std::int64_t>(m_out[v].size() + m_in[v].size());
        return 1000 * added / std::max<std::int64_t>(1, removed) + 1000 * added_hops / std::max<std::int64_t>(1, removed_hops) +
               1000 * m_contracted_neighbours[v] / std::max<std::int64_t>(1, removed + m_contracted_neighbours[v]) +
               level_weight * m_level[v];
    }

    void contract(std::uint32_t v) {
        std::vector<std::tuple<std::uint32_t, std::uint32_t, Deciseconds, std::uint32_t>> added;
        shortcuts_of(v, m_options.witness_settle_limit, [&](std::uint32_t u, std::uint32_t w, Deciseconds ds, std::uint32_t hops) {
            added.emplace_back(u, w, ds, hops);
        });
        for (const auto& [u, w, ds, hops] : added) {
            if (add_or_lower(m_out[u], w, ds, hops)) {
                m_in[w].push_back({u, ds, hops});
                ++m_shortcuts;
            } else {
                for (auto& b : m_in[w]) {
                    if (b.node == u && ds < b.ds) {
                        b.ds = ds;
                        b.hops = hops;
                    }
                }
            }
        }
    }

    StateHierarchy assemble(const std::vector<std::uint32_t>& order, std::vector<std::vector<Arc>>& up,
                            std::vector<std::vector<Arc>>& down, HierarchyBuildReport& report) const {
        StateHierarchy h;
        h.rank.assign(m_n, 0);
        for (std::uint32_t r = 0; r < m_n; ++r) {
            h.rank[order[r]] = r;
        }
        auto fill = [&](std::vector<std::vector<Arc>>& lists, std::vector<std::uint32_t>& first,
                        std::vector<std::uint32_t>& other, std::vector<Deciseconds>& ds) {
            first.assign(1, 0);
            for (std::uint32_t r = 0; r < m_n; ++r) {
                auto& list = lists[order[r]];
                for (auto& a : list) {
                    a.node = h.rank[a.node];
                }
                std::sort(list.begin(), list.end(), [](const Arc& x, const Arc& y) { return x.node < y.node; });
                for (const auto& a : list) {
                    other.push_back(a.node);
                    ds.push_back(a.ds);
                }
                first.push_back(static_cast<std::uint32_t>(other.size()));
                list = {};
            }
        };
        fill(up, h.up_first, h.up_head, h.up_ds);
        fill(down, h.down_first, h.down_tail, h.down_ds);
        report.states = m_n;
        report.transitions = m_transitions;
        report.arcs = h.arc_count();
        report.shortcuts = m_shortcuts;  // every arc is kept once, up at its lower end or down
        report.bytes = h.memory_bytes();
        return h;
    }

    std::uint32_t m_n;
    HierarchyBuildOptions m_options;
    std::vector<std::vector<Arc>> m_out;
    std::vector<std::vector<Arc>> m_in;
    std::vector<std::int64_t> m_level;
    std::vector<std::int64_t> m_contracted_neighbours;
    std::uint64_t m_transitions = 0;
    std::uint64_t m_shortcuts = 0;

    std::vector<Deciseconds> m_dist;
    std::vector<std::uint32_t> m_hops;
    std::vector<std::uint32_t> m_stamp;
    std::vector<std::uint32_t> m_target_mark = std::vector<std::uint32_t>(m_n, 0);
    std::uint32_t m_round = 0;
    std::vector<std::pair<Deciseconds, std::uint32_t>> m_heap;
};

} // namespace

StateHierarchy build_state_hierarchy(const RoadGraph& graph, HierarchyBuildReport* report,
                                     const HierarchyBuildOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    HierarchyBuildReport figures;
    Contractor contractor(graph, options);
    StateHierarchy h = contractor.run(figures);
    figures.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (report != nullptr) {
        *report = figures;
    }
    return h;
}

HierarchyBuildReport add_state_hierarchy(RoadGraph& graph, const HierarchyBuildOptions& options) {
    HierarchyBuildReport report;
    graph.set_hierarchy(build_state_hierarchy(graph, &report, options));
    return report;
}

std::string format_hierarchy_report(const HierarchyBuildReport& r) {
    return fmt::format("  contraction hierarchy: {:.2f} s, {} shortcuts for {} transitions, {:.1f} bytes per state\n",
                       r.seconds, r.shortcuts, r.transitions, r.bytes_per_state());
}

} // namespace proxima
