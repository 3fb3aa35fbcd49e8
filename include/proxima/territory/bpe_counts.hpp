#pragma once
// BPE equipment counts per commune and type, as INSEE publishes them without coordinates:
//  - wide: one row per commune, `CODGEO` then one `NB_<TYPEQU>` column per type (e.g. the
//    "bpe-D201-medecins-generalistes-par-commune.csv" extracts, or the older "ensemble" tables);
//  - long (BPE 2025 "DS_BPE_..._data.csv"): GEO, GEO_OBJECT, FACILITY_TYPE, BPE_MEASURE,
//    TIME_PERIOD, OBS_VALUE; only rows with GEO_OBJECT = COM and BPE_MEASURE = FACILITIES count.
// Separator `,` or `;` (GDAL's CSV driver detects it); a type with no row has zero equipment.

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"

namespace proxima {

struct BpeCounts {
    /// commune code -> TYPEQU -> number of equipments (only counts > 0 are stored)
    std::map<std::string, std::map<std::string, std::int64_t>> by_commune;
    std::set<std::string> types;     ///< every TYPEQU the file covers (columns or FACILITY_TYPE values)
    std::string layout;              ///< "wide" or "long"
    std::uint64_t rows_read = 0;
    /// Defects that do not change a count, e.g. a row repeated identically (INSEE's own D201
    /// extract repeats commune 58062): reported, counted once.
    std::vector<std::string> warnings;
};

/// Reads a count table in either layout. Throws InputError naming the file, the line and the
/// value: missing file, neither layout's columns, an invalid commune code, a non-integer or
/// negative count, a TYPEQU unknown to every vintage, a commune/type pair given twice with
/// different counts (an identical repeat is a warning), a file
/// with no data row. Several TIME_PERIOD values in a long file are refused (say which to keep).
[[nodiscard]] BpeCounts read_bpe_counts(const std::filesystem::path& path, const Log& log = Log{});

/// Adds `more` into `into` (several tables, e.g. one per type); a commune/type in both is an
/// InputError naming both files.
void merge_bpe_counts(BpeCounts& into, const BpeCounts& more, const std::string& into_name, const std::string& more_name);

} // namespace proxima
