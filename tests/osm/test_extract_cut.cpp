// The extract cut of proxima init: complete ways, relations with a member kept, atomic output,
// read back with libosmium.

#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/osm.hpp>

#include "proxima/core/error.hpp"
#include "proxima/osm/extract_cut.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

/// WKB (little-endian) of the square [x0, x1] x [y0, y1].
std::vector<unsigned char> square_wkb(double x0, double y0, double x1, double y1) {
    std::vector<unsigned char> out;
    auto put32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            out.push_back(static_cast<unsigned char>(v >> (8 * i)));
        }
    };
    auto put_double = [&](double d) {
        std::uint64_t v = 0;
        std::memcpy(&v, &d, sizeof v);
        for (int i = 0; i < 8; ++i) {
            out.push_back(static_cast<unsigned char>(v >> (8 * i)));
        }
    };
    out.push_back(1);  // little-endian
    put32(3);          // Polygon
    put32(1);          // one ring
    put32(5);
    for (const auto& [x, y] : std::vector<std::pair<double, double>>{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}) {
        put_double(x);
        put_double(y);
    }
    return out;
}

/// Ids by type ('n', 'w', 'r') of an extract.
std::set<std::string> ids_in(const std::filesystem::path& file) {
    std::set<std::string> ids;
    osmium::io::Reader reader(file.string());
    while (osmium::memory::Buffer buffer = reader.read()) {
        for (const auto& o : buffer.select<osmium::OSMObject>()) {
            ids.insert(std::string(1, osmium::item_type_to_char(o.type())) + std::to_string(o.id()));
        }
    }
    reader.close();
    return ids;
}

// The square kept is lon 0..1, lat 0..1. Nodes 1, 2 inside; 3 outside, on way 10 which enters;
// way 20 (nodes 4, 5) entirely outside; restriction 30 (from way 10, via node 2) kept; relation
// 31 whose only member is way 20 is not; relation 32 whose member is relation 30 is kept.
const char* const osm_text = R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <bounds minlat="-1" minlon="-1" maxlat="3" maxlon="3"/>
  <node id="1" lat="0.5" lon="0.5" version="1"/>
  <node id="2" lat="0.5" lon="0.9" version="1"/>
  <node id="3" lat="0.5" lon="1.5" version="1"/>
  <node id="4" lat="2.0" lon="2.0" version="1"/>
  <node id="5" lat="2.5" lon="2.0" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/></way>
  <way id="20" version="1"><nd ref="4"/><nd ref="5"/><tag k="highway" v="primary"/></way>
  <relation id="30" version="1"><member type="way" ref="10" role="from"/><member type="node" ref="2" role="via"/>
    <member type="way" ref="10" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_u_turn"/></relation>
  <relation id="31" version="1"><member type="way" ref="20" role=""/><tag k="type" v="route"/></relation>
  <relation id="32" version="1"><member type="relation" ref="30" role=""/><tag k="type" v="collection"/></relation>
</osm>
)";

} // namespace

TEST_CASE("an extract cut to a polygon keeps crossing ways whole and the relations of what it keeps", "[extract_cut]") {
    const test::TempDir dir("extract-cut");
    const auto input = dir.path() / "region.osm";
    std::ofstream(input) << osm_text;
    const auto output = dir.path() / "cut.osm.pbf";

    const ExtractCutReport report = cut_extract(input, output, square_wkb(0, 0, 1, 1));
    CHECK(ids_in(output) == std::set<std::string>{"n1", "n2", "n3", "w10", "r30", "r32"});
    CHECK(report.nodes_read == 5);
    CHECK(report.nodes_inside == 2);
    CHECK(report.nodes_written == 3);  // node 3, outside, comes with way 10
    CHECK(report.ways_written == 1);
    CHECK(report.relations_written == 2);
    CHECK(report.restrictions_written == 1);
    CHECK_FALSE(std::filesystem::exists(output.string() + ".tmp"));

    SECTION("the header's box is the polygon's") {
        const ExtractCoverage coverage = read_extract_coverage(output);
        CHECK(coverage.from_header);
        CHECK(coverage.box.west == Approx(0.0));
        CHECK(coverage.box.east == Approx(1.0));
        CHECK(coverage.box.north == Approx(1.0));
    }
    SECTION("the input's coverage comes from its header box") {
        const ExtractCoverage coverage = read_extract_coverage(input);
        CHECK(coverage.from_header);
        CHECK(coverage.box.west == Approx(-1.0));
        CHECK(coverage.box.north == Approx(3.0));
    }
    SECTION("a polygon that holds nothing writes an empty extract") {
        const auto none = dir.path() / "none.osm.pbf";
        const ExtractCutReport empty = cut_extract(input, none, square_wkb(10, 10, 11, 11));
        CHECK(empty.nodes_written == 0);
        CHECK(ids_in(none).empty());
    }
}

TEST_CASE("an extract cut refuses unsorted input and leaves nothing behind", "[extract_cut]") {
    const test::TempDir dir("extract-cut-unsorted");
    const auto input = dir.path() / "unsorted.osm";
    std::ofstream(input) << "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n"
                            "  <node id=\"2\" lat=\"0.5\" lon=\"0.5\" version=\"1\"/>\n"
                            "  <node id=\"1\" lat=\"0.5\" lon=\"0.6\" version=\"1\"/>\n</osm>\n";
    const auto output = dir.path() / "cut.osm.pbf";
    REQUIRE_THROWS_AS(cut_extract(input, output, square_wkb(0, 0, 1, 1)), InputError);
    REQUIRE_THROWS_WITH(cut_extract(input, output, square_wkb(0, 0, 1, 1)),
                        Contains("unsorted.osm") && Contains("not sorted") && Contains("osmium sort"));
    CHECK(std::filesystem::directory_iterator(dir.path()) != std::filesystem::directory_iterator());
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        (void)entry;
        ++files;
    }
    CHECK(files == 1);  // the input only

    SECTION("and a missing extract names the file") {
        REQUIRE_THROWS_WITH(read_extract_coverage(dir.path() / "missing.osm.pbf"), Contains("missing.osm.pbf"));
    }
}
