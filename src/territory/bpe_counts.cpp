#include "proxima/territory/bpe_counts.hpp"

#include <charconv>
#include <vector>

#include <cmath>

#include <fmt/format.h>

#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/territory/bpe_types.hpp"
#include "proxima/territory/commune_table.hpp"

namespace proxima {

namespace {

std::int64_t parse_count(const CsvReader& csv, const std::string& text, const std::string& column) {
    std::int64_t v = -1;
    // Some exports write counts as decimals ("3.0"): accept an integral decimal.
    // Bounded before the cast: converting a double beyond int64 is undefined behaviour.
    if (auto d = parse_decimal(text); d && *d >= 0 && *d <= 1e9 && *d == std::floor(*d)) {
        v = static_cast<std::int64_t>(*d);
    }
    if (text.empty()) {
        v = 0;  // an empty cell: no equipment of that type
    }
    if (v < 0) {
        throw InputError(fmt::format("{}: column {} holds '{}', not a count of equipments (a whole number >= 0)",
                                     csv.where(), column, text));
    }
    return v;
}

void check_commune(const CsvReader& csv, const std::string& code) {
    if (!is_valid_insee_code(code)) {
        throw InputError(fmt::format("{}: '{}' is not an INSEE commune code (5 characters, e.g. 01004 or 2A004); "
                                     "if the leading zero was lost, re-export the file keeping codes as text",
                                     csv.where(), code));
    }
}

void check_type(const CsvReader& csv, const std::string& type) {
    if (known_bpe_types().count(type) == 0) {
        throw InputError(fmt::format("{}: '{}' is no BPE equipment type of any known vintage (data/bpe/typequ.csv)",
                                     csv.where(), type));
    }
}

} // namespace

BpeCounts read_bpe_counts(const std::filesystem::path& path, const Log& log) {
    CsvReader csv(path, "BPE count table", log);
    BpeCounts out;
    const int geo = csv.column("GEO");
    if (geo >= 0) {
        out.layout = "long";
        const int object = csv.require_column({"GEO_OBJECT"});
        const int type = csv.require_column({"FACILITY_TYPE"});
        const int measure = csv.require_column({"BPE_MEASURE"});
        const int period = csv.require_column({"TIME_PERIOD"});
        const int value = csv.require_column({"OBS_VALUE"});
        std::string first_period;
        while (csv.next()) {
            ++out.rows_read;
            if (csv.field(object) != "COM" || csv.field(measure) != "FACILITIES") {
                continue;
            }
            const std::string p = csv.field(period);
            if (first_period.empty()) {
                first_period = p;
            } else if (p != first_period) {
                throw InputError(fmt::format("{}: TIME_PERIOD {} after {}: the file holds several years; keep the rows "
                                             "of one year",
                                             csv.where(), p, first_period));
            }
            const std::string code = csv.field(geo);
            const std::string t = csv.field(type);
            check_commune(csv, code);
            check_type(csv, t);
            out.types.insert(t);
            const std::int64_t n = parse_count(csv, csv.field(value), "OBS_VALUE");
            auto& per_type = out.by_commune[code];
            if (per_type.count(t) != 0) {
                throw InputError(fmt::format("{}: commune {} and type {} already counted on an earlier line", csv.where(),
                                             code, t));
            }
            if (n > 0) {
                per_type[t] = n;
            } else {
                per_type.emplace(t, 0);  // remembered for the duplicate check, erased below
            }
        }
    } else {
        out.layout = "wide";
        const int codgeo = csv.column("CODGEO");
        std::vector<std::pair<int, std::string>> columns;  // (index, TYPEQU)
        for (std::size_t i = 0; i < csv.columns().size(); ++i) {
            const std::string& name = csv.columns()[i];
            if (name.rfind("NB_", 0) == 0 && name.size() > 3) {
                const std::string t = name.substr(3);
                if (known_bpe_types().count(t) == 0) {
                    throw InputError(fmt::format("{}: column {} names '{}', which is no BPE equipment type of any known "
                                                 "vintage (data/bpe/typequ.csv)",
                                                 path.string(), name, t));
                }
                columns.emplace_back(static_cast<int>(i), t);
                out.types.insert(t);
            }
        }
        if (codgeo < 0 || columns.empty()) {
            std::string present;
            for (const auto& c : csv.columns()) {
                present += (present.empty() ? "" : ", ") + c;
            }
            throw InputError(fmt::format("{}: not a BPE count table: expected CODGEO and NB_<TYPEQU> columns (wide "
                                         "layout) or GEO, GEO_OBJECT, FACILITY_TYPE, BPE_MEASURE, TIME_PERIOD, OBS_VALUE "
                                         "(BPE 2025 layout); columns present: {}",
                                         path.string(), present));
        }
        while (csv.next()) {
            ++out.rows_read;
            const std::string code = csv.field(codgeo);
            check_commune(csv, code);
            std::map<std::string, std::int64_t> row;
            for (const auto& [index, t] : columns) {
                const std::int64_t n = parse_count(csv, csv.field(index), csv.columns()[static_cast<std::size_t>(index)]);
                if (n > 0) {
                    row[t] = n;
                }
            }
            auto [it, added] = out.by_commune.emplace(code, row);
            if (!added) {
                if (it->second != row) {
                    throw InputError(fmt::format("{}: commune {} already has a row, with other counts: keep one",
                                                 csv.where(), code));
                }
                out.warnings.push_back(fmt::format("{}: commune {} repeats an earlier row identically: counted once",
                                                   csv.where(), code));
            }
        }
    }
    if (out.rows_read == 0) {
        throw InputError(fmt::format("{}: the BPE count table has a header but no data row", path.string()));
    }
    for (auto it = out.by_commune.begin(); it != out.by_commune.end();) {
        for (auto t = it->second.begin(); t != it->second.end();) {
            t = t->second == 0 ? it->second.erase(t) : std::next(t);
        }
        it = it->second.empty() ? out.by_commune.erase(it) : std::next(it);
    }
    return out;
}

void merge_bpe_counts(BpeCounts& into, const BpeCounts& more, const std::string& into_name, const std::string& more_name) {
    for (const auto& t : more.types) {
        if (into.types.count(t) != 0) {
            throw InputError(fmt::format("BPE type {} is counted both in {} and in {}: give each type once", t, into_name,
                                         more_name));
        }
    }
    into.types.insert(more.types.begin(), more.types.end());
    for (const auto& [code, per_type] : more.by_commune) {
        into.by_commune[code].insert(per_type.begin(), per_type.end());
    }
    into.rows_read += more.rows_read;
    into.warnings.insert(into.warnings.end(), more.warnings.begin(), more.warnings.end());
    if (into.layout != more.layout) {
        into.layout = into.layout.empty() ? more.layout : "mixed";
    }
}

} // namespace proxima
