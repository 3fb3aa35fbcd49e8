// Fuzz target: CSV input files, read through GDAL's CSV driver.
//
// The input is written to /tmp/proxima-fuzz-<pid>/input.csv and read four times:
//   1. proxima::CsvReader (proxima/core/csv_reader.hpp): every record, every column's field(),
//      line() and where();
//   2. read_points_csv() (proxima/routing/points_csv.hpp), the distancier's `id,lon,lat` points;
//   3. read_commune_table() (proxima/territory/commune_table.hpp), the INSEE commune table;
//   4. read_point_file() (proxima/territory/facilities.hpp) as a facility file in EPSG:4326 whose
//      column `supply` holds each site's supply (the APL's supply_field).
// proxima::Error (InputError naming file and line) is the expected refusal; any other exception,
// or a crash, is a finding.
//
// Invariants: line() strictly increases from record to record, starts after the header (line 1)
// and never exceeds the number of lines in the file; points have finite lon in [-180, 180] and
// lat in [-90, 90], non-empty unique ids and increasing lines; communes have valid INSEE codes and
// non-negative populations, and the table's total is their sum; every facility has a supply,
// finite, from 0 to 1e9, and a finite WGS84 position.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <set>
#include <string>

#include <cpl_error.h>
#include <gdal.h>

#include "fuzz_common.hpp"
#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/routing/points_csv.hpp"
#include "proxima/territory/commune_table.hpp"
#include "proxima/territory/facilities.hpp"

namespace {

void init_gdal_once() {
    static const bool done = [] {
        GDALAllRegister();
        // GDAL's warnings about odd CSV lines would flood the fuzzer's output; the readers report
        // what matters through exceptions. PROXIMA_FUZZ_VERBOSE=1 keeps them.
        if (std::getenv("PROXIMA_FUZZ_VERBOSE") == nullptr) {
            CPLSetErrorHandler(CPLQuietErrorHandler);
        }
        return true;
    }();
    (void)done;
}

/// Lines of the file as an editor shows them: line breaks (LF, CRLF, or a lone CR as in old Mac
/// files), plus a last line without one.
std::uint64_t line_count(const std::uint8_t* data, std::size_t size) {
    std::uint64_t lines = (size > 0 && data[size - 1] != '\n' && data[size - 1] != '\r') ? 1 : 0;
    for (std::size_t i = 0; i < size; ++i) {
        const bool lone_cr = data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n');
        lines += (data[i] == '\n' || lone_cr) ? 1 : 0;
    }
    return lines;
}

void read_records(const std::filesystem::path& path, std::uint64_t lines_in_file) {
    proxima::CsvReader csv(path, "fuzz CSV");
    const int columns = static_cast<int>(csv.columns().size());
    std::uint64_t previous = 1;  // the header
    while (csv.next()) {
        for (int c = 0; c < columns; ++c) {
            (void)csv.field(c);
        }
        PROXIMA_FUZZ_CHECK(csv.line() > previous, "CsvReader::line() = %llu after %llu",
                           static_cast<unsigned long long>(csv.line()), static_cast<unsigned long long>(previous));
        PROXIMA_FUZZ_CHECK(csv.line() <= lines_in_file, "CsvReader::line() = %llu in a file of %llu lines",
                           static_cast<unsigned long long>(csv.line()), static_cast<unsigned long long>(lines_in_file));
        (void)csv.where();
        previous = csv.line();
    }
}

void read_points(const std::filesystem::path& path) {
    const auto points = proxima::read_points_csv(path);
    PROXIMA_FUZZ_CHECK(!points.empty(), "read_points_csv returned no point without refusing the file");
    std::set<std::string> ids;
    std::uint64_t previous = 1;
    for (const auto& p : points) {
        PROXIMA_FUZZ_CHECK(std::isfinite(p.position.lon) && p.position.lon >= -180 && p.position.lon <= 180 &&
                               std::isfinite(p.position.lat) && p.position.lat >= -90 && p.position.lat <= 90,
                           "point '%s' at lon %g lat %g", p.id.c_str(), p.position.lon, p.position.lat);
        PROXIMA_FUZZ_CHECK(!p.id.empty() && ids.insert(p.id).second, "empty or repeated point id '%s'", p.id.c_str());
        PROXIMA_FUZZ_CHECK(p.line > previous, "point '%s' on line %llu after line %llu", p.id.c_str(),
                           static_cast<unsigned long long>(p.line), static_cast<unsigned long long>(previous));
        previous = p.line;
    }
}

void read_communes(const std::filesystem::path& path) {
    const auto table = proxima::read_commune_table(path);
    PROXIMA_FUZZ_CHECK(table.size() > 0, "read_commune_table returned no commune without refusing the file");
    std::int64_t total = 0;
    bool overflow = false;
    for (const auto& c : table.communes()) {
        PROXIMA_FUZZ_CHECK(proxima::is_valid_insee_code(c.code), "commune code '%s'", c.code.c_str());
        if (c.population) {
            PROXIMA_FUZZ_CHECK(*c.population >= 0, "commune %s (line %llu) has population %lld", c.code.c_str(),
                               static_cast<unsigned long long>(c.line), static_cast<long long>(*c.population));
            overflow = overflow || __builtin_add_overflow(total, *c.population, &total);
        }
    }
    const std::int64_t reported = table.total_population();  // under UBSan, an overflow there is a finding
    if (!overflow) {
        PROXIMA_FUZZ_CHECK(reported == total, "total_population() %lld, sum of communes %lld",
                           static_cast<long long>(reported), static_cast<long long>(total));
    }
}

void read_supplies(const std::filesystem::path& path) {
    proxima::PointFileOptions options;
    options.crs = "EPSG:4326";
    options.supply_field = "supply";
    const auto read = proxima::read_point_file(path, options);
    for (const auto& f : read.facilities) {
        PROXIMA_FUZZ_CHECK(f.supply.has_value(), "facility '%s' read without its supply", f.id.c_str());
        PROXIMA_FUZZ_CHECK(std::isfinite(*f.supply) && *f.supply >= 0 && *f.supply <= 1e9, "facility '%s' supply %g",
                           f.id.c_str(), *f.supply);
        PROXIMA_FUZZ_CHECK(std::isfinite(f.position.lon) && std::abs(f.position.lon) <= 180 &&
                               std::isfinite(f.position.lat) && std::abs(f.position.lat) <= 90,
                           "facility '%s' at lon %g lat %g", f.id.c_str(), f.position.lon, f.position.lat);
    }
    PROXIMA_FUZZ_CHECK(read.facilities.size() + read.unplaced.size() == read.rows_read,
                       "%zu facilities and %zu unplaced rows of %llu rows", read.facilities.size(), read.unplaced.size(),
                       static_cast<unsigned long long>(read.rows_read));
}

template <typename F>
void expect_refusal_or_success(F&& f, const char* reader) {
    try {
        f();
        proxima::fuzz::accepted(reader);
    } catch (const proxima::Error& e) {
        proxima::fuzz::refused(e, reader);  // expected: not a valid input of this kind
    } catch (const std::exception& e) {
        proxima::fuzz::unexpected_exception(e, reader);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    init_gdal_once();
    const auto path = proxima::fuzz::write_scratch_file("input.csv", data, size);
    const std::uint64_t lines = line_count(data, size);
    expect_refusal_or_success([&] { read_records(path, lines); }, "CsvReader");
    expect_refusal_or_success([&] { read_points(path); }, "read_points_csv");
    expect_refusal_or_success([&] { read_communes(path); }, "read_commune_table");
    expect_refusal_or_success([&] { read_supplies(path); }, "read_point_file (supply)");
    return 0;
}
