#pragma once
// The PNG maps of a run, built from the results in memory: one map per service for the whole
// study and, on request, one per EPCI. Each map is a choropleth of travel time (by commune, or
// by grid cell when the origins are cells) in the shared time classes, with the deficit zone
// hatched, the service's facilities, commune and EPCI borders, the communes' names, and a
// source line naming the data (never the date of the run: outputs are deterministic).

#include <filesystem>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

struct RunMapOptions {
    bool per_epci = false;  ///< also one map per EPCI and service (needs EPCI codes on the zones)
    MapOptions map;
};

/// The map of service `s` (index into in.services). Geometries are converted from WGS84 to
/// in.study.output_crs, which must be projected in metres.
///  - zones: the study zones coloured by their population-weighted mean time
///    (results.zones[s][z].mean_min; a zone without origin is "sans habitant"); when the origins
///    are grid cells, the zones are drawn "sans habitant" underneath and each cell on top in the
///    colour of its own time (access.time_ds);
///  - deficit: `deficit_wkb_wgs84` (as run_study dissolves it; empty: none), hatched;
///  - facilities, commune borders, EPCI borders (zones dissolved by the EPCI of the commune table,
///    or of the zone layer), labels (one per zone, in zone order, at the zone's point on surface,
///    priority = its population), title, subtitle, notes (the population beyond the threshold)
///    and source line (data files and COG year, Proxima's version; no date);
///  - frame: the zones, widened to the facilities that are the nearest of some origin when they
///    lie close outside (within a quarter of the zones' larger side, or 5 km, whichever is more).
/// Throws ConfigError if the output CRS is not projected in metres; Error if `s` or the results
/// do not match the inputs.
[[nodiscard]] MapScene scene_for_service(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                                         std::size_t s, const std::vector<unsigned char>& deficit_wkb_wgs84);

/// Writes "maps/<service id>.png" under `dir` for every service, and with options.per_epci
/// "maps/epci/<siren>_<service id>.png" for every EPCI of the study zones (the same layers,
/// framed on the EPCI's communes and the sites they go to, the rest washed out, subtitled with
/// its name, with the EPCI's population beyond the threshold). Creates the folders. Returns the
/// paths written, relative to `dir`, in writing order (services in study order; EPCI by SIREN).
/// `deficits_wgs84` holds one WKB per service, in service order (see run_study).
/// Throws as scene_for_service() and render_map_png() (OutputError naming the file).
std::vector<std::string> write_run_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                        const AccessTable& access, const StudyResults& results,
                                        const std::vector<std::vector<unsigned char>>& deficits_wgs84,
                                        const RunMapOptions& options = {});

} // namespace proxima
