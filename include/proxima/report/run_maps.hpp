#pragma once
// The PNG maps of a run, built from the results in memory: one map per service for the whole
// study and, on request, one per EPCI. Each map is a choropleth of travel time (by commune, or
// by grid cell when the origins are cells) in the shared time classes, with the deficit zone
// hatched, the service's facilities, commune and EPCI borders, the communes' names, and a
// source line naming the data (never the date of the run: outputs are deterministic).

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/deficit_territory.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

struct MapContext;

struct RunMapOptions {
    bool per_epci = false;  ///< also one map per EPCI and service (needs EPCI codes on the zones)
    MapOptions map;
    int threads = 0;        ///< services drawn side by side; 0 = all cores
    /// map_context() of the same inputs, made once by a caller that draws other maps from it too
    /// (run: these, the pole maps and report.pdf); null: made here.
    const MapContext* context = nullptr;
};

/// What every map of a study shares whatever the service, in the output CRS, converted once
/// (a national study has 35 000 communes, 1 200 EPCI to dissolve and millions of places: done
/// again for each of 200 services, that was most of the maps' work).
struct MapContext {
    /// The roads of the graph (all of them up to 200 000 edges, else the roads of 60 km/h and
    /// more), given to every scene, not copied.
    std::shared_ptr<const std::vector<MapLine>> roads;
    std::vector<std::vector<unsigned char>> zone_wkb;  ///< per zone, its outline
    std::vector<std::array<double, 2>> zone_label;     ///< per zone, its point on surface
    std::array<double, 4> zones_box{};                 ///< of every zone (min x, min y, max x, max y); empty: min > max
    std::vector<std::vector<unsigned char>> epci_borders;  ///< each EPCI's zones dissolved
    std::vector<std::array<double, 2>> origin_xy;       ///< per origin: its position, output CRS (points studies)
    std::vector<std::vector<unsigned char>> cell_wkb;  ///< per origin: its cell's square, output CRS (grid studies)
    std::vector<MapLabel> place_labels;                ///< the largest places' names (points studies)
    /// The populated origins (points studies), in origin order, grouped for MapOptions{}.max_places.
    std::shared_ptr<const PlaceSquares> place_squares;
    std::size_t zone_count = 0;                        ///< of the inputs it was made from
    std::size_t origin_count = 0;
};
[[nodiscard]] MapContext map_context(const StudyInputs& in);

/// How many map contexts this process has made: a run makes one for all its maps and report.pdf
/// (a grid study's is millions of cell polygons); tests check that.
[[nodiscard]] std::size_t map_contexts_made();

/// The map of service `s` (index into in.services). Geometries are converted from WGS84 to
/// in.study.output_crs, which must be projected in metres.
///  - the surroundings of the zones in a neutral tone, the roads of `context` in light lines;
///  - zones: the study zones coloured by their population-weighted mean time
///    (results.zones[s][z].mean_min; a zone without origin is "sans habitant"); when the origins
///    are grid cells, the zones are drawn "sans habitant" underneath and each cell on top in the
///    colour of its own time (access.time_ds); otherwise each populated origin is a dot in the
///    colour of its own time, sized by its population, and the largest places are named;
///  - deficit: the territory beyond the threshold (run/deficit_area.hpp), hatched and outlined,
///    its inhabited parts labelled with their population;
///  - facilities in the symbol of the service's family (merged where they overlap), commune
///    borders, EPCI borders, zone labels (priority = population), title, subtitle, notes (the
///    population beyond the threshold, and those the hatching cannot show) and source line;
///  - frame: the zones, widened to the facilities that are the nearest of some origin when they
///    lie close outside (within a quarter of the zones' larger side, or 5 km, whichever is more).
/// Throws ConfigError if the output CRS is not projected in metres; Error if `s` or the results
/// do not match the inputs.
[[nodiscard]] MapScene scene_for_service(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                                         std::size_t s, const DeficitTerritory& deficit, const MapContext& context);

/// Writes "maps/<service id>.png" under `dir` for every service, and with options.per_epci
/// "maps/epci/<siren>_<service id>.png" for every EPCI of the study zones (the same layers,
/// framed on the EPCI's communes and the sites they go to, the rest washed out, subtitled with
/// its name, with the EPCI's population beyond the threshold). Creates the folders. Returns the
/// paths written, relative to `dir`, in writing order (services in study order; EPCI by SIREN).
/// `deficits` holds one territory per service, in service order (see run_study).
/// Throws as scene_for_service() and render_map_png() (OutputError naming the file).
std::vector<std::string> write_run_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                        const AccessTable& access, const StudyResults& results,
                                        const std::vector<DeficitTerritory>& deficits,
                                        const RunMapOptions& options = {});

} // namespace proxima
