// The origins table of a national run, written as `proxima run` writes it (write_layers: one
// GeoPackage layer and its CSV), one after the other (1 thread) and side by side (2 threads), in
// the same run. The layer has the shape of the 20 M case of benchmarks/run-scaling.sh: 5 fields
// per origin and 3 per service (minutes, nearest site's id and name) for 200 services, made row by
// row as the run makes them; `rows` origins (default 230 000, a tenth of that case's 2.3 M: the
// writing is linear in the rows). Values are drawn from a fixed seed: same bytes every time.
// Prints each time, the files' sizes and the ratio, and checks that both give the same bytes.
// Also, in the same run: the GeoPackage alone as Proxima writes it (GDAL makes the table, SQLite
// inserts the rows) against the baseline of GDAL's feature API (one OGRFeature per row, its
// fields set one by one, CreateFeature in transactions of 65 536 rows, then the spatial index:
// how Proxima wrote it before), and the CSV alone.
//
//   write_tables <folder> [rows] [services]

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

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
    // The run copies its sites' ids and names into each row: so does this (formatting them per
    // row made the rows dearer to make than to write).
    auto ids = std::make_shared<std::vector<std::string>>();
    auto names = std::make_shared<std::vector<std::string>>();
    for (std::size_t s = 0; s < services; ++s) {
        for (int f = 1; f <= 50; ++f) {
            ids->push_back(fmt::format("s{:03}-site-{}", s + 1, f));
            names->push_back(fmt::format("Site {} of service {}", f, s + 1));
        }
    }
    layer.make_row = [services, ids, names](std::size_t o, std::vector<FieldValue>& row, std::vector<unsigned char>* wkb) {
        // A hash of (origin, value) rather than a seeded generator per row: the run reads its
        // values from arrays, and seeding a Mersenne twister per row cost more than writing it.
        const auto draw = [o](std::uint64_t k) {
            std::uint64_t z = (static_cast<std::uint64_t>(o) << 12 | k) + 0x9E3779B97F4A7C15ULL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            return z ^ (z >> 31);
        };
        const auto minutes = [&](std::uint64_t k) { return 1.0 + static_cast<double>(draw(k) % 890) / 10.0; };
        row.clear();
        row.emplace_back(fmt::format("o{}", o + 1));
        row.emplace_back(fmt::format("Z{}", o % 100));
        row.emplace_back(std::round(minutes(0) * 3.0));
        row.emplace_back(minutes(1));
        row.emplace_back(std::string("point"));
        for (std::size_t s = 0; s < services; ++s) {
            const auto f = s * 50 + static_cast<std::size_t>(draw(2 * s + 2) % 50);
            row.emplace_back(minutes(2 * s + 3));
            row.emplace_back((*ids)[f]);
            row.emplace_back((*names)[f]);
        }
        if (wkb != nullptr) {
            *wkb = point_wkb({-4.0 + 12.0 * static_cast<double>(o % 1000) / 1000.0,
                              42.5 + 8.5 * static_cast<double>(o / 1000 % 1000) / 1000.0});
        }
    };
    return layer;
}

/// The baseline: `layer` written with GDAL's feature API, as write_geopackage did before SQLite
/// inserted the rows itself (same CRS, same transactions, the spatial index made at the end).
void write_with_ogr_features(const std::filesystem::path& path, const OutputLayer& layer) {
    GDALAllRegister();
    std::filesystem::remove(path);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (ds == nullptr) {
        throw std::runtime_error("cannot create " + path.string());
    }
    OGRSpatialReferenceH target = OSRNewSpatialReference(nullptr);
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(target, 2154);
    OSRImportFromEPSG(wgs84, 4326);
    OSRSetAxisMappingStrategy(target, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH to_target = OCTNewCoordinateTransformation(wgs84, target);
    const char* const options[] = {"SPATIAL_INDEX=NO", nullptr};
    OGRLayerH l = GDALDatasetCreateLayer(ds, layer.name.c_str(), target, wkbPoint, const_cast<char**>(options));
    for (const auto& field : layer.fields) {
        OGRFieldDefnH defn = OGR_Fld_Create(field.name.c_str(), field.type == OutputField::Type::text ? OFTString
                                                                 : field.type == OutputField::Type::integer
                                                                     ? OFTInteger64
                                                                     : OFTReal);
        OGR_L_CreateField(l, defn, FALSE);
        OGR_Fld_Destroy(defn);
    }
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    std::vector<FieldValue> row;
    std::vector<unsigned char> wkb;
    for (std::size_t i = 0; i < layer.streamed_rows; ++i) {
        if (i % 65536 == 0) {
            if (i > 0) {
                GDALDatasetCommitTransaction(ds);
            }
            GDALDatasetStartTransaction(ds, FALSE);
        }
        row.clear();
        wkb.clear();
        layer.make_row(i, row, &wkb);
        OGR_F_SetFID(f, OGRNullFID);
        for (std::size_t j = 0; j < row.size(); ++j) {
            const int k = static_cast<int>(j);
            switch (row[j].index()) {
            case 0: OGR_F_SetFieldNull(f, k); break;
            case 1: OGR_F_SetFieldInteger64(f, k, static_cast<GIntBig>(std::get<std::int64_t>(row[j]))); break;
            case 2: OGR_F_SetFieldDouble(f, k, std::get<double>(row[j])); break;
            default: OGR_F_SetFieldString(f, k, std::get<std::string>(row[j]).c_str()); break;
            }
        }
        OGRGeometryH g = nullptr;
        OGR_G_CreateFromWkb(wkb.data(), nullptr, &g, static_cast<int>(wkb.size()));
        OGR_G_Transform(g, to_target);
        OGR_F_SetGeometryDirectly(f, g);
        if (OGR_L_CreateFeature(l, f) != OGRERR_NONE) {
            throw std::runtime_error("cannot write a feature into " + path.string());
        }
    }
    GDALDatasetCommitTransaction(ds);
    const std::string sql = "SELECT CreateSpatialIndex('" + layer.name + "', 'geom')";
    OGRLayerH result = GDALDatasetExecuteSQL(ds, sql.c_str(), nullptr, nullptr);
    if (result != nullptr) {
        GDALDatasetReleaseResultSet(ds, result);
    }
    OGR_F_Destroy(f);
    OCTDestroyCoordinateTransformation(to_target);
    OSRDestroySpatialReference(target);
    OSRDestroySpatialReference(wgs84);
    GDALClose(ds);
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
        const auto timed = [](const auto& write) {
            const auto start = std::chrono::steady_clock::now();
            write();
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        std::filesystem::create_directories(dir);
        const double features = timed([&] { write_with_ogr_features(dir / "features.gpkg", layers[0]); });
        const double sqlite = timed([&] { write_geopackage(dir / "access.gpkg", layers, "EPSG:2154"); });
        const double csv = timed([&] { write_layer_csv(dir / "origins.csv", layers[0]); });
        std::printf("GeoPackage through GDAL's feature API (baseline): %.1f s (%.0f MB); as Proxima writes it "
                    "(SQLite inserts the rows): %.1f s (%.0f MB): %.2fx\n",
                    features, static_cast<double>(std::filesystem::file_size(dir / "features.gpkg")) / 1e6, sqlite,
                    static_cast<double>(std::filesystem::file_size(dir / "access.gpkg")) / 1e6, features / sqlite);
        std::printf("CSV alone: %.1f s (%.0f MB)\n", csv,
                    static_cast<double>(std::filesystem::file_size(dir / "origins.csv")) / 1e6);
        for (const char* f : {"features.gpkg", "access.gpkg", "origins.csv"}) {
            std::filesystem::remove(dir / f);
        }
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
