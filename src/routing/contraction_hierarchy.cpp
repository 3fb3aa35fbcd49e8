#include "proxima/routing/contraction_hierarchy.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <omp.h>

#include "proxima/core/error.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/core/threads.hpp"

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

/// The arcs contracted states keep in the hierarchy (up to the states above, or down from them):
/// each state's list stored end to end, in contraction order, without a vector per state. In a
/// block store, so that it never holds a copy of itself while it grows (France: 10^8 arcs).
class KeptArcs {
public:
    explicit KeptArcs(std::uint32_t states) : m_begin(states, 0), m_count(states, 0) {}

    void keep(std::uint32_t state, const std::vector<Arc>& list) {
        if (m_arcs.size() + list.size() > std::numeric_limits<std::uint32_t>::max()) {
            // The hierarchy's arrays index arcs with 32 bits.
            throw Error(fmt::format("contraction hierarchy: more than {} arcs", std::numeric_limits<std::uint32_t>::max()));
        }
        m_begin[state] = static_cast<std::uint32_t>(m_arcs.size());
        m_count[state] = static_cast<std::uint32_t>(list.size());
        for (const auto& a : list) {
            m_arcs.push_back({a.node, a.ds});
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_arcs.size(); }

    /// Calls f(node, ds) for each arc kept by `state`.
    template <class F>
    void for_each(std::uint32_t state, F&& f) const {
        const auto end = m_begin[state] + m_count[state];
        for (auto i = m_begin[state]; i < end; ++i) {
            f(m_arcs[i].node, m_arcs[i].ds);
        }
    }

    void release() {
        release_memory(m_arcs);
        release_memory(m_begin);
        release_memory(m_count);
    }

private:
    struct Kept {
        std::uint32_t node;
        Deciseconds ds;
    };
    std::deque<Kept> m_arcs;
    std::vector<std::uint32_t> m_begin;
    std::vector<std::uint32_t> m_count;
};

/// Weight of a state's level in its importance (see Contractor::importance).
constexpr std::int64_t level_weight = 10;

/// A round's candidates are the states among the lowest 1/round_candidate_share of the remaining
/// importances. Local minima alone (within two arcs) let a state of high importance go early when
/// its neighbours' are higher still, and the hierarchy follows the global order less closely. On
/// the 1 M-node mosaic of benchmarks/run-scaling.sh, 100 services by PHAST (8 lanes) took 1.86 s
/// on a hierarchy contracted one state at a time, 2.49 s with local minima alone, 2.28 s with an
/// eighth; a 32nd was no better and took 40 % more rounds (benchmarks/README.md).
constexpr std::size_t round_candidate_share = 8;

/// A shortcut u -> w found while contracting a state.
struct Shortcut {
    std::uint32_t from;
    std::uint32_t to;
    Deciseconds ds;
    std::uint32_t hops;
};

/// What one thread's witness searches need: per-state times, hops and marks, reset by rounds
/// (stamps) rather than cleared.
struct WitnessScratch {
    explicit WitnessScratch(std::uint32_t n) : dist(n, 0), hops(n, 0), stamp(n, 0), target_mark(n, 0) {}
    std::vector<Deciseconds> dist;
    std::vector<std::uint32_t> hops;
    std::vector<std::uint32_t> stamp;
    std::vector<std::uint32_t> target_mark;
    std::uint32_t round = 0;
    std::vector<std::pair<Deciseconds, std::uint32_t>> heap;
};

/// The remaining graph while contracting, and the local searches on it.
///
/// States are contracted in rounds. A round takes every candidate (round_candidate_share) whose
/// importance (ties by id) is lower than that of every remaining state within two arcs of it: no
/// two of them are neighbours, so their shortcuts can be found at the same time, one thread each,
/// on the graph as it stands. Their witness searches avoid every state of the round, not only
/// their own: a witness through a state contracted in the same round would vanish with it. The
/// shortcuts are then applied in order of state id, and the neighbours' importances recomputed in
/// parallel. Nothing depends on the number of threads or their timing: one graph, one hierarchy.
class Contractor {
public:
    Contractor(const RoadGraph& graph, const HierarchyBuildOptions& options)
        : m_n(graph.state_count()), m_options(options), m_out(m_n), m_in(m_n), m_level(m_n, 0),
          m_contracted_neighbours(m_n, 0), m_in_round(m_n, 0) {
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
        const int threads = thread_count(m_options.threads);
        std::vector<std::unique_ptr<WitnessScratch>> scratch(static_cast<std::size_t>(threads));
        auto scratch_of_thread = [&]() -> WitnessScratch& {
            auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
            if (!s) {
                s = std::make_unique<WitnessScratch>(m_n);
            }
            return *s;
        };
        std::vector<std::int64_t> priority(m_n);
#pragma omp parallel for schedule(dynamic, 1024) num_threads(threads)
        for (std::int64_t i = 0; i < static_cast<std::int64_t>(m_n); ++i) {
            const auto v = static_cast<std::uint32_t>(i);
            priority[v] = importance(scratch_of_thread(), v);
        }
        std::vector<std::uint32_t> remaining(m_n);
        for (std::uint32_t v = 0; v < m_n; ++v) {
            remaining[v] = v;
        }
        std::vector<std::uint32_t> order;
        order.reserve(m_n);
        KeptArcs up(m_n);
        KeptArcs down(m_n);
        std::vector<unsigned char> pick;
        std::vector<std::uint32_t> round;
        std::vector<std::uint32_t> rest;
        std::vector<std::vector<Shortcut>> added;
        std::vector<std::uint32_t> touched;
        std::vector<unsigned char> is_touched(m_n, 0);
        std::size_t next_progress = 4096;
        std::vector<std::int64_t> importances;
        while (!remaining.empty()) {
            // The round: local minima of importance within two arcs, among the candidates.
            pick.assign(remaining.size(), 0);
            // Candidates: the lowest share of importances (ties included), so that a round
            // follows the global order of importance and not only the local one.
            importances.resize(remaining.size());
            for (std::size_t i = 0; i < remaining.size(); ++i) {
                importances[i] = priority[remaining[i]];
            }
            const auto cut = importances.begin() + static_cast<std::ptrdiff_t>(remaining.size() / round_candidate_share);
            std::nth_element(importances.begin(), cut, importances.end());
            const std::int64_t ceiling = *cut;
#pragma omp parallel for schedule(dynamic, 1024) num_threads(threads)
            for (std::int64_t i = 0; i < static_cast<std::int64_t>(remaining.size()); ++i) {
                const auto v = remaining[static_cast<std::size_t>(i)];
                pick[static_cast<std::size_t>(i)] = priority[v] <= ceiling && is_local_minimum(v, priority) ? 1 : 0;
            }
            round.clear();
            rest.clear();
            for (std::size_t i = 0; i < remaining.size(); ++i) {
                (pick[i] != 0 ? round : rest).push_back(remaining[i]);
            }
            for (auto v : round) {
                m_in_round[v] = 1;
            }
            added.assign(round.size(), {});
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
            for (std::int64_t i = 0; i < static_cast<std::int64_t>(round.size()); ++i) {
                auto& list = added[static_cast<std::size_t>(i)];
                shortcuts_of(scratch_of_thread(), round[static_cast<std::size_t>(i)], m_options.witness_settle_limit,
                             [&](std::uint32_t u, std::uint32_t w, Deciseconds ds, std::uint32_t hops) {
                                 list.push_back({u, w, ds, hops});
                             });
            }
            // Applied one state after the other, in id order: the same result on any thread count.
            touched.clear();
            for (std::size_t i = 0; i < round.size(); ++i) {
                const std::uint32_t v = round[i];
                remove_state(v, added[i], up, down, touched, is_touched);
            }
            // No arc joins two states of a round, so any order among them keeps the hierarchy;
            // by importance, then id, as one-by-one contraction would rank them.
            std::sort(round.begin(), round.end(),
                      [&](std::uint32_t a, std::uint32_t b) { return std::pair{priority[a], a} < std::pair{priority[b], b}; });
            order.insert(order.end(), round.begin(), round.end());
            for (auto v : round) {
                m_in_round[v] = 0;
            }
#pragma omp parallel for schedule(dynamic, 256) num_threads(threads)
            for (std::int64_t i = 0; i < static_cast<std::int64_t>(touched.size()); ++i) {
                const std::uint32_t w = touched[static_cast<std::size_t>(i)];
                priority[w] = importance(scratch_of_thread(), w);
            }
            for (auto w : touched) {
                is_touched[w] = 0;
            }
            remaining.swap(rest);
            if (m_options.progress && order.size() >= next_progress) {
                m_options.progress(static_cast<double>(order.size()) / m_n);
                next_progress = order.size() + 4096;
            }
        }
        // Every state is contracted: what the contraction used goes before the arrays are made,
        // where the build would otherwise peak.
        scratch.clear();
        for (auto* v : {&remaining, &rest, &round, &touched}) {
            release_memory(*v);
        }
        release_memory(priority);
        release_memory(importances);
        release_memory(pick);
        release_memory(is_touched);
        release_memory(added);
        release_memory(m_out);
        release_memory(m_in);
        release_memory(m_level);
        release_memory(m_contracted_neighbours);
        release_memory(m_in_round);
        return assemble(order, up, down, report);
    }

private:
    /// True if v's importance (ties by id) is below that of every remaining state within two arcs.
    [[nodiscard]] bool is_local_minimum(std::uint32_t v, const std::vector<std::int64_t>& priority) const {
        const auto key = std::pair{priority[v], v};
        auto lower = [&](std::uint32_t w) { return w != v && std::pair{priority[w], w} < key; };
        for (const auto* lists : {&m_out, &m_in}) {
            for (const auto& a : (*lists)[v]) {
                if (lower(a.node)) {
                    return false;
                }
            }
        }
        for (const auto* lists : {&m_out, &m_in}) {
            for (const auto& a : (*lists)[v]) {
                for (const auto& b : m_out[a.node]) {
                    if (lower(b.node)) {
                        return false;
                    }
                }
                for (const auto& b : m_in[a.node]) {
                    if (lower(b.node)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /// Local Dijkstra from `from` avoiding `skip` and the states of the round, until every state
    /// within `bound` is settled or a limit is reached; the scratch holds what it found.
    void witness_search(WitnessScratch& w, std::uint32_t from, std::uint32_t skip, Deciseconds bound, std::size_t targets,
                        std::uint32_t settle_limit) const {
        ++w.round;
        using Entry = std::pair<Deciseconds, std::uint32_t>;
        w.heap.clear();
        w.dist[from] = 0;
        w.hops[from] = 0;
        w.stamp[from] = w.round;
        w.heap.emplace_back(0, from);
        std::uint32_t settled = 0;
        std::size_t targets_settled = 0;
        while (!w.heap.empty()) {
            std::pop_heap(w.heap.begin(), w.heap.end(), std::greater<>{});
            const Entry top = w.heap.back();
            w.heap.pop_back();
            const std::uint32_t u = top.second;
            if (top.first != w.dist[u]) {
                continue;
            }
            if (top.first > bound || ++settled > settle_limit) {
                return;
            }
            if (w.target_mark[u] == w.round && ++targets_settled == targets) {
                return;  // every target settled: their times are final
            }
            if (w.hops[u] >= m_options.witness_hop_limit) {
                continue;
            }
            for (const auto& a : m_out[u]) {
                if (a.node == skip || m_in_round[a.node] != 0) {
                    continue;
                }
                const Deciseconds t = top.first + a.ds;
                if (t > bound) {
                    continue;
                }
                if (w.stamp[a.node] != w.round || t < w.dist[a.node]) {
                    w.stamp[a.node] = w.round;
                    w.dist[a.node] = t;
                    w.hops[a.node] = w.hops[u] + 1;
                    w.heap.emplace_back(t, a.node);
                    std::push_heap(w.heap.begin(), w.heap.end(), std::greater<>{});
                }
            }
        }
    }

    /// Calls add(u, w, ds, hops) for every shortcut contracting v needs.
    template <typename Add>
    void shortcuts_of(WitnessScratch& w, std::uint32_t v, std::uint32_t settle_limit, Add&& add) const {
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
            const std::uint32_t round = w.round + 1;
            std::size_t targets = 0;
            for (const auto& b : outs) {
                if (b.node != u && w.target_mark[b.node] != round) {
                    w.target_mark[b.node] = round;
                    ++targets;
                }
            }
            if (targets == 0) {
                ++w.round;
                continue;
            }
            witness_search(w, u, v, a.ds + max_out, targets, settle_limit);
            for (const auto& b : outs) {
                if (b.node == u) {
                    continue;
                }
                const Deciseconds via = a.ds + b.ds;
                if (w.stamp[b.node] != w.round || w.dist[b.node] > via) {
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
    std::int64_t importance(WitnessScratch& w, std::uint32_t v) const {
        std::int64_t added = 0;
        std::int64_t added_hops = 0;
        shortcuts_of(w, v, m_options.witness_settle_limit / 5 + 1, [&](std::uint32_t, std::uint32_t, Deciseconds, std::uint32_t hops) {
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
               1000 * std::int64_t{m_contracted_neighbours[v]} /
                   std::max<std::int64_t>(1, removed + m_contracted_neighbours[v]) +
               level_weight * m_level[v];
    }

    /// Takes v out of the remaining graph: its arcs become its hierarchy arcs, its shortcuts join
    /// the graph, and its neighbours (added to `touched` once) count one more contracted
    /// neighbour, a level above v.
    void remove_state(std::uint32_t v, const std::vector<Shortcut>& shortcuts, KeptArcs& up, KeptArcs& down,
                      std::vector<std::uint32_t>& touched, std::vector<unsigned char>& is_touched) {
        for (const auto& a : m_out[v]) {
            remove_arc(m_in[a.node], v);
        }
        for (const auto& a : m_in[v]) {
            remove_arc(m_out[a.node], v);
        }
        for (const auto& s : shortcuts) {
            if (add_or_lower(m_out[s.from], s.to, s.ds, s.hops)) {
                m_in[s.to].push_back({s.from, s.ds, s.hops});
                ++m_shortcuts;
            } else {
                for (auto& b : m_in[s.to]) {
                    if (b.node == s.from && s.ds < b.ds) {
                        b.ds = s.ds;
                        b.hops = s.hops;
                    }
                }
            }
        }
        // A neighbour by both an arc in and an arc out counts v once.
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
            if (is_touched[w] == 0) {  // a neighbour of several states of the round is listed once
                is_touched[w] = 1;
                touched.push_back(w);
            }
        }
        up.keep(v, m_out[v]);
        down.keep(v, m_in[v]);
        release_memory(m_out[v]);
        release_memory(m_in[v]);
    }

    StateHierarchy assemble(const std::vector<std::uint32_t>& order, KeptArcs& up, KeptArcs& down,
                            HierarchyBuildReport& report) const {
        StateHierarchy h;
        h.rank.assign(m_n, 0);
        for (std::uint32_t r = 0; r < m_n; ++r) {
            h.rank[order[r]] = r;
        }
        auto fill = [&](KeptArcs& kept, std::vector<std::uint32_t>& first, std::vector<std::uint32_t>& other,
                        std::vector<Deciseconds>& ds) {
            first.reserve(std::size_t{m_n} + 1);
            other.reserve(kept.size());
            ds.reserve(kept.size());
            first.assign(1, 0);
            std::vector<std::pair<std::uint32_t, Deciseconds>> list;  // one state's arcs, by rank
            for (std::uint32_t r = 0; r < m_n; ++r) {
                list.clear();
                kept.for_each(order[r], [&](std::uint32_t node, Deciseconds d) { list.emplace_back(h.rank[node], d); });
                std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
                for (const auto& [node, d] : list) {
                    other.push_back(node);
                    ds.push_back(d);
                }
                first.push_back(static_cast<std::uint32_t>(other.size()));
            }
            kept.release();
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
    std::vector<std::uint32_t> m_level;  // a state's level and count are far below 2^32
    std::vector<std::uint32_t> m_contracted_neighbours;
    std::uint64_t m_transitions = 0;
    std::uint64_t m_shortcuts = 0;
    std::vector<unsigned char> m_in_round;  ///< 1 for the states of the round being contracted
};

} // namespace

StateHierarchy build_state_hierarchy(const RoadGraph& graph, HierarchyBuildReport* report,
                                     const HierarchyBuildOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    HierarchyBuildReport figures;
    Contractor contractor(graph, options);
    StateHierarchy h = contractor.run(figures);
    figures.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    figures.peak_mib_after = peak_resident_mib();
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
