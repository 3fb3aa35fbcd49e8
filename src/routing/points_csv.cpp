#include "proxima/routing/points_csv.hpp"

#include <charconv>
#include <fstream>
#include <cmath>
#include <memory>
#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

namespace {

struct GdalDatasetCloser {
    void operator()(void* ds) const { GDALClose(ds); }
};

std::optional<double> parse_double(std::string_view s) {
    while (!s.empty() && s.front() == ' ') {
        s.remove_prefix(1);
    }
    while (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

/// Line on which each non-blank CSV record starts (header first), so that messages can name the
/// line a user sees in an editor even with blank lines or quoted line breaks, which GDAL skips.
std::vector<std::uint64_t> record_lines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint64_t> lines;
    std::uint64_t line = 1;
    std::uint64_t record_line = 1;
    bool at_record_start = true;
    bool record_empty = true;
    bool in_quotes = false;
    char c = 0;
    while (in.get(c)) {
        if (at_record_start) {
            record_line = line;
            at_record_start = false;
            record_empty = true;
        }
        if (c == '"') {
            in_quotes = !in_quotes;
            record_empty = false;
        } else if (c == '\n') {
            ++line;
            if (!in_quotes) {
                if (!record_empty) {
                    lines.push_back(record_line);
                }
                at_record_start = true;
            }
        } else if (c != '\r') {
            record_empty = false;
        }
    }
    if (!at_record_start && !record_empty) {
        lines.push_back(record_line);
    }
    return lines;
}

void require_non_empty(const std::filesystem::path& path, const char* what) {
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) == 0 && !ec) {
        throw InputError(fmt::format("{} '{}' is empty; expected a CSV with a header line", what, path.string()));
    }
}

/// Opens a CSV file through GDAL's CSV driver, all fields as text. Throws InputError naming
/// `what` and the file when it is missing, empty or unreadable.
struct CsvTable {
    std::unique_ptr<void, GdalDatasetCloser> dataset;
    OGRLayerH layer = nullptr;
    OGRFeatureDefnH defn = nullptr;
};

CsvTable open_csv(const std::filesystem::path& path, const char* what) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw InputError(fmt::format("{} '{}' does not exist or is not a file", what, path.string()));
    }
    require_non_empty(path, what);
    GDALAllRegister();
    const char* drivers[] = {"CSV", nullptr};
    const char* options[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CsvTable t;
    t.dataset.reset(
        GDALOpenEx(("CSV:" + path.string()).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr));
    CPLPopErrorHandler();
    if (!t.dataset) {
        throw InputError(fmt::format("cannot read {} '{}' as CSV: {}", what, path.string(), CPLGetLastErrorMsg()));
    }
    t.layer = GDALDatasetGetLayer(t.dataset.get(), 0);
    if (t.layer == nullptr) {
        throw InputError(fmt::format("{} '{}' holds no table", what, path.string()));
    }
    t.defn = OGR_L_GetLayerDefn(t.layer);
    return t;
}

} // namespace

std::vector<NamedPoint> read_points_csv(const std::filesystem::path& path) {
    const CsvTable table = open_csv(path, "points file");
    const auto lines = record_lines(path);
    OGRLayerH layer = table.layer;
    OGRFeatureDefnH defn = table.defn;
    auto field = [&](const char* name) { return OGR_FD_GetFieldIndex(defn, name); };
    const int id_field = field("id");
    const int lon_field = field("lon");
    const int lat_field = field("lat");
    if (id_field < 0 || lon_field < 0 || lat_field < 0) {
        std::string present;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
            present += (i > 0 ? ", " : "") + std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        }
        throw InputError(fmt::format("points file '{}' must have columns id, lon, lat (WGS84 degrees); it has: {}",
                                     path.string(), present.empty() ? "none" : present));
    }
    std::vector<NamedPoint> out;
    std::set<std::string> ids;
    OGR_L_ResetReading(layer);
    std::uint64_t record = 0;
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        std::unique_ptr<void, void (*)(void*)> guard(f, [](void* p) { OGR_F_Destroy(static_cast<OGRFeatureH>(p)); });
        ++record;
        const std::uint64_t line = record < lines.size() ? lines[record] : record + 1;
        NamedPoint p;
        p.line = line;
        p.id = OGR_F_GetFieldAsString(f, id_field);
        if (p.id.empty()) {
            throw InputError(fmt::format("{}:{}: empty id; every point needs a unique id", path.string(), line));
        }
        if (!ids.insert(p.id).second) {
            throw InputError(fmt::format("{}:{}: id '{}' appears twice; ids must be unique", path.string(), line, p.id));
        }
        auto coordinate = [&](int index, const char* name, double lo, double hi) {
            const std::string text = OGR_F_GetFieldAsString(f, index);
            const auto v = parse_double(text);
            if (!v) {
                throw InputError(fmt::format("{}:{}: {} '{}' of point '{}' is not a number (use a dot as decimal "
                                             "separator, degrees WGS84)",
                                             path.string(), line, name, text, p.id));
            }
            if (*v < lo || *v > hi) {
                throw InputError(fmt::format("{}:{}: {} {} of point '{}' is outside [{}, {}]; coordinates must be "
                                             "WGS84 longitude/latitude in degrees",
                                             path.string(), line, name, *v, p.id, lo, hi));
            }
            return *v;
        };
        p.position.lon = coordinate(lon_field, "lon", -180, 180);
        p.position.lat = coordinate(lat_field, "lat", -90, 90);
        out.push_back(std::move(p));
    }
    if (out.empty()) {
        throw InputError(fmt::format("points file '{}' has a header but no point", path.string()));
    }
    return out;
}

void write_table_csv(const std::filesystem::path& path, std::span<const NamedPoint> sources,
                     std::span<const NamedPoint> targets, std::span<const Trip> trips) {
    AtomicFile out(path);
    auto& s = out.stream();
    s << "source_id,target_id,seconds,metres\n";
    auto quoted = [](const std::string& v) {
        if (v.find_first_of(",\"\n\r") == std::string::npos) {
            return v;
        }
        std::string q = "\"";
        for (char c : v) {
            q += c == '"' ? std::string("\"\"") : std::string(1, c);
        }
        return q + "\"";
    };
    for (std::size_t i = 0; i < sources.size(); ++i) {
        for (std::size_t j = 0; j < targets.size(); ++j) {
            const Trip& t = trips[i * targets.size() + j];
            s << quoted(sources[i].id) << ',' << quoted(targets[j].id) << ',';
            if (t.reachable()) {
                s << fmt::format("{:.1f},{:.1f}", seconds_from_ds(t.ds), t.metres);
            } else {
                s << ',';
            }
            s << '\n';
        }
    }
    out.commit();
}

} // namespace proxima

namespace proxima {

std::vector<TableRow> read_table_csv(const std::filesystem::path& path) {
    const CsvTable table = open_csv(path, "table file");
    OGRLayerH layer = table.layer;
    OGRFeatureDefnH defn = table.defn;
    const int f_source = OGR_FD_GetFieldIndex(defn, "source_id");
    const int f_target = OGR_FD_GetFieldIndex(defn, "target_id");
    const int f_seconds = OGR_FD_GetFieldIndex(defn, "seconds");
    const int f_metres = OGR_FD_GetFieldIndex(defn, "metres");
    if (f_source < 0 || f_target < 0 || f_seconds < 0 || f_metres < 0) {
        throw InputError(fmt::format("table '{}' must have columns source_id,target_id,seconds,metres", path.string()));
    }
    std::vector<TableRow> rows;
    std::uint64_t record = 0;
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        std::unique_ptr<void, void (*)(void*)> guard(f, [](void* p) { OGR_F_Destroy(static_cast<OGRFeatureH>(p)); });
        ++record;
        TableRow row;
        row.source_id = OGR_F_GetFieldAsString(f, f_source);
        row.target_id = OGR_F_GetFieldAsString(f, f_target);
        auto value = [&](int field, const char* name) -> std::optional<double> {
            const std::string text = OGR_F_GetFieldAsString(f, field);
            if (text.empty() || text == "NULL") {
                return std::nullopt;
            }
            auto v = parse_double(text);
            if (!v) {
                throw InputError(fmt::format("{}:{}: {} '{}' is not a number", path.string(), record + 1, name, text));
            }
            return v;
        };
        row.seconds = value(f_seconds, "seconds");
        row.metres = value(f_metres, "metres");
        rows.push_back(std::move(row));
    }
    return rows;
}

namespace {
std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) {
            ++j;
        }
        const double average = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k) {
            r[order[k]] = average;
        }
        i = j + 1;
    }
    return r;
}
} // namespace

TableAgreement compare_tables(const std::vector<TableRow>& ours, const std::vector<TableRow>& theirs) {
    std::map<std::pair<std::string, std::string>, double> reference;
    for (const auto& r : theirs) {
        if (r.seconds && r.source_id != r.target_id) {
            reference[{r.source_id, r.target_id}] = *r.seconds;
        }
    }
    std::vector<double> a;
    std::vector<double> b;
    for (const auto& r : ours) {
        if (!r.seconds || r.source_id == r.target_id) {
            continue;
        }
        auto it = reference.find({r.source_id, r.target_id});
        if (it != reference.end() && it->second > 0) {
            a.push_back(*r.seconds);
            b.push_back(it->second);
        }
    }
    TableAgreement out;
    out.pairs = a.size();
    if (a.size() < 2) {
        return out;
    }
    std::vector<double> ratio;
    std::size_t within = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ratio.push_back(a[i] / b[i]);
        within += (ratio.back() >= 0.75 && ratio.back() <= 1.25) ? 1 : 0;
    }
    std::sort(ratio.begin(), ratio.end());
    out.median_ratio = ratio.size() % 2 == 1 ? ratio[ratio.size() / 2]
                                             : (ratio[ratio.size() / 2 - 1] + ratio[ratio.size() / 2]) / 2.0;
    out.share_within_25pct = static_cast<double>(within) / static_cast<double>(a.size());
    const auto ra = ranks(a);
    const auto rb = ranks(b);
    const double n = static_cast<double>(a.size());
    const double mean = (n + 1) / 2;
    double cov = 0, va = 0, vb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        cov += (ra[i] - mean) * (rb[i] - mean);
        va += (ra[i] - mean) * (ra[i] - mean);
        vb += (rb[i] - mean) * (rb[i] - mean);
    }
    out.spearman = (va > 0 && vb > 0) ? cov / std::sqrt(va * vb) : 0.0;
    return out;
}

} // namespace proxima
