// The origins table of a national run, written as `proxima run` writes it (write_layers: one
// GeoPackage layer and its CSV), one after the other (1 thread) and side by side (2 threads), in
// the same run. The layer has the shape of the 20 M case of benchmarks/run-scaling.sh: 5 fields
// per origin and 3 per service (minutes, nearest site's id and name) for 200 services, made row by
// row as the run makes them; `rows` origins (default 230 000, a tenth of that case's 2.3 M: the
// writing is linear in the rows). Values are drawn from a fixed seed: same bytes every time.
// Prints each time, the files' sizes and the ratio, and checks that both give the same bytes.
//
//   write_tables <folder> [rows] [services]

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "proxima/report/layer_writer.hpp"
#include "proxima/run/job_support.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

OutputLayer origins_like(std::size_t rows, std::size_t services) {
    using Type = OutputField::Type;
    OutputLayer layer;
    layer.name = "origins";
    layer.geometry = OutputLayer::Geometry::point;
    layer.fields = {{"id", Type::text},
                    {"zone", Type::text},
                    {"population", Type::real},
                    {"snap_m", Type::real},
                    {"placement", Type::text}};
    for (std::size_t s = 0; s < services; ++s) {
        const std::string id = fmt::format("s{:03}", s + 1);
        layer.fields.push_back({id + "_min", Type::real});
        layer.fields.push_back({id + "_nearest", Type::text});
        layer.fields.push_back({id + "_nearest_name", Type::text});
    }
    layer.streamed_rows = rows;
    layer.make_row = [services](std::size_t o, std::vector<FieldValue>& row, std::vector<unsigned char>* wkb) {
        std::mt19937_64 rng(o);  // per row: the same values whichever writer asks, in any order
        std::uniform_real_distribution<double> minutes(1.0, 90.0);
        std::uniform_int_distribution<int> site(1, 50);
        row.clear();
        row.emplace_back(fmt::format("o{}", o + 1));
        row.emplace_back(fmt::format("Z{}", o % 100));
        row.emplace_back(std::round(minutes(rng) * 3.0));
        row.emplace_back(std::round(minutes(rng) * 10.0) / 10.0);
        row.emplace_back(std::string("point"));
        for (std::size_t s = 0; s < services; ++s) {
            const int f = site(rng);
            row.emplace_back(std::round(minutes(rng) * 10.0) / 10.0);
            row.emplace_back(fmt::format("site {}", f));
            row.emplace_back(fmt::format("Site {} of service {}", f, s + 1));
        }
        if (wkb != nullptr) {
            *wkb = point_wkb({-4.0 + 12.0 * static_cast<double>(o % 1000) / 1000.0,
                              42.5 + 8.5 * static_cast<double>(o / 1000 % 1000) / 1000.0});
        }
    };
    return layer;
}

std::string bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    if (argc < 2 || argc > 4) {
        std::fprintf(stderr, "usage: write_tables <folder> [rows] [services]\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    // A count, or nothing: "abc" or "-5" would quietly become a table of 0 rows (or of 2^64).
    const auto count = [](const char* text, const char* what) -> std::size_t {
        const std::string s = text;
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 12) {
            std::fprintf(stderr, "write_tables: %s must be a whole number, not '%s'\n", what, text);
            std::exit(2);
        }
        return std::stoull(s);
    };
    const std::size_t rows = argc > 2 ? count(argv[2], "rows") : 230'000;
    const std::size_t services = argc > 3 ? count(argv[3], "services") : 200;
    try {
        const std::vector<OutputLayer> layers = {origins_like(rows, services)};
        double seconds[2] = {0, 0};
        for (const int threads : {1, 2}) {
            const auto folder = dir / fmt::format("threads-{}", threads);
            std::filesystem::remove_all(folder);
            std::filesystem::create_directories(folder);
            const auto start = std::chrono::steady_clock::now();
            (void)write_layers(folder, "access.gpkg", layers, "EPSG:2154", [](const OutputLayer&) { return true; },
                               CsvDialect::gis, threads);
            seconds[threads - 1] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::printf("%d thread%s: %.1f s (access.gpkg %.0f MB, origins.csv %.0f MB)\n", threads,
                        threads == 1 ? "" : "s", seconds[threads - 1],
                        static_cast<double>(std::filesystem::file_size(folder / "access.gpkg")) / 1e6,
                        static_cast<double>(std::filesystem::file_size(folder / "origins.csv")) / 1e6);
        }
        const bool same = bytes_of(dir / "threads-1" / "origins.csv") == bytes_of(dir / "threads-2" / "origins.csv");
        std::printf("%zu rows x %zu fields: one after the other / side by side = %.2fx; CSVs %s\n", rows,
                    layers[0].fields.size(), seconds[0] / seconds[1], same ? "identical" : "DIFFER");
        return same ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "write_tables: %s\n", e.what());
        return 1;
    }
}
