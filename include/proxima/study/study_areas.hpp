#pragma once
// The areas a study reports on above its zones: the commune each zone matched in the commune
// table, and the EPCI grouping the zones. One rule for the tables, the aggregation and the maps.

#include <cstddef>
#include <string>
#include <vector>

#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// The commune table's row for zone `z`, or nullptr (no table, or the zone matched none).
[[nodiscard]] const Commune* commune_of_zone(const StudyInputs& in, std::size_t z);

struct ZoneGroup {
    std::string code;                ///< e.g. the EPCI's SIREN
    std::string name;                ///< empty if no source names it
    std::vector<std::size_t> zones;  ///< indices into in.zones.zones, increasing
};

/// The EPCI of the study zones, by SIREN: a zone's EPCI comes from the commune table when the zone
/// matched a commune that has one, else from the zone layer's own EPCI field; zones with neither
/// belong to no group.
[[nodiscard]] std::vector<ZoneGroup> study_epcis(const StudyInputs& in);

} // namespace proxima
