#include <algorithm>
#include <map>
#include <set>
#include <random>

#include <catch2/catch.hpp>

#include "proxima/routing/detail/bucket_queue.hpp"
#include "proxima/routing/detail/radix_heap.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using proxima::detail::BucketQueue;
using proxima::detail::RadixHeap;

TEST_CASE("the bucket queue pops keys in order under Dijkstra-like use, with decrease-key", "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    const std::uint32_t ids = 500;
    const std::uint32_t max_step = 300;
    BucketQueue queue(ids, 2 * max_step);
    std::map<std::uint32_t, std::uint32_t> queued;  // id -> key, the reference
    std::uint32_t last = 1000;
    queue.start(last);
    for (std::uint32_t id = 0; id < 20; ++id) {
        const std::uint32_t key = last + static_cast<std::uint32_t>(rng() % max_step);
        queue.push(key, id);
        queued[id] = key;
    }
    std::uint32_t next_id = 20;
    while (!queue.empty()) {
        const auto top = queue.pop();
        const auto min = std::min_element(queued.begin(), queued.end(),
                                          [](const auto& a, const auto& b) { return a.second < b.second; });
        REQUIRE(top.key == min->second);
        REQUIRE(queued.at(top.id) == top.key);
        queued.erase(top.id);
        last = top.key;
        // Relax a few "arcs": new ids, or lower keys of queued ones.
        for (int k = 0; k < 3 && next_id < ids; ++k) {
            if (rng() % 2 == 0 || queued.empty()) {
                const std::uint32_t key = last + static_cast<std::uint32_t>(rng() % max_step);
                queue.push(key, next_id);
                queued[next_id++] = key;
            } else {
                auto it = queued.begin();
                std::advance(it, static_cast<long>(rng() % queued.size()));
                if (it->second > last) {
                    const std::uint32_t key = last + static_cast<std::uint32_t>(rng() % (it->second - last));
                    queue.decrease(key, it->first);
                    it->second = key;
                }
            }
        }
    }
    CHECK(queued.empty());
    CHECK(next_id == ids);
}

TEST_CASE("the radix heap pops keys in order, whatever their spread", "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    RadixHeap heap;
    std::multiset<std::uint32_t> reference;
    for (std::uint32_t i = 0; i < 2000; ++i) {
        const auto key = static_cast<std::uint32_t>(rng() % 4'000'000'000ULL);
        heap.push(key, i);
        reference.insert(key);
    }
    std::uint32_t last = 0;
    while (!heap.empty()) {
        const auto top = heap.pop();
        REQUIRE(top.key == *reference.begin());
        reference.erase(reference.begin());
        REQUIRE(top.key >= last);
        last = top.key;
        if (rng() % 3 == 0) {  // monotone pushes after pops, as in Dijkstra
            const std::uint32_t key = last + static_cast<std::uint32_t>(rng() % 1000);
            heap.push(key, 0);
            reference.insert(key);
        }
    }
    CHECK(reference.empty());
}
