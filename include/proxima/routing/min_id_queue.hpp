#pragma once
// Indexed 4-ary min-heap over ids 0..n-1 with decrease-key, as in RoutingKit's MinIDQueue:
// flat arrays, no allocation after construction, ids not in the queue cost nothing.

#include <cassert>
#include <cstdint>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

class MinIdQueue {
public:
    explicit MinIdQueue(std::uint32_t id_count = 0) : m_pos(id_count, invalid_index) { m_heap.reserve(64); }

    void resize(std::uint32_t id_count) {
        m_pos.assign(id_count, invalid_index);
        m_heap.clear();
    }
    [[nodiscard]] bool empty() const noexcept { return m_heap.empty(); }
    [[nodiscard]] bool contains(std::uint32_t id) const noexcept { return m_pos[id] != invalid_index; }

    struct Item {
        std::uint32_t id;
        std::uint32_t key;
    };
    [[nodiscard]] Item peek() const noexcept { return m_heap.front(); }

    /// Inserts `id` with `key`, or lowers its key if already queued with a larger one.
    void push_or_decrease(std::uint32_t id, std::uint32_t key) {
        std::uint32_t pos = m_pos[id];
        if (pos == invalid_index) {
            pos = static_cast<std::uint32_t>(m_heap.size());
            m_heap.push_back({id, key});
        } else {
            assert(key <= m_heap[pos].key);
            m_heap[pos].key = key;
        }
        sift_up(pos);
    }

    Item pop() {
        const Item top = m_heap.front();
        m_pos[top.id] = invalid_index;
        const Item last = m_heap.back();
        m_heap.pop_back();
        if (!m_heap.empty()) {
            sift_down(0, last);
        }
        return top;
    }

    /// Empties the queue in O(size).
    void clear() {
        for (const auto& item : m_heap) {
            m_pos[item.id] = invalid_index;
        }
        m_heap.clear();
    }

private:
    static constexpr std::uint32_t arity = 4;

    void sift_up(std::uint32_t pos) {
        const Item item = m_heap[pos];
        while (pos > 0) {
            const std::uint32_t parent = (pos - 1) / arity;
            if (m_heap[parent].key <= item.key) {
                break;
            }
            m_heap[pos] = m_heap[parent];
            m_pos[m_heap[pos].id] = pos;
            pos = parent;
        }
        m_heap[pos] = item;
        m_pos[item.id] = pos;
    }

    void sift_down(std::uint32_t pos, Item item) {
        const auto size = static_cast<std::uint32_t>(m_heap.size());
        while (true) {
            const std::uint32_t first_child = pos * arity + 1;
            if (first_child >= size) {
                break;
            }
            const std::uint32_t end = first_child + arity < size ? first_child + arity : size;
            std::uint32_t best = first_child;
            for (std::uint32_t c = first_child + 1; c < end; ++c) {
                if (m_heap[c].key < m_heap[best].key) {
                    best = c;
                }
            }
            if (m_heap[best].key >= item.key) {
                break;
            }
            m_heap[pos] = m_heap[best];
            m_pos[m_heap[pos].id] = pos;
            pos = best;
        }
        m_heap[pos] = item;
        m_pos[item.id] = pos;
    }

    std::vector<std::uint32_t> m_pos;
    std::vector<Item> m_heap;
};

} // namespace proxima
