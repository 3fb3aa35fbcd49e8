#pragma once
// The SDAASP diagnostic tables: for every commune (zone), its population and, service by service,
// the minutes to the nearest site, which site and in which commune, and whether it is beyond the
// threshold; the same by EPCI. Headers in French, for the people who write the schéma; written as
// CSV and as one xlsx workbook (diagnostic.xlsx).

#include <filesystem>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/run/facility_places.hpp"

namespace proxima {

/// One row per zone. Per service: "<label> : temps moyen (min)" (population-weighted over the
/// origins that reach a site), "<label> : site le plus proche" (the site most of its inhabitants
/// go to), "<label> : commune du site", "<label> : au-delà de N min" (oui/non: the mean beyond
/// the threshold, or no site reachable), "<label> : habitants au-delà" (inhabitants whose own
/// time is beyond). A zone without inhabitants has empty cells.
[[nodiscard]] OutputLayer commune_diagnostic(const StudyInputs& in, const AccessTable& access,
                                             const StudyResults& results, const FacilityPlaces& places);

/// One row per EPCI (empty when the study knows no EPCI): SIREN, name, communes, population and
/// per service the mean time, the inhabitants beyond the threshold and their share.
[[nodiscard]] OutputLayer epci_diagnostic(const StudyInputs& in, const AccessTable& access,
                                          const StudyResults& results);

/// Writes diagnostic_communes.csv, diagnostic_epci.csv (when there are EPCI) and diagnostic.xlsx
/// under `dir`. Returns the files written, relative to dir.
std::vector<std::string> write_diagnostic_tables(const std::filesystem::path& dir, const StudyInputs& in,
                                                 const AccessTable& access, const StudyResults& results,
                                                 const FacilityPlaces& places, CsvDialect dialect);

} // namespace proxima
