#pragma once
// The layers of `proxima run` (access.gpkg and its CSV tables), built from the inputs and the
// results: one function per layer, the fields documented in the README.

#include <span>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/deficit_territory.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/run/facility_places.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// The zones (polygons) with, per service, <id>_min, <id>_max_min, <id>_pop_over, <id>_over.
/// This layer and the origins layer make their rows as they are written (OutputLayer::make_row):
/// `in`, `results` and `access` must outlive them.
[[nodiscard]] OutputLayer zones_layer(const StudyInputs& in, const StudyResults& results);
/// The origins, as points ("origins") or grid cells ("cells"), with per service <id>_min,
/// <id>_nearest (the nearest site's id, as in the services layer) and <id>_nearest_name.
[[nodiscard]] OutputLayer origins_layer(const StudyInputs& in, const AccessTable& access);
/// What origins_layer writes of origin `o`: its population, its minutes to service `s` (NULL:
/// unreachable) and its geometry (WGS84 WKB: its point, or its grid cell). One rule for the layer
/// and for report.html's squares made by the run from its memory (run/report_squares.hpp).
[[nodiscard]] FieldValue origin_population_value(const StudyInputs& in, std::size_t o);
[[nodiscard]] FieldValue origin_minutes_value(const AccessTable& access, std::size_t s, std::size_t o);
[[nodiscard]] std::vector<unsigned char> origin_geometry(const StudyInputs& in, std::size_t o);
/// Every facility of every service: id, name, where it comes from (provider: osm, bpe, file,
/// pole; source: the record), the zone or commune it stands in, lon/lat, snapping distance.
[[nodiscard]] OutputLayer services_layer(const StudyInputs& in, const FacilityPlaces& places);
/// "deficit_<id>": one feature per part of the deficit territory (run/deficit_area.hpp), most
/// inhabitants beyond first, with its area, whether anyone beyond lives in it, and the population
/// beyond living in it; plus, when some origins beyond lie where the surface is within, one
/// feature without geometry holding them (so that the layer adds up to the study's figure).
[[nodiscard]] OutputLayer deficit_layer(const StudyInputs& in, std::size_t service, const DeficitTerritory& territory);
/// "communes_over_<id>" ("zones_over_<id>" without a commune table): the zones whose
/// population-weighted mean time is beyond the threshold, for those who report by commune.
[[nodiscard]] OutputLayer zones_over_layer(const StudyInputs& in, const StudyResults& results, std::size_t service);
/// Every area (study, département, EPCI, zone) × service: population beyond, share, bands.
/// With `groups` (the study's age groups): pop_<key>, pop_<key>_over and share_<key>_over too.
[[nodiscard]] OutputLayer summary_table(const StudyResults& results, const std::vector<AgeGroup>& groups = {});

/// The layers that also get a CSV table (not the deficit, zones-over and isochrone polygons).
[[nodiscard]] bool run_layer_has_csv(const OutputLayer& layer);

} // namespace proxima
