#pragma once
// Dial's bucket queue for Dijkstra with small integer arc weights: a circular array of buckets,
// one per decisecond, wider than the largest arc weight, so every queued key lies in
// [current, current + bucket_count). Nodes sit in intrusive doubly linked lists (O(1) insert and
// decrease-key); a bitmap of non-empty buckets makes finding the next key a few word scans.
// Pops come out in exact key order, so the search stays an exact Dijkstra.
// Ties within a bucket pop last-in first-out: deterministic for a given input order.

#include <bit>
#include <cassert>
#include <cstdint>
#include <vector>

namespace proxima::detail {

class BucketQueue {
public:
    struct Item {
        std::uint32_t key;
        std::uint32_t id;
    };

    /// Queue over ids 0..id_count-1 whose keys never spread over more than bucket_count values.
    BucketQueue(std::uint32_t id_count, std::uint32_t bucket_count)
        : m_next(id_count), m_prev(id_count), m_key(id_count) {
        const std::uint32_t buckets = std::bit_ceil(bucket_count < 64 ? 64U : bucket_count);
        m_head.assign(buckets, none);
        m_bits.assign(buckets / 64, 0);
        m_mask = buckets - 1;
    }

    [[nodiscard]] std::uint32_t bucket_count() const noexcept { return m_mask + 1; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }

    /// Starts a new search whose smallest key will be `first_key`. Requires empty().
    void start(std::uint32_t first_key) {
        assert(m_size == 0);
        m_current = first_key;
    }

    void push(std::uint32_t key, std::uint32_t id) {
        assert(key >= m_current && key - m_current <= m_mask);
        const std::uint32_t b = key & m_mask;
        const std::uint32_t h = m_head[b];
        m_next[id] = h;
        m_prev[id] = none;
        if (h != none) {
            m_prev[h] = id;
        } else {
            m_bits[b >> 6] |= std::uint64_t{1} << (b & 63);
        }
        m_head[b] = id;
        m_key[id] = key;
        ++m_size;
    }

    /// Lowers the key of a queued id.
    void decrease(std::uint32_t key, std::uint32_t id) {
        unlink(id);
        --m_size;
        push(key, id);
    }

    Item pop() {
        assert(m_size > 0);
        const std::uint32_t b = next_bucket();
        const std::uint32_t id = m_head[b];
        unlink(id);
        --m_size;
        m_current = m_key[id];
        return {m_key[id], id};
    }

private:
    static constexpr std::uint32_t none = ~std::uint32_t{0};

    void unlink(std::uint32_t id) {
        const std::uint32_t p = m_prev[id];
        const std::uint32_t n = m_next[id];
        if (p != none) {
            m_next[p] = n;
        } else {
            const std::uint32_t b = m_key[id] & m_mask;
            m_head[b] = n;
            if (n == none) {
                m_bits[b >> 6] &= ~(std::uint64_t{1} << (b & 63));
            }
        }
        if (n != none) {
            m_prev[n] = p;
        }
    }

    /// First non-empty bucket at or after the current key, circularly.
    [[nodiscard]] std::uint32_t next_bucket() const {
        const std::uint32_t start = m_current & m_mask;
        const std::size_t words = m_bits.size();
        std::size_t w = start >> 6;
        std::uint64_t bits = m_bits[w] & (~std::uint64_t{0} << (start & 63));
        while (bits == 0) {
            w = w + 1 == words ? 0 : w + 1;
            bits = m_bits[w];
        }
        return static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
    }

    std::vector<std::uint32_t> m_head;
    std::vector<std::uint64_t> m_bits;
    std::vector<std::uint32_t> m_next;
    std::vector<std::uint32_t> m_prev;
    std::vector<std::uint32_t> m_key;
    std::uint32_t m_mask = 0;
    std::uint32_t m_current = 0;
    std::uint32_t m_size = 0;
};

} // namespace proxima::detail
