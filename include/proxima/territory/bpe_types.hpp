#pragma once
// The BPE equipment type codes (TYPEQU) Proxima knows.

#include <set>
#include <string>

namespace proxima {

/// BPE equipment type codes (TYPEQU) of every nomenclature vintage Proxima knows
/// (data/bpe/typequ.csv, compiled in), for checking the codes a catalogue, gammes file or count
/// table names.
[[nodiscard]] const std::set<std::string>& known_bpe_types();

} // namespace proxima
