// Large test networks and studies for benchmarks/run-scaling.sh (never for CI: they are big).
//
//   make_network grid   <graph_nodes> <out.osm.pbf>
//       A street grid of about <graph_nodes> intersections, 100 m apart, south-west corner at
//       2.0 E 46.0 N: every 10th street is highway=primary (maxspeed 80), the others residential.
//   make_network mosaic <source.osm.pbf> <tiles_x> <tiles_y> <out.osm.pbf>
//       The road network of a real extract (nodes used by highway ways, and those ways; no
//       relations) copied tiles_x x tiles_y times, each copy translated by whole multiples of the
//       source's bounding box plus a 0.005 degree gap, with fresh ids (see copy_id). Adjacent copies
//       are joined by short highway=secondary ways: the source's bounding box is cut into 8 bands
//       (of latitude for east-west joins, of longitude for north-south joins); in each band the
//       easternmost (northernmost) car-road node of the left (lower) copy is joined to the
//       westernmost (southernmost) car-road node of the same band in the right (upper) copy.
//   make_network study  <network.osm.pbf> <out_dir> <services> <sites_per_service> <origins> <crs>
//       A study on that network: <origins> populated points and <services> services of
//       <sites_per_service> sites each, all placed on car-road nodes drawn with std::mt19937
//       (seed 14) plus up to 30 m of jitter, 10 x 10 rectangular zones over their bounding box,
//       and study.toml naming them (output layers in <crs>).
//
// Every file is deterministic for the same arguments.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <osmium/builder/attr.hpp>
#include <osmium/handler.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/io/pbf_output.hpp>
#include <osmium/io/writer.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/location.hpp>
#include <osmium/visitor.hpp>

namespace {

using namespace osmium::builder::attr;  // NOLINT: the attribute builders read as a little language
using Id = osmium::object_id_type;

constexpr std::size_t flush_bytes = 8U << 20U;

/// Writes buffers of OSM objects to a PBF file, flushing every few megabytes.
class PbfOut {
public:
    explicit PbfOut(const std::string& path)
        : m_writer(path, osmium::io::Header{}, osmium::io::overwrite::allow) {}
    osmium::memory::Buffer& buffer() { return m_buffer; }
    void maybe_flush() {
        if (m_buffer.committed() > flush_bytes) {
            m_writer(std::move(m_buffer));
            m_buffer = osmium::memory::Buffer{flush_bytes * 2, osmium::memory::Buffer::auto_grow::yes};
        }
    }
    void close() {
        m_writer(std::move(m_buffer));
        m_writer.close();
    }

private:
    osmium::io::Writer m_writer;
    osmium::memory::Buffer m_buffer{flush_bytes * 2, osmium::memory::Buffer::auto_grow::yes};
};

int make_grid(std::size_t graph_nodes, const std::string& out_path) {
    const auto side = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(graph_nodes))));
    const double lat0 = 46.0;
    const double lon0 = 2.0;
    const double dlat = 100.0 / 111'195.0;
    const double dlon = dlat / std::cos(lat0 * M_PI / 180.0);
    PbfOut out(out_path);
    auto node_id = [&](std::size_t row, std::size_t col) { return static_cast<Id>(row * side + col + 1); };
    for (std::size_t r = 0; r < side; ++r) {
        for (std::size_t c = 0; c < side; ++c) {
            osmium::builder::add_node(out.buffer(), _id(node_id(r, c)), _version(1),
                                      _location(osmium::Location(lon0 + static_cast<double>(c) * dlon,
                                                                 lat0 + static_cast<double>(r) * dlat)));
            out.maybe_flush();
        }
    }
    Id way = 1;
    std::vector<Id> refs;
    auto add_street = [&](std::size_t k) {
        const bool primary = k % 10 == 0;
        osmium::builder::add_way(out.buffer(), _id(way++), _version(1), _nodes(refs),
                                 _tag("highway", primary ? "primary" : "residential"),
                                 _tag("maxspeed", primary ? "80" : "50"));
        out.maybe_flush();
    };
    for (std::size_t r = 0; r < side; ++r) {
        refs.clear();
        for (std::size_t c = 0; c < side; ++c) {
            refs.push_back(node_id(r, c));
        }
        add_street(r);
    }
    for (std::size_t c = 0; c < side; ++c) {
        refs.clear();
        for (std::size_t r = 0; r < side; ++r) {
            refs.push_back(node_id(r, c));
        }
        add_street(c);
    }
    out.close();
    std::printf("grid: %zu x %zu intersections (%zu), %lld streets -> %s\n", side, side, side * side,
                static_cast<long long>(way - 1), out_path.c_str());
    return 0;
}

bool is_car_road(const char* highway) {
    static const std::array<std::string_view, 13> car = {"motorway", "trunk", "primary", "secondary", "tertiary",
                                                          "unclassified", "residential", "motorway_link",
                                                          "trunk_link", "primary_link", "secondary_link",
                                                          "tertiary_link", "living_street"};
    return highway != nullptr && std::find(car.begin(), car.end(), std::string_view(highway)) != car.end();
}

/// The road network of an extract, held in memory: nodes used by highway ways, and the ways.
struct Roads {
    std::vector<Id> node_ids;                       ///< sorted
    std::vector<osmium::Location> node_locations;   ///< same order
    std::vector<bool> car_node;                     ///< on a car road
    osmium::memory::Buffer ways{1U << 20U, osmium::memory::Buffer::auto_grow::yes};
    osmium::Box box;

    [[nodiscard]] std::size_t index_of(Id id) const {
        return static_cast<std::size_t>(std::lower_bound(node_ids.begin(), node_ids.end(), id) - node_ids.begin());
    }
};

Roads read_roads(const std::string& path) {
    Roads roads;
    struct WayPass : osmium::handler::Handler {
        Roads* r;
        std::vector<std::pair<Id, bool>> refs;
        void way(const osmium::Way& w) {
            const char* hw = w.tags()["highway"];
            if (hw == nullptr) {
                return;
            }
            const bool car = is_car_road(hw);
            for (const auto& n : w.nodes()) {
                refs.emplace_back(n.ref(), car);
            }
            r->ways.add_item(w);
            r->ways.commit();
        }
    } ways;
    ways.r = &roads;
    {
        osmium::io::Reader reader(path, osmium::osm_entity_bits::way);
        osmium::apply(reader, ways);
        reader.close();
    }
    std::sort(ways.refs.begin(), ways.refs.end());
    for (const auto& [id, car] : ways.refs) {
        if (roads.node_ids.empty() || roads.node_ids.back() != id) {
            roads.node_ids.push_back(id);
            roads.car_node.push_back(car);
        } else if (car) {
            roads.car_node.back() = true;
        }
    }
    roads.node_locations.resize(roads.node_ids.size());
    struct NodePass : osmium::handler::Handler {
        Roads* r;
        void node(const osmium::Node& n) {
            const std::size_t i = r->index_of(n.id());
            if (i < r->node_ids.size() && r->node_ids[i] == n.id()) {
                r->node_locations[i] = n.location();
                r->box.extend(n.location());
            }
        }
    } nodes;
    nodes.r = &roads;
    osmium::io::Reader reader(path, osmium::osm_entity_bits::node);
    osmium::apply(reader, nodes);
    reader.close();
    return roads;
}

int make_mosaic(const std::string& source, int tiles_x, int tiles_y, const std::string& out_path) {
    const Roads roads = read_roads(source);
    const double gap = 0.005;
    const double step_lon = roads.box.top_right().lon() - roads.box.bottom_left().lon() + gap;
    const double step_lat = roads.box.top_right().lat() - roads.box.bottom_left().lat() + gap;
    const auto n = static_cast<Id>(roads.node_ids.size());
    const Id way_count = static_cast<Id>(std::distance(roads.ways.begin(), roads.ways.end()));
    // copy t of source node index i gets id t * n + i + 1; ways likewise, joins after all copies.
    auto copy_id = [](int tile, Id count, std::size_t index) { return static_cast<Id>(tile) * count + static_cast<Id>(index) + 1; };
    const int tiles = tiles_x * tiles_y;
    PbfOut out(out_path);
    for (int t = 0; t < tiles; ++t) {
        const double ox = (t % tiles_x) * step_lon;
        const double oy = (t / tiles_x) * step_lat;
        for (std::size_t i = 0; i < roads.node_ids.size(); ++i) {
            const auto& l = roads.node_locations[i];
            if (!l.valid()) {
                continue;
            }
            osmium::builder::add_node(out.buffer(), _id(copy_id(t, n, i)), _version(1),
                                      _location(osmium::Location(l.lon() + ox, l.lat() + oy)));
            out.maybe_flush();
        }
    }
    // Joins: 8 bands; per band the extreme car-road node on each side.
    constexpr int bands = 8;
    const double lon0 = roads.box.bottom_left().lon();
    const double lat0 = roads.box.bottom_left().lat();
    const double wlon = step_lon - gap;
    const double wlat = step_lat - gap;
    std::array<std::size_t, bands> east{}, west{}, north{}, south{};
    std::array<bool, bands> has_ew{}, has_ns{};
    for (std::size_t i = 0; i < roads.node_ids.size(); ++i) {
        if (!roads.car_node[i] || !roads.node_locations[i].valid()) {
            continue;
        }
        const auto& l = roads.node_locations[i];
        const int bl = std::min(bands - 1, static_cast<int>((l.lat() - lat0) / wlat * bands));
        const int bo = std::min(bands - 1, static_cast<int>((l.lon() - lon0) / wlon * bands));
        auto lon = [&](std::size_t k) { return roads.node_locations[k].lon(); };
        auto lat = [&](std::size_t k) { return roads.node_locations[k].lat(); };
        if (!has_ew[bl] || l.lon() > lon(east[bl])) east[bl] = i;
        if (!has_ew[bl] || l.lon() < lon(west[bl])) west[bl] = i;
        has_ew[bl] = true;
        if (!has_ns[bo] || l.lat() > lat(north[bo])) north[bo] = i;
        if (!has_ns[bo] || l.lat() < lat(south[bo])) south[bo] = i;
        has_ns[bo] = true;
    }
    for (int t = 0; t < tiles; ++t) {
        Id w_index = 0;
        for (const auto& w : roads.ways.select<osmium::Way>()) {
            std::vector<Id> refs;
            for (const auto& r : w.nodes()) {
                const std::size_t i = roads.index_of(r.ref());
                if (roads.node_locations[i].valid()) {  // nodes cut off by the extract are left out
                    refs.push_back(copy_id(t, n, i));
                }
            }
            const Id id = static_cast<Id>(t) * way_count + w_index++ + 1;
            if (refs.size() >= 2) {
                osmium::builder::add_way(out.buffer(), _id(id), _version(1), _nodes(refs), _tags(w.tags()));
            }
            out.maybe_flush();
        }
    }
    Id join = static_cast<Id>(tiles) * way_count + 1;
    std::size_t joins = 0;
    for (int t = 0; t < tiles; ++t) {
        const int tx = t % tiles_x;
        const int ty = t / tiles_x;
        for (int b = 0; b < bands; ++b) {
            if (tx + 1 < tiles_x && has_ew[b]) {
                const std::vector<Id> refs = {copy_id(t, n, east[b]), copy_id(t + 1, n, west[b])};
                osmium::builder::add_way(out.buffer(), _id(join++), _version(1), _nodes(refs), _tag("highway", "secondary"));
                ++joins;
            }
            if (ty + 1 < tiles_y && has_ns[b]) {
                const std::vector<Id> refs = {copy_id(t, n, north[b]), copy_id(t + tiles_x, n, south[b])};
                osmium::builder::add_way(out.buffer(), _id(join++), _version(1), _nodes(refs), _tag("highway", "secondary"));
                ++joins;
            }
            out.maybe_flush();
        }
    }
    out.close();
    std::printf("mosaic: %d x %d copies of %s (%lld road nodes, %lld ways each), %zu joins -> %s\n", tiles_x, tiles_y,
                source.c_str(), static_cast<long long>(n), static_cast<long long>(way_count), joins, out_path.c_str());
    return 0;
}

int make_study(const std::string& network, const std::filesystem::path& dir, int services, int sites, std::size_t origins,
               const std::string& crs) {
    const Roads roads = read_roads(network);
    std::vector<std::size_t> car;
    for (std::size_t i = 0; i < roads.node_ids.size(); ++i) {
        if (roads.car_node[i] && roads.node_locations[i].valid()) {
            car.push_back(i);
        }
    }
    if (car.empty()) {
        std::fprintf(stderr, "%s has no car road\n", network.c_str());
        return 1;
    }
    std::filesystem::create_directories(dir);
    std::mt19937 rng(14);
    std::uniform_int_distribution<std::size_t> pick(0, car.size() - 1);
    std::uniform_real_distribution<double> jitter(-0.0003, 0.0003);  // about 30 m
    auto point = [&]() {
        const auto& l = roads.node_locations[car[pick(rng)]];
        return std::pair{l.lon() + jitter(rng), l.lat() + jitter(rng)};
    };
    double min_lon = 1e9, min_lat = 1e9, max_lon = -1e9, max_lat = -1e9;
    {
        std::ofstream f(dir / "origins.csv");
        f << "name,population,lon,lat\n";
        std::uniform_int_distribution<int> people(1, 500);
        char line[128];
        for (std::size_t i = 0; i < origins; ++i) {
            const auto [lon, lat] = point();
            min_lon = std::min(min_lon, lon), max_lon = std::max(max_lon, lon);
            min_lat = std::min(min_lat, lat), max_lat = std::max(max_lat, lat);
            std::snprintf(line, sizeof line, "o%zu,%d,%.7f,%.7f\n", i + 1, people(rng), lon, lat);
            f << line;
        }
    }
    std::filesystem::create_directories(dir / "sites");
    std::string toml = "# Generated by benchmarks/make_network study: a benchmark study, not real data.\n[study]\n"
                       "name = \"benchmark on " + std::filesystem::path(network).filename().string() +
                       "\"\noutput = \"output\"\ncrs = \"" + crs + "\"\n\n[network]\nosm = \"" +
                       std::filesystem::absolute(network).string() + "\"\ngraph = \"graph.pxg\"\n\n"
                       "[zones]\nfile = \"zones.geojson\"\n\n[population]\nsource = \"points\"\npoints = "
                       "\"origins.csv\"\nname_field = \"name\"\npopulation_field = \"population\"\n\n"
                       "[services]\nfrom_osm = false\n";
    for (int s = 1; s <= services; ++s) {
        char name[32];
        std::snprintf(name, sizeof name, "s%03d", s);
        std::ofstream f(dir / "sites" / (std::string(name) + ".csv"));
        f << "id,name,lon,lat\n";
        char line[128];
        for (int k = 1; k <= sites; ++k) {
            const auto [lon, lat] = point();
            std::snprintf(line, sizeof line, "%s_%d,site %d,%.7f,%.7f\n", name, k, k, lon, lat);
            f << line;
        }
        toml += std::string("\n[services.") + name + "]\nlabel = \"service " + name + "\"\nthreshold_min = " +
                std::to_string(10 + 5 * (s % 4)) + "\nfamily = \"services_publics\"\nfiles = [{ file = \"sites/" +
                name + ".csv\", crs = \"EPSG:4326\" }]\n";
    }
    std::ofstream(dir / "study.toml") << toml;
    // 10 x 10 zones covering the origins (slightly enlarged so that every origin is inside one).
    const double pad = 0.001;
    min_lon -= pad, min_lat -= pad, max_lon += pad, max_lat += pad;
    std::ofstream z(dir / "zones.geojson");
    z << "{\"type\":\"FeatureCollection\",\"features\":[\n";
    char buf[512];
    for (int r = 0; r < 10; ++r) {
        for (int c = 0; c < 10; ++c) {
            const double x0 = min_lon + (max_lon - min_lon) * c / 10, x1 = min_lon + (max_lon - min_lon) * (c + 1) / 10;
            const double y0 = min_lat + (max_lat - min_lat) * r / 10, y1 = min_lat + (max_lat - min_lat) * (r + 1) / 10;
            std::snprintf(buf, sizeof buf,
                          "%s{\"type\":\"Feature\",\"properties\":{\"code\":\"Z%02d\",\"nom\":\"zone %d\"},\"geometry\":"
                          "{\"type\":\"Polygon\",\"coordinates\":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],"
                          "[%.7f,%.7f]]]}}\n",
                          r + c == 0 ? "" : ",", r * 10 + c, r * 10 + c, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
            z << buf;
        }
    }
    z << "]}\n";
    std::printf("study: %zu origins, %d services x %d sites -> %s\n", origins, services, sites,
                (dir / "study.toml").c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> a(argv + 1, argv + argc);
    try {
        if (a.size() == 3 && a[0] == "grid") {
            return make_grid(std::stoull(a[1]), a[2]);
        }
        if (a.size() == 5 && a[0] == "mosaic") {
            return make_mosaic(a[1], std::stoi(a[2]), std::stoi(a[3]), a[4]);
        }
        if (a.size() == 7 && a[0] == "study") {
            return make_study(a[1], a[2], std::stoi(a[3]), std::stoi(a[4]), std::stoull(a[5]), a[6]);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_network: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr,
                 "usage: make_network grid <graph_nodes> <out.osm.pbf>\n"
                 "       make_network mosaic <source.osm.pbf> <tiles_x> <tiles_y> <out.osm.pbf>\n"
                 "       make_network study <network.osm.pbf> <out_dir> <services> <sites_per_service> <origins> <crs>\n");
    return 2;
}
