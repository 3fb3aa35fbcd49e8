// OriginIndex: the origins a search touches, by the states of their seeds and by their edge.

#include <catch2/catch.hpp>

#include "proxima/routing/origin_index.hpp"

using namespace proxima;

TEST_CASE("origin index: origins by seed state (with offsets) and by snapped edge", "[routing]") {
    using Source = SourceSet::Source;
    // Four origins on five states; origin 2 has no seed (off the network's reach), origin 3 two.
    const std::vector<std::vector<Source>> seeds = {
        {Source{StateId{1}, 30}},
        {Source{StateId{1}, 10}, Source{StateId{4}, 0}},
        {},
        {Source{StateId{0}, 5}, Source{StateId{4}, 7}},
    };
    const std::vector<std::uint32_t> edges = {7, 3, 7, 0};
    const OriginIndex index(5, seeds, edges);

    const auto at1 = index.at_state(1);
    REQUIRE(at1.size() == 2);
    CHECK(at1[0].origin == 0);
    CHECK(at1[0].offset_ds == 30);
    CHECK(at1[1].origin == 1);
    CHECK(at1[1].offset_ds == 10);
    CHECK(index.at_state(2).empty());
    CHECK(index.at_state(3).empty());
    const auto at4 = index.at_state(4);
    REQUIRE(at4.size() == 2);
    CHECK(at4[0].origin == 1);
    CHECK(at4[1].origin == 3);
    CHECK(at4[1].offset_ds == 7);
    REQUIRE(index.at_state(0).size() == 1);
    CHECK(index.at_state(0)[0].origin == 3);

    const auto on7 = index.on_edge(7);
    REQUIRE(on7.size() == 2);
    CHECK(on7[0].second == 0);
    CHECK(on7[1].second == 2);  // an origin without seeds is still found along its edge
    CHECK(index.on_edge(3).size() == 1);
    CHECK(index.on_edge(5).empty());
    CHECK(index.on_edge(99).empty());
}
