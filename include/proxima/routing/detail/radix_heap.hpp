#pragma once
// Monotone radix heap for Dijkstra with integer keys (Ahuja, Mehlhorn, Orlin, Tarjan 1990;
// the two-level "bit-width" form used by many routing engines). Keys popped never decrease, and
// every key pushed is >= the last popped key, which Dijkstra with non-negative weights guarantees.
// No decrease-key: a node is pushed again with its better key and stale entries are skipped by
// the caller. Push is O(1); each entry moves down at most 32 buckets in its life.

#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <vector>

namespace proxima::detail {

class RadixHeap {
public:
    struct Item {
        std::uint32_t key;
        std::uint32_t id;
    };

    RadixHeap() {
        for (auto& b : m_buckets) {
            b.reserve(16);
        }
    }

    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

    void push(std::uint32_t key, std::uint32_t id) {
        assert(key >= m_last);
        m_buckets[bucket(key)].push_back({key, id});
        ++m_size;
    }

    /// Smallest entry (ties: any). Requires !empty().
    Item pop() {
        assert(m_size > 0);
        if (m_buckets[0].empty()) {
            refill();
        }
        const Item top = m_buckets[0].back();
        m_buckets[0].pop_back();
        --m_size;
        return top;
    }

    void clear() {
        for (auto& b : m_buckets) {
            b.clear();
        }
        m_size = 0;
        m_last = 0;
    }

private:
    [[nodiscard]] std::uint32_t bucket(std::uint32_t key) const noexcept {
        return static_cast<std::uint32_t>(std::bit_width(key ^ m_last));
    }

    /// Moves the entries of the first non-empty bucket down, around its minimum key.
    void refill() {
        std::size_t i = 1;
        while (m_buckets[i].empty()) {
            ++i;
        }
        auto& from = m_buckets[i];
        std::uint32_t min_key = from.front().key;
        for (const auto& item : from) {
            min_key = item.key < min_key ? item.key : min_key;
        }
        m_last = min_key;
        for (const auto& item : from) {
            m_buckets[bucket(item.key)].push_back(item);  // always into a bucket < i
        }
        from.clear();
    }

    std::array<std::vector<Item>, 33> m_buckets;
    std::size_t m_size = 0;
    std::uint32_t m_last = 0;
};

} // namespace proxima::detail
