// PNG maps of synthetic scenes in Lambert-93: colours read back at known places, the legend's
// ramp and threshold, hatching, framing, label placement, errors and determinism.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include <cairo/cairo.h>  // the header folder is not on the test's include path; cairo.h finds its siblings
#include <cairo/cairo-pdf.h>
#include <catch2/catch.hpp>

#include "../../src/report/map_labels.hpp"  // internal: the placement is tested on its own
#include "../../src/report/map_painter.hpp"  // internal: a map drawn at another scale, as report.pdf does
#include "../../src/report/place_squares.hpp"  // internal: the squares' side
#include "proxima/core/error.hpp"
#include "proxima/report/map_renderer.hpp"
#include "../../src/report/ring_simplify.hpp"       // internal: tested on its own
#include "../../src/report/road_layer_cache.hpp"  // internal: its counts
#include "proxima/report/time_classes.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/png_pixels.hpp"

using namespace proxima;

namespace {

using test::Png;
using test::read_png;
using test::same;
int luminance(Rgb c) { return (c.r * 30 + c.g * 59 + c.b * 11) / 100; }

/// The most frequent colour in the (2r+1)² window around (x, y).
Rgb dominant(const Png& png, double fx, double fy, int r = 6) {
    std::map<std::uint32_t, int> counts;
    for (int y = static_cast<int>(fy) - r; y <= static_cast<int>(fy) + r; ++y) {
        for (int x = static_cast<int>(fx) - r; x <= static_cast<int>(fx) + r; ++x) {
            const Rgb c = png.at(x, y);
            ++counts[(std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b];
        }
    }
    const auto best = std::max_element(counts.begin(), counts.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    return {static_cast<std::uint8_t>(best->first >> 16), static_cast<std::uint8_t>(best->first >> 8),
            static_cast<std::uint8_t>(best->first)};
}

int darkest(const Png& png, double fx, double fy, int r = 8) {
    int low = 255;
    for (int y = static_cast<int>(fy) - r; y <= static_cast<int>(fy) + r; ++y) {
        for (int x = static_cast<int>(fx) - r; x <= static_cast<int>(fx) + r; ++x) {
            low = std::min(low, luminance(png.at(x, y)));
        }
    }
    return low;
}

void put_u32(std::vector<unsigned char>& w, std::uint32_t v) {
    unsigned char b[4];
    std::memcpy(b, &v, 4);
    w.insert(w.end(), b, b + 4);
}
void put_f64(std::vector<unsigned char>& w, double v) {
    unsigned char b[8];
    std::memcpy(b, &v, 8);
    w.insert(w.end(), b, b + 8);
}

/// An axis-aligned rectangle as little-endian WKB Polygon (the tests run on little-endian machines).
std::vector<unsigned char> rectangle(double xa, double ya, double xb, double yb) {
    std::vector<unsigned char> w{1};
    put_u32(w, 3);  // Polygon
    put_u32(w, 1);
    put_u32(w, 5);
    for (auto [x, y] : {std::pair{xa, ya}, {xb, ya}, {xb, yb}, {xa, yb}, {xa, ya}}) {
        put_f64(w, x);
        put_f64(w, y);
    }
    return w;
}

std::vector<unsigned char> point(double x, double y) {
    std::vector<unsigned char> w{1};
    put_u32(w, 1);
    put_f64(w, x);
    put_f64(w, y);
    return w;
}

constexpr double base_x = 1000000.0;  // Lambert-93, around Lyon
constexpr double base_y = 6500000.0;
constexpr double side = 10000.0;

/// Eight 10 km squares in two rows: one per time class, one unreachable, one without origin;
/// the three beyond 30 min make the deficit (a 30 × 10 km rectangle).
MapScene synthetic_scene() {
    MapScene scene;
    scene.crs = "EPSG:2154";
    scene.title = "Temps d'accès en voiture : Service d'urgences";
    scene.subtitle = "Territoire d'essai — temps moyen des habitants de chaque commune";
    const std::vector<std::optional<double>> minutes = {5.0, 15.0, 25.0, 40.0, 50.0, 75.0, std::nullopt, std::nullopt};
    for (std::size_t i = 0; i < minutes.size(); ++i) {
        const double x = base_x + static_cast<double>(i % 4) * side;
        const double y = base_y - static_cast<double>(i / 4) * side;
        MapZone z;
        z.wkb = rectangle(x, y, x + side, y + side);
        z.minutes = minutes[i];
        z.no_data = i == 7;
        scene.zones.push_back(z);
        scene.commune_borders.push_back(z.wkb);
        scene.labels.push_back({x + side / 2, y + side * 0.8, "Commune " + std::to_string(i + 1), 100.0 - i});
    }
    scene.epci_borders.push_back(rectangle(base_x, base_y - side, base_x + 2 * side, base_y + side));
    scene.deficit = rectangle(base_x + 3 * side, base_y, base_x + 4 * side, base_y + side);  // zone 4 (40 min)
    scene.threshold_min = 30.0;
    scene.facilities.push_back({base_x + 0.2 * side, base_y + 0.2 * side, "Hôpital", {}});
    scene.facility_caption = "Service d'urgences";
    scene.source_line = "Sources : © OpenStreetMap contributors, INSEE COG 2026 — Proxima (essai)";
    scene.notes.push_back("Au-delà de 30 min : 1 234 habitants sur 10 000 (12,3 %)");
    return scene;
}

std::array<double, 2> centre_of(std::size_t i) {
    return {base_x + (static_cast<double>(i % 4) + 0.5) * side, base_y - static_cast<double>(i / 4) * side + 0.5 * side};
}

/// Runs of distinct colours met going down column x from y_from to y_to (antialiased pixels skipped:
/// a colour counts when it holds for 3 rows).
std::vector<Rgb> column_runs(const Png& png, int x, int y_from, int y_to) {
    std::vector<Rgb> runs;
    for (int y = y_from; y + 2 < y_to; ++y) {
        const Rgb c = png.at(x, y);
        if (!same(c, png.at(x, y + 1)) || !same(c, png.at(x, y + 2))) {
            continue;
        }
        if (runs.empty() || !same(runs.back(), c)) {
            runs.push_back(c);
        }
    }
    return runs;
}

bool is_dark(Rgb c) { return luminance(c) < 40; }

void keep(const std::filesystem::path& file, const std::string& name) {
    if (const char* target = std::getenv("PROXIMA_TEST_KEEP_MAPS"); target != nullptr && *target != '\0') {
        std::filesystem::create_directories(target);
        std::filesystem::copy_file(file, std::filesystem::path(target) / name,
                                   std::filesystem::copy_options::overwrite_existing);
    }
}

} // namespace

TEST_CASE("a synthetic map shows each zone in its class colour", "[report][maps]") {
    test::TempDir dir("map-renderer");
    const MapScene scene = synthetic_scene();
    MapOptions options;
    options.labels = false;
    const auto path = dir.path() / "map.png";
    render_map_png(scene, path, options);
    keep(path, "synthetic.png");
    const MapLayout layout = map_layout(scene, options);
    const Png png = read_png(path);
    CHECK(png.width == 2000);
    CHECK(png.height == layout.height_px);
    CHECK(layout.px_per_m > 0);

    for (std::size_t i = 0; i < scene.zones.size(); ++i) {
        const auto [cx, cy] = centre_of(i);
        const auto [px, py] = layout.to_pixel(cx, cy);
        CHECK(px > layout.map_left);
        CHECK(px < layout.map_left + layout.map_width);
        const Rgb expected = scene.zones[i].no_data ? Rgb{255, 255, 255} : time_classes[time_class_of(scene.zones[i].minutes)].colour;
        INFO("zone " << i + 1);
        CHECK(same(dominant(png, px, py), expected));
    }
    // Hatched (dark lines) in the deficit only.
    const auto [hx, hy] = layout.to_pixel(centre_of(3)[0], centre_of(3)[1]);
    const auto [nx, ny] = layout.to_pixel(centre_of(2)[0], centre_of(2)[1]);
    CHECK(darkest(png, hx, hy) < 60);
    CHECK(darkest(png, nx, ny) > 100);

    // The legend's ramp, read down the middle of its boxes: the six classes in order with the
    // threshold (a black line) between 20–30 and 30–45, then "inaccessible" and "sans habitant".
    const int column = static_cast<int>(layout.legend_left + 10 * options.dpi / 72.0);
    const auto runs = column_runs(png, column, static_cast<int>(layout.legend_top),
                                  static_cast<int>(layout.map_top + layout.map_height));
    std::vector<std::string> seen;
    for (const Rgb c : runs) {
        for (std::size_t k = 0; k < time_classes.size(); ++k) {
            if (same(c, time_classes[k].colour)) {
                seen.push_back(std::to_string(k));
            }
        }
        if (is_dark(c)) {
            seen.push_back("line");
        }
    }
    seen.erase(seen.begin(), std::find(seen.begin(), seen.end(), "0"));  // the caption's letters above the ramp
    const std::vector<std::string> ramp = {"0", "1", "2", "line", "3", "4", "5"};
    REQUIRE(seen.size() >= ramp.size());
    CHECK(std::vector<std::string>(seen.begin(), seen.begin() + 7) == ramp);
    CHECK(std::find(seen.begin(), seen.end(), "6") != seen.end());  // "inaccessible" listed (a zone is)

    // Same scene, same bytes.
    render_map_png(scene, dir.path() / "again.png", options);
    CHECK(test::read_text(path) == test::read_text(dir.path() / "again.png"));
}

TEST_CASE("a threshold inside a class is marked across that class's box", "[report][maps]") {
    test::TempDir dir("map-renderer-threshold");
    MapScene scene = synthetic_scene();
    scene.threshold_min = 15.0;
    const auto path = dir.path() / "map.png";
    render_map_png(scene, path);
    const MapLayout layout = map_layout(scene);
    const Png png = read_png(path);
    const auto runs = column_runs(png, static_cast<int>(layout.legend_left + 10 * 200.0 / 72.0),
                                  static_cast<int>(layout.legend_top), static_cast<int>(layout.map_top + layout.map_height));
    std::vector<std::string> seen;
    for (const Rgb c : runs) {
        for (std::size_t k = 0; k < 6; ++k) {
            if (same(c, time_classes[k].colour)) {
                seen.push_back(std::to_string(k));
            }
        }
        if (is_dark(c)) {
            seen.push_back("line");
        }
    }
    seen.erase(seen.begin(), std::find(seen.begin(), seen.end(), "0"));  // the caption's letters above the ramp
    REQUIRE(seen.size() >= 8);
    CHECK(std::vector<std::string>(seen.begin(), seen.begin() + 8) ==
          std::vector<std::string>{"0", "1", "line", "1", "2", "3", "4", "5"});
}

TEST_CASE("a map frames what it is asked to, and washes out what lies outside its focus", "[report][maps]") {
    test::TempDir dir("map-renderer-frame");
    MapScene scene = synthetic_scene();
    // Frame and focus on the zone of 50 min (top row is 0-3, zone 4 is bottom-left).
    scene.frame = std::array<double, 4>{{base_x, base_y - side, base_x + side, base_y}};
    scene.focus = rectangle(base_x, base_y - side, base_x + side, base_y);
    MapOptions options;
    options.labels = false;
    const auto path = dir.path() / "epci.png";
    render_map_png(scene, path, options);
    keep(path, "synthetic_focus.png");
    const MapLayout layout = map_layout(scene, options);
    const Png png = read_png(path);
    // The framed zone fills the middle of the map.
    const auto [mx, my] = layout.to_pixel(base_x + side / 2, base_y - side / 2);
    CHECK(std::abs(mx - (layout.map_left + layout.map_width / 2)) < 2);
    CHECK(std::abs(my - (layout.map_top + layout.map_height / 2)) < 2);
    CHECK(same(dominant(png, mx, my), time_classes[4].colour));
    CHECK(layout.world[0] < base_x);
    CHECK(layout.world[2] > base_x + side);
    // Its neighbour (zone 1, 5 min) is in view but veiled: lighter than its class colour.
    const auto [vx, vy] = layout.to_pixel(base_x + side / 2, (base_y + layout.world[3]) / 2);
    REQUIRE(vy > layout.map_top + 10);
    const Rgb veiled = dominant(png, vx, vy, 3);
    CHECK(!same(veiled, time_classes[0].colour));
    CHECK(luminance(veiled) > luminance(time_classes[0].colour));
}

TEST_CASE("map errors: CRS, geometry, options, output", "[report][maps]") {
    test::TempDir dir("map-renderer-errors");
    const auto path = dir.path() / "map.png";

    MapScene geographic = synthetic_scene();
    geographic.crs = "EPSG:4326";
    CHECK_THROWS_AS(render_map_png(geographic, path), ConfigError);
    geographic.crs = "EPSG:999999";
    CHECK_THROWS_AS(render_map_png(geographic, path), ConfigError);
    geographic.crs = "";
    CHECK_THROWS_AS(map_layout(geographic), ConfigError);

    MapScene bad = synthetic_scene();
    bad.zones[2].wkb = {1, 3, 0, 0, 0, 1};  // a truncated polygon
    CHECK_THROWS_AS(render_map_png(bad, path), InputError);
    bad = synthetic_scene();
    bad.zones[2].wkb = point(base_x, base_y);
    CHECK_THROWS_WITH(render_map_png(bad, path), Catch::Matchers::Contains("map zone 3 of 8") &&
                                                     Catch::Matchers::Contains("Point"));
    bad = synthetic_scene();
    bad.deficit = {0xff, 0xff};
    CHECK_THROWS_AS(render_map_png(bad, path), InputError);
    MapScene nothing;
    nothing.crs = "EPSG:2154";
    CHECK_THROWS_AS(render_map_png(nothing, path), InputError);

    MapOptions narrow;
    narrow.width_px = 50;
    CHECK_THROWS_AS(render_map_png(synthetic_scene(), path, narrow), ConfigError);
    CHECK(std::filesystem::is_empty(dir.path()));

    // Unwritable: a missing folder, a folder in the way. Nothing is left behind.
    CHECK_THROWS_AS(render_map_png(synthetic_scene(), dir.path() / "missing" / "map.png"), OutputError);
    std::filesystem::create_directory(dir.path() / "taken.png");
    CHECK_THROWS_AS(render_map_png(synthetic_scene(), dir.path() / "taken.png"), OutputError);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
        ++entries;
    }
    CHECK(entries == 1);  // taken.png, the folder we made
    CHECK(std::filesystem::is_empty(dir.path() / "taken.png"));
}

TEST_CASE("labels: the highest priority first, none overlapping, inside the map", "[report][maps]") {
    using detail::LabelRequest;
    using detail::PixelBox;
    const PixelBox bounds{0, 0, 400, 300};
    // Three labels close together, one near the edge, one on an obstacle.
    const std::vector<LabelRequest> requests = {
        {200, 160, 80, 20, 10}, {200, 150, 80, 20, 30}, {200, 140, 80, 20, 20}, {395, 10, 60, 20, 5}, {50, 250, 40, 20, 1}};
    const std::vector<PixelBox> obstacles = {{20, 230, 80, 270}};
    const auto placed = detail::place_labels(requests, bounds, obstacles, 4);
    REQUIRE(placed.size() == 4);  // the one on the obstacle finds no room
    CHECK(placed[0].request == 1);  // priority 30
    CHECK(placed[0].box.x0 == 160);  // centred on its anchor
    CHECK(placed[0].box.y0 == 140);
    CHECK(placed[1].request == 2);
    CHECK(placed[1].box.y1 <= 140);  // moved above its anchor
    CHECK(placed[2].request == 0);
    CHECK(placed[2].box.y0 >= 160);  // moved below its anchor
    for (std::size_t i = 0; i < placed.size(); ++i) {
        CHECK(placed[i].box.inside(bounds));
        for (const auto& o : obstacles) {
            CHECK(!placed[i].box.overlaps(o));
        }
        for (std::size_t j = i + 1; j < placed.size(); ++j) {
            CHECK(!placed[i].box.overlaps(placed[j].box));
        }
    }
    // The one at the edge moved left of its anchor, inside the bounds.
    const auto edge = std::find_if(placed.begin(), placed.end(), [](const auto& p) { return p.request == 3; });
    REQUIRE(edge != placed.end());
    CHECK(edge->box.x1 <= 400);
    // Equal priorities on one spot: the first given wins, the other has no room left.
    const std::vector<LabelRequest> ties = {{100, 100, 50, 20, 1}, {100, 100, 50, 20, 1}};
    const auto tied = detail::place_labels(ties, bounds, {}, 4);
    REQUIRE(tied.size() == 1);
    CHECK(tied[0].request == 0);
    // Too crowded: the lower priority is dropped rather than overlapping.
    const auto crowded = detail::place_labels(requests, PixelBox{150, 130, 250, 170}, {}, 4);
    REQUIRE(crowded.size() == 1);
    CHECK(crowded[0].request == 1);
}

TEST_CASE("a line chart: size, the line's colour, errors", "[report][maps]") {
    test::TempDir dir("line-chart");
    LineChart chart;
    chart.title = "Population à moins de 30 min selon le nombre de sites ajoutés";
    chart.x_caption = "Sites ajoutés";
    chart.y_caption = "Habitants à moins de 30 min";
    chart.x = {0, 1, 2, 3, 4, 5};
    chart.y = {61000, 72500, 78100, 80200, 81000, 81300};
    chart.y_reference = 81362;
    chart.y_reference_caption = "population totale : 81 362";
    const auto path = dir.path() / "coverage.png";
    render_line_chart_png(chart, path);
    keep(path, "line_chart.png");
    const Png png = read_png(path);
    CHECK(png.width == 1200);
    CHECK(png.height == 750);
    std::size_t line_pixels = 0;
    for (const Rgb c : png.pixels) {
        line_pixels += same(c, time_classes[3].colour) ? 1 : 0;
    }
    CHECK(line_pixels > 1000);
    render_line_chart_png(chart, dir.path() / "again.png");
    CHECK(test::read_text(path) == test::read_text(dir.path() / "again.png"));

    LineChart bad = chart;
    bad.y.pop_back();
    CHECK_THROWS_AS(render_line_chart_png(bad, dir.path() / "bad.png"), ConfigError);
    bad = chart;
    bad.y[2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(render_line_chart_png(bad, dir.path() / "bad.png"), ConfigError);
    CHECK_THROWS_AS(render_line_chart_png(chart, dir.path() / "no" / "chart.png"), OutputError);
    CHECK(!std::filesystem::exists(dir.path() / "bad.png"));
}

TEST_CASE("the side of the places' squares is the smallest that gives at most so many squares", "[report][maps]") {
    // Against counting the distinct squares of each side by sorting them.
    std::mt19937_64 rng(test::random_seed());
    std::normal_distribution<double> town(0.0, 3000.0);
    std::uniform_real_distribution<double> land(-60000.0, 60000.0);
    std::vector<std::pair<double, double>> positions;
    for (int i = 0; i < 20000; ++i) {
        positions.emplace_back(i % 3 == 0 ? land(rng) : town(rng), i % 3 == 0 ? land(rng) : town(rng));
    }
    positions.emplace_back(NAN, 1.0);  // no coordinates: a square of its own
    const auto squares = [&](double side) {
        std::vector<detail::SquareKey> keys;
        for (const auto& p : positions) {
            keys.push_back(detail::square_of(p, side));
        }
        std::sort(keys.begin(), keys.end());
        return static_cast<std::size_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
    };
    std::vector<std::size_t> caps = {0, 1, 2, 50, 500, 5000, 20000, 30000};
    for (const double side : {500.0, 2000.0, 10000.0}) {  // exactly as many squares as a side makes, and one fewer
        caps.push_back(squares(side));
        caps.push_back(squares(side) - 1);
    }
    for (const std::size_t cap : caps) {
        double expected = detail::square_sides_m.back();
        for (const double side : detail::square_sides_m) {
            if (squares(side) <= cap) {
                expected = side;
                break;
            }
        }
        CAPTURE(cap);
        CHECK(detail::choose_square_side(positions, cap) == expected);
    }
    CHECK(detail::choose_square_side({}, 0) == detail::square_sides_m.front());
}

TEST_CASE("beyond max_places, places are grouped into squares in their inhabitants' mean time", "[report][maps]") {
    test::TempDir dir("map-renderer-places");
    MapScene scene = synthetic_scene();
    // Two places 50 m apart in one 200 m square of the blank zone 8: 5 and 25 min, as many
    // inhabitants each. One by one, the last drawn (25 min) is on top; grouped, the square is one
    // dot of 15 min (population-weighted mean), a class neither place is in.
    const auto [cx, cy] = centre_of(7);
    scene.places.push_back({cx + 20, cy + 20, 5.0, 1000.0});
    scene.places.push_back({cx + 70, cy + 20, 25.0, 1000.0});
    MapOptions options;
    options.labels = false;
    const auto one_by_one = dir.path() / "places.png";
    render_map_png(scene, one_by_one, options);
    const MapLayout layout = map_layout(scene, options);
    const auto [px, py] = layout.to_pixel(cx + 45, cy + 20);
    CHECK(same(dominant(read_png(one_by_one), px, py, 2), time_classes[time_class_of(25.0)].colour));

    options.max_places = 1;
    const auto grouped = dir.path() / "grouped.png";
    render_map_png(scene, grouped, options);
    const auto [gx, gy] = map_layout(scene, options).to_pixel(cx + 45, cy + 20);  // the legend is longer
    // The square's disc is small at this scale (four tenths of 200 m): read its centre only.
    CHECK(same(dominant(read_png(grouped), gx, gy, 1), time_classes[time_class_of(15.0)].colour));
    render_map_png(scene, dir.path() / "again.png", options);
    CHECK(test::read_text(grouped) == test::read_text(dir.path() / "again.png"));

    // Only the unreachable: the square is unreachable too.
    scene.places = {{cx + 20, cy + 20, std::nullopt, 10.0}, {cx + 70, cy + 20, std::nullopt, 10.0}};
    render_map_png(scene, grouped, options);
    CHECK(same(dominant(read_png(grouped), gx, gy, 1), time_classes[time_class_of(std::nullopt)].colour));
}

TEST_CASE("make_place_squares groups places as the per-square sums say", "[report][maps]") {
    // Reference: each square's places found by a plain scan of every place, for each key met.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> along(0.0, 4 * side);
    std::uniform_int_distribution<int> pick(0, 9);
    std::vector<MapValuePoint> places;
    for (int i = 0; i < 3000; ++i) {
        const int kind = pick(rng);
        MapValuePoint p{base_x + along(rng), base_y - side + along(rng) / 2, std::nullopt, kind == 0 ? 0.0 : kind * 10.0};
        if (kind == 9) {
            p.x = std::nan("");  // a place without coordinates: a group of its own
        }
        places.push_back(p);
    }
    for (const std::size_t cap : {std::size_t{0}, std::size_t{7}, std::size_t{150}, std::size_t{2999}, std::size_t{3000}}) {
        CAPTURE(cap);
        const auto squares = make_place_squares(places, cap);
        REQUIRE(squares);
        CHECK(squares->max_places == cap);
        CHECK(squares->place_count == places.size());
        if (places.size() <= cap) {
            CHECK(squares->side_m == 0.0);
            CHECK(squares->centres.empty());
            continue;
        }
        std::vector<std::pair<double, double>> positions;
        for (const auto& p : places) {
            positions.emplace_back(p.x, p.y);
        }
        CHECK(squares->side_m == detail::choose_square_side(positions, std::max<std::size_t>(cap, 1)));
        REQUIRE(squares->square.size() == places.size());
        std::map<detail::SquareKey, std::vector<std::size_t>> members;  // ordered like the squares
        for (std::size_t i = 0; i < places.size(); ++i) {
            members[detail::square_of(positions[i], squares->side_m)].push_back(i);
        }
        REQUIRE(squares->centres.size() == members.size());
        std::size_t k = 0;
        for (const auto& [key, list] : members) {
            double population = 0, xw = 0, yw = 0, xs = 0, ys = 0;
            for (const std::size_t i : list) {
                CHECK(squares->square[i] == k);
                population += places[i].population;
                xw += places[i].population * places[i].x, yw += places[i].population * places[i].y;
                xs += places[i].x, ys += places[i].y;
            }
            const MapValuePoint& c = squares->centres[k];
            CHECK(c.population == population);
            const double n = static_cast<double>(list.size());
            const double x = population > 0 ? xw / population : xs / n;
            const double y = population > 0 ? yw / population : ys / n;
            CHECK((c.x == x || (std::isnan(c.x) && std::isnan(x))));
            CHECK(c.y == y);
            CHECK_FALSE(c.minutes);
            ++k;
        }
    }
}

TEST_CASE("a map drawn with a run's shared place squares is the map that groups its own places", "[report][maps]") {
    test::TempDir dir("map-renderer-shared-squares");
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> along(0.0, 4 * side);
    std::uniform_real_distribution<double> time(1.0, 80.0);
    std::uniform_int_distribution<int> pick(0, 9);
    MapScene scene = synthetic_scene();
    for (int i = 0; i < 4000; ++i) {
        const int kind = pick(rng);
        scene.places.push_back({base_x + along(rng), base_y - side + along(rng) / 2,
                                kind == 0 ? std::nullopt : std::optional<double>(time(rng)), kind == 1 ? 0.0 : 25.0 * kind});
    }
    MapOptions options;
    options.labels = false;
    const auto draw = [&](const MapScene& s, const std::string& name) {
        render_map_png(s, dir.path() / name, options);
        return test::read_text(dir.path() / name);
    };
    for (const std::size_t cap : {std::size_t{300}, std::size_t{5000}}) {
        CAPTURE(cap);
        options.max_places = cap;
        scene.place_squares.reset();
        const std::string own = draw(scene, "own.png");
        // Squares made from the places without their times, as a run's map context makes them.
        std::vector<MapValuePoint> positions = scene.places;
        for (auto& p : positions) {
            p.minutes.reset();
        }
        scene.place_squares = make_place_squares(positions, cap);
        CHECK(draw(scene, "shared.png") == own);
        // Another service: other times at the same places, the same squares.
        MapScene other = scene;
        for (auto& p : other.places) {
            p.minutes = p.minutes ? std::optional<double>(80.0 - *p.minutes) : std::optional<double>(12.0);
        }
        const std::string other_shared = draw(other, "other-shared.png");
        other.place_squares.reset();
        CHECK(draw(other, "other-own.png") == other_shared);
        CHECK(other_shared != own);
        // Squares made for another cap, or for other places, are not used.
        scene.place_squares = make_place_squares(positions, cap == 300 ? 40 : 300);
        CHECK(draw(scene, "other-cap.png") == own);
        positions.pop_back();
        scene.place_squares = make_place_squares(positions, cap);
        CHECK(draw(scene, "fewer.png") == own);
        // As many places, but one with other inhabitants, or moved into another square: their
        // squares' centres and sums are not this scene's, so it groups its own.
        std::vector<MapValuePoint> same_places = scene.places;
        for (auto& p : same_places) {
            p.minutes.reset();
        }
        std::vector<MapValuePoint> reweighted = same_places;
        reweighted[0].population += 100000.0;
        std::vector<MapValuePoint> moved = same_places;
        moved[1].x += side;
        const auto reference = make_place_squares(same_places, cap);
        for (const auto* changed : {&reweighted, &moved}) {
            const auto squares = make_place_squares(*changed, cap);
            CHECK(squares->place_count == reference->place_count);
            CHECK((reference->side_m == 0.0 || squares->made_from != reference->made_from));  // 0: not grouped
            scene.place_squares = squares;
            CHECK(draw(scene, "same-count.png") == own);
        }
        scene.place_squares = reference;  // and the same places are taken
        CHECK(draw(scene, "same-places.png") == own);
    }
}

TEST_CASE("grouped places stay inside their squares: the zones show between them", "[report][maps]") {
    test::TempDir dir("map-renderer-square-discs");
    MapScene scene = synthetic_scene();
    MapOptions options;
    options.labels = false;
    const auto bare = dir.path() / "bare.png";
    render_map_png(scene, bare, options);
    // Zone 1 (5 min) full of populous places, four per 500 m square, each in its own 200 m square:
    // with max_places 200 the squares are 500 m (400 of 200 m would be too many), each a disc of 4 million inhabitants at its centre
    // and in the class of 75 min. Uncapped, such discs are wider than the square and join.
    constexpr double square = 500.0;
    for (int i = 10; i < 20; ++i) {
        for (int j = 10; j < 20; ++j) {
            const double cx = base_x + (i + 0.5) * square;
            const double cy = base_y + (j + 0.5) * square;
            for (const double dx : {-120.0, 120.0}) {
                for (const double dy : {-120.0, 120.0}) {
                    scene.places.push_back({cx + dx, cy + dy, 75.0, 1e6});
                }
            }
        }
    }
    options.max_places = 200;
    const auto grouped = dir.path() / "grouped.png";
    render_map_png(scene, grouped, options);
    keep(grouped, "grouped_squares.png");
    const Png png = read_png(grouped);
    const Png reference = read_png(bare);
    const MapLayout layout = map_layout(scene, options);
    MapOptions bare_options;
    bare_options.labels = false;
    const MapLayout bare_layout = map_layout(synthetic_scene(), bare_options);
    const Rgb dot = time_classes[time_class_of(75.0)].colour;
    int corners = 0;
    for (int i = 12; i < 19; i += 2) {
        for (int j = 12; j < 19; j += 2) {
            const double x = base_x + i * square;  // a corner shared by four squares
            const double y = base_y + j * square;
            const auto [px, py] = layout.to_pixel(x + 0.5 * square, y + 0.5 * square);
            CHECK(same(dominant(png, px, py, 2), dot));  // the square's disc
            const auto [qx, qy] = layout.to_pixel(x, y);
            const auto [rx, ry] = bare_layout.to_pixel(x, y);
            CHECK(same(dominant(png, qx, qy, 2), dominant(reference, rx, ry, 2)));  // the zone, between discs
            ++corners;
        }
    }
    CHECK(corners == 16);
}

namespace {

/// Six roads of every rank across the synthetic zones, some leaving the map; wave(i) in [-1, 1]
/// bends them (41 points each).
template <typename Wave>
std::vector<MapLine> winding_roads(Wave wave) {
    std::vector<MapLine> roads;
    for (int k = 0; k < 6; ++k) {
        MapLine road;
        road.rank = k % 3;
        for (int i = 0; i <= 40; ++i) {
            road.points.push_back({base_x - side + i * side * 6 / 40.0, base_y - side + k * side / 3 + wave(i) * side / 8});
        }
        roads.push_back(road);
    }
    return roads;
}

} // namespace

TEST_CASE("roads laid over from the run's cache look as roads stroked in place, one layer per frame",
          "[report][maps]") {
    test::TempDir dir("map-renderer-road-layers");
    MapScene scene = synthetic_scene();
    std::vector<MapLine> roads = winding_roads([](int i) { return std::sin(i / 3.0); });
    scene.roads = std::make_shared<const std::vector<MapLine>>(roads);
    MapOptions options;
    options.labels = false;
    const auto read = [&](const MapScene& s, const MapOptions& o, const std::string& name) {
        render_map_png(s, dir.path() / name, o);
        return read_png(dir.path() / name);
    };
    const Png in_place = read(scene, options, "in_place.png");
    MapScene no_roads = scene;
    no_roads.roads.reset();
    const Png bare = read(no_roads, options, "bare.png");

    options.road_layers = make_road_layer_cache(2);
    const Png first = read(scene, options, "first.png");
    const Png second = read(scene, options, "second.png");
    CHECK(options.road_layers->drawn() == 1);
    CHECK(options.road_layers->reused() == 1);
    REQUIRE(first.pixels.size() == in_place.pixels.size());
    int largest = 0;
    std::size_t road_pixels = 0;
    std::size_t changed_on_reuse = 0;
    for (std::size_t i = 0; i < in_place.pixels.size(); ++i) {
        const Rgb a = in_place.pixels[i];
        const Rgb b = first.pixels[i];
        largest = std::max({largest, std::abs(a.r - b.r), std::abs(a.g - b.g), std::abs(a.b - b.b)});
        road_pixels += same(a, bare.pixels[i]) ? 0 : 1;
        changed_on_reuse += same(b, second.pixels[i]) ? 0 : 1;
    }
    CHECK(changed_on_reuse == 0);
    CHECK(largest <= 1);  // 8-bit rounding of a layer composited, nothing more
    CHECK(road_pixels > 1000);  // the roads are there to compare

    // Another frame (an EPCI's), another layer; the study's frame is still kept.
    MapScene local = scene;
    local.frame = std::array<double, 4>{{base_x, base_y - side, base_x + side, base_y}};
    (void)read(local, options, "local.png");
    (void)read(scene, options, "third.png");
    CHECK(options.road_layers->drawn() == 2);
    CHECK(options.road_layers->reused() == 2);
    // Other roads, another layer.
    roads.pop_back();
    scene.roads = std::make_shared<const std::vector<MapLine>>(roads);
    (void)read(scene, options, "fewer_roads.png");
    CHECK(options.road_layers->drawn() == 3);
}

TEST_CASE("a map drawn as an image at another scale takes its roads from the cache at that scale, a vector page never",
          "[report][maps]") {
    // report.pdf draws its heavy maps (a région's places) as images at 200 dpi, one per service,
    // all with the same roads in the same frame: stroked once, as on the PNG maps.
    MapScene scene = synthetic_scene();
    const std::vector<MapLine> roads = winding_roads([](int i) { return std::cos(i / 4.0); });
    scene.roads = std::make_shared<const std::vector<MapLine>>(roads);
    MapOptions options;
    options.width_px = 600;
    options.dpi = 72.0;  // report.pdf's layout: one layout pixel per point
    options.labels = false;
    const double scale = 200.0 / 72.0;
    const MapLayout layout = map_layout(scene, options);
    const int width = static_cast<int>(std::ceil(layout.width_px * scale));
    const int height = static_cast<int>(std::ceil(layout.height_px * scale));
    // The map drawn onto a white image of width x height; its pixels.
    const auto drawn = [&](const MapScene& s, const MapOptions& o) {
        cairo_surface_t* image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
        cairo_t* cr = cairo_create(image);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        (void)detail::render_map(cr, s, o, width, height);
        REQUIRE(cairo_status(cr) == CAIRO_STATUS_SUCCESS);
        cairo_destroy(cr);
        cairo_surface_flush(image);
        std::vector<std::uint32_t> pixels(static_cast<std::size_t>(width) * height);
        const int stride = cairo_image_surface_get_stride(image);
        for (int y = 0; y < height; ++y) {
            std::memcpy(pixels.data() + static_cast<std::size_t>(y) * width,
                        cairo_image_surface_get_data(image) + static_cast<std::ptrdiff_t>(y) * stride,
                        static_cast<std::size_t>(width) * 4);
        }
        cairo_surface_destroy(image);
        return pixels;
    };
    const auto in_place = drawn(scene, options);
    MapScene no_roads = scene;
    no_roads.roads.reset();
    const auto bare = drawn(no_roads, options);
    options.road_layers = make_road_layer_cache(2);
    const auto first = drawn(scene, options);
    const auto second = drawn(scene, options);
    CHECK(options.road_layers->drawn() == 1);
    CHECK(options.road_layers->reused() == 1);
    int largest = 0;
    std::size_t road_pixels = 0;
    std::size_t off_by_more = 0;
    for (std::size_t i = 0; i < in_place.size(); ++i) {
        int d = 0;
        for (const int shift : {0, 8, 16}) {
            const int a = static_cast<int>((in_place[i] >> shift) & 0xff);
            const int b = static_cast<int>((first[i] >> shift) & 0xff);
            d = std::max(d, std::abs(a - b));
        }
        largest = std::max(largest, d);
        off_by_more += d > 2 ? 1 : 0;
        road_pixels += (in_place[i] & 0xffffff) != (bare[i] & 0xffffff) ? 1 : 0;
    }
    const bool reused_alike = first == second;  // (not in CHECK: a failure would print 2 M pixels)
    CHECK(reused_alike);
    // The 8-bit rounding of two translucent strokes composited onto a transparent layer, then
    // onto the map: a few units, where the casing and the line of crossing roads overlap.
    INFO("largest difference " << largest << ", " << off_by_more << " pixels off by more than 2, of "
                               << road_pixels << " road pixels");
    CHECK(largest <= 8);
    CHECK(off_by_more * 100 < road_pixels);
    CHECK(road_pixels > 5000);

    // On a PDF page the roads stay vectors: no layer is made.
    test::TempDir dir("map-renderer-road-layers-pdf");
    cairo_surface_t* pdf = cairo_pdf_surface_create((dir.path() / "page.pdf").c_str(), width, height);
    cairo_t* cr = cairo_create(pdf);
    (void)detail::render_map(cr, scene, options, width, height);
    CHECK(cairo_status(cr) == CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_destroy(pdf);
    CHECK(options.road_layers->drawn() == 1);
    CHECK(options.road_layers->reused() == 1);
}

TEST_CASE("a staircase outline is simplified within the tolerance, a closed ring stays closed", "[report][maps]") {
    // A closed staircase of 1 x 1 steps along a diagonal, back along a straight side.
    std::vector<std::array<double, 2>> ring;
    for (int i = 0; i < 50; ++i) {
        ring.push_back({double(i), double(i)});
        ring.push_back({double(i + 1), double(i)});
    }
    ring.push_back({50.0, 50.0});
    ring.push_back({0.0, 50.0});
    ring.push_back({0.0, 0.0});
    const auto distance_to = [](const std::vector<std::array<double, 2>>& line, std::array<double, 2> p) {
        double best = 1e300;
        for (std::size_t k = 0; k + 1 < line.size(); ++k) {
            const auto [ax, ay] = line[k];
            const auto [bx, by] = line[k + 1];
            const double dx = bx - ax, dy = by - ay;
            const double t = std::clamp(((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0);
            best = std::min(best, std::hypot(p[0] - ax - t * dx, p[1] - ay - t * dy));
        }
        return best;
    };
    for (const double tolerance : {0.3, 0.75, 2.0}) {
        INFO("tolerance " << tolerance);
        const auto simple = detail::simplified_ring(ring, tolerance);
        CHECK(simple.front() == ring.front());
        CHECK(simple.back() == ring.back());
        CHECK(simple.size() >= 4);
        for (const auto& p : ring) {
            CHECK(distance_to(simple, p) <= tolerance + 1e-9);
        }
        if (tolerance >= 0.75) {
            CHECK(simple.size() <= 6);  // the staircase is a diagonal at that scale
        } else {
            CHECK(simple.size() > 100);  // half a step is more than 0.3: every corner stays
        }
    }
    CHECK(detail::simplified_ring(ring, 0.0) == ring);  // every vertex is a corner
}
