#include "proxima/routing/points_csv.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

std::vector<NamedPoint> read_points_csv(const std::filesystem::path& path, const Log& log) {
    CsvReader csv(path, "points file", log);
    if (csv.column("id") < 0 || csv.column("lon") < 0 || csv.column("lat") < 0) {
        std::string present;
        for (const auto& c : csv.columns()) {
            present += (present.empty() ? "" : ", ") + c;
        }
        throw InputError(fmt::format("points file '{}' must have columns id, lon, lat (WGS84 degrees); it has: {}",
                                     path.string(), present.empty() ? "none" : present));
    }
    const int id_field = csv.column("id");
    const int lon_field = csv.column("lon");
    const int lat_field = csv.column("lat");
    std::vector<NamedPoint> out;
    std::set<std::string> ids;
    while (csv.next()) {
        NamedPoint p;
        p.line = csv.line();
        p.id = csv.field(id_field);
        if (p.id.empty()) {
            throw InputError(fmt::format("{}: empty id; every point needs a unique id", csv.where()));
        }
        if (!ids.insert(p.id).second) {
            throw InputError(fmt::format("{}: id '{}' appears twice; ids must be unique", csv.where(), p.id));
        }
        auto coordinate = [&](int index, const char* name, double lo, double hi) {
            const std::string text = csv.field(index);
            const auto v = parse_decimal(text);
            if (!v) {
                throw InputError(fmt::format("{}: {} '{}' of point '{}' is not a number (use a dot as decimal "
                                             "separator, degrees WGS84)",
                                             csv.where(), name, text, p.id));
            }
            if (*v < lo || *v > hi) {
                throw InputError(fmt::format("{}: {} {} of point '{}' is outside [{}, {}]; coordinates must be "
                                             "WGS84 longitude/latitude in degrees",
                                             csv.where(), name, *v, p.id, lo, hi));
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
    OutputStream out(path);
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

std::vector<TableRow> read_table_csv(const std::filesystem::path& path, const Log& log) {
    CsvReader csv(path, "table file", log);
    const int f_source = csv.require_column({"source_id"});
    const int f_target = csv.require_column({"target_id"});
    const int f_seconds = csv.require_column({"seconds"});
    const int f_metres = csv.require_column({"metres"});
    std::vector<TableRow> rows;
    while (csv.next()) {
        TableRow row;
        row.source_id = csv.field(f_source);
        row.target_id = csv.field(f_target);
        auto value = [&](int field, const char* name) -> std::optional<double> {
            const std::string text = csv.field(field);
            if (text.empty() || text == "NULL") {
                return std::nullopt;
            }
            auto v = parse_decimal(text);
            if (!v) {
                throw InputError(fmt::format("{}: {} '{}' is not a number", csv.where(), name, text));
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
    // Percentiles by the nearest rank below (the sorted ratios).
    auto percentile = [&](double q) { return ratio[static_cast<std::size_t>(q * static_cast<double>(ratio.size() - 1))]; };
    out.p10_ratio = percentile(0.1);
    out.p90_ratio = percentile(0.9);
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
