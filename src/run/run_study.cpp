#include "proxima/run/run_study.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/isochrones.hpp"
#include "proxima/analysis/pole_access.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/report/html_report.hpp"
#include "proxima/report/pole_maps.hpp"
#include "proxima/report/qgis_styles.hpp"
#include "proxima/report/report_pdf.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/routing/search_method.hpp"
#include "proxima/run/apl_outputs.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima/run/diagnostic_tables.hpp"
#include "proxima/run/isochrone_layer.hpp"
#include "proxima/run/job_support.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/run/poles_layer.hpp"
#include "proxima/run/run_layers.hpp"
#include "run/report_squares.hpp"
#include "run_outcomes.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima/study/time_limits.hpp"

namespace proxima {

StudyFile select_services(StudyFile study, const std::vector<std::string>& ids, std::optional<double> threshold_min) {
    if (!ids.empty()) {
        std::vector<ServiceSpec> kept;
        for (const auto& id : ids) {
            auto it = std::find_if(study.services.begin(), study.services.end(),
                                   [&](const auto& s) { return s.id == id; });
            if (it == study.services.end()) {
                std::string known;
                for (const auto& s : study.services) {
                    known += (known.empty() ? "" : ", ") + s.id;
                }
                throw ConfigError(fmt::format("service '{}' is not in study {} (its services: {})", id,
                                              study.path.string(), known));
            }
            kept.push_back(*it);
        }
        study.services = std::move(kept);
    }
    if (threshold_min) {
        check_threshold_min(*threshold_min, "threshold");
        for (auto& s : study.services) {
            s.threshold_min = *threshold_min;
        }
    }
    return study;
}

namespace {

/// What the travel-time surface of every service gives: the deficit territories, and with
/// rasters on, the GeoTIFFs (rasters/<service>.tif) and the isochrones at the threshold and the
/// standard bands. Made service by service from the pixel times of the access search itself
/// (compute_access with the pixels as extra points): one search per service serves all. Services
/// are made side by side (PointTimes), each into its own slot, so the results do not depend on
/// which thread finishes first.
struct SurfaceProducts {
    explicit SurfaceProducts(std::size_t services) : deficits(services), isochrones(services), rasters(services) {}
    std::vector<DeficitTerritory> deficits;
    std::vector<OutputLayer> isochrones;  ///< empty layers without rasters
    std::vector<std::string> rasters;     ///< file of each service's GeoTIFF, empty without rasters
    double seconds = 0.0;                 ///< wall time spent making them (inside the search phase)
};

/// The pixels of the surface (snapped once for every service).
RasterPixels surface_pixels(const StudyInputs& in, const RunOptions& options) {
    return raster_pixels(in, RasterOptions{options.surface_resolution_m, in.study.output_crs, options.threads});
}

/// The products of service `s` from its pixel times, into slot `s` (called concurrently).
void add_service_surface(const std::filesystem::path& dir, const StudyInputs& in, const RasterPixels& pixels,
                         const ZonesOutline& outline, const OriginsInCrs& origins, std::size_t s,
                         std::span<const Deciseconds> pixel_ds, std::span<const Deciseconds> origin_ds,
                         const RunOptions& options, SurfaceProducts& out) {
    const bool rasters = options.rasters;
    const TravelTimeRaster raster = travel_time_raster_from(in, pixels, s, pixel_ds);
    const double threshold = in.services[s].spec.threshold_min;
    out.deficits[s] = service_deficit(in, pixels, outline, raster, origin_ds, threshold, &origins);
    if (rasters) {
        out.rasters[s] = "rasters/" + raster.service + ".tif";
        write_travel_time_geotiff(raster, dir / out.rasters[s]);
        // In the GeoPackage's CRS, they are written as made (no conversion to WGS84 and back).
        IsochroneOptions iso_options;
        iso_options.raster_crs = raster.grid.crs == in.study.output_crs;
        out.isochrones[s] = isochrone_layer(raster, threshold,
                                            isochrones_from_raster(raster, isochrone_limits(threshold), iso_options));
    }
}

/// access.gpkg (with the QGIS styles of the PNG maps) and the CSV tables.
void write_access_layers(const std::filesystem::path& dir, const StudyInputs& in, std::vector<OutputLayer> layers,
                         CsvDialect dialect, int threads, std::vector<std::string>& files) {
    if (in.poles) {
        layers.push_back(poles_layer(*in.poles));
    }
    for (auto& f :
         write_layers(dir, "access.gpkg", layers, in.study.output_crs, run_layer_has_csv, dialect, threads)) {
        files.push_back(std::move(f));
    }
    std::vector<StyledService> styled;
    for (const auto& sv : in.services) {
        styled.push_back({sv.spec.id, sv.spec.label, sv.spec.threshold_min, sv.spec.family});
    }
    add_qgis_styles(dir / "access.gpkg", styled, StyleWrite::in_place);  // `dir` is the run's temporary folder
}

/// Places (origins × services) beyond which report.pdf's scenes are made page by page: 40 bytes
/// each, 1.2 GB.
constexpr std::size_t scenes_at_once_max_places = 30'000'000;

/// report.pdf from the same map scenes as the PNG maps (drawn again as vectors, or taken from
/// `maps_dir`'s PNG when too heavy for vectors; empty: no PNG maps were written) and the manifest
/// just written: its content is run.json's, so that the two never disagree. Scenes are made on `threads`.
void write_pdf_report(const std::filesystem::path& path, const StudyInputs& in, const AccessTable& access,
                      const StudyResults& results, const std::vector<DeficitTerritory>& deficits,
                      const RunManifest& manifest, const std::filesystem::path& maps_dir, const MapContext& context,
                      int threads) {
    std::vector<MapScene> maps(in.services.size());
    // A scene holds a place per origin, and the zones: up to a few million places in all they
    // are made at once, side by side; beyond, each page makes its own when it needs it (once
    // per pass of write_report_pdf), so that 200 scenes of a national study's 2.3 M places are never held together.
    const bool scenes_on_demand = in.origins.size() * in.services.size() > scenes_at_once_max_places;
    if (!scenes_on_demand) {
        std::vector<std::exception_ptr> failed(in.services.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count(threads))
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            try {
                maps[s] = scene_for_service(in, access, results, s, deficits[s], context);
            } catch (...) {
                failed[s] = std::current_exception();  // an exception must not leave the OpenMP region
            }
        }
        for (const auto& f : failed) {
            if (f) {
                std::rethrow_exception(f);
            }
        }
    }
    PdfReport content = pdf_report_content(manifest, results, std::move(maps));
    if (scenes_on_demand) {
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            content.services[s].make_map = [&in, &access, &results, &deficits, &context, s] {
                return scene_for_service(in, access, results, s, deficits[s], context);
            };
        }
    }
    if (!maps_dir.empty()) {
        for (auto& page : content.services) {
            page.map_png = maps_dir / (page.service.id + ".png");
        }
    }
    write_report_pdf(content, path, threads);
}

} // namespace

RunSummary run_study(const StudyFile& original, const RunOptions& options, const Log& log) {
    const Stopwatch whole;
    StudyFile study = select_services(original, options.only_services, options.threshold_min);
    if (options.search) {
        study.network.search = *options.search;
    }
    RunSummary summary;
    summary.study_name = study.name;
    summary.output_dir = options.output_dir.empty() ? study.output_dir : options.output_dir;
    check_study_input_files(study);  // before the output folder exists: a bad path leaves nothing
    OutputFolder folder(summary.output_dir, options.force, files_of_study(study),
                        options.only_services.empty() ? "run" : "deficit");
    const std::filesystem::path& tmp = folder.tmp();

    StudyLoadOptions load;
    load.after_zones = [&options](const StudyInputs& zones_read) {
        try {
            (void)raster_grid(zones_read.zones, zones_read.study.output_crs, options.surface_resolution_m);
        } catch (const ConfigError& e) {
            throw ConfigError(fmt::format("{}; --raster-resolution sets it", e.what()));
        }
    };
    StudyInputs in = load_study_inputs(study, load, log);
    PhaseTimer timer;
    timer.add(in.timings, "load: ", in.timings_peak_mib);
    const RasterPixels pixels = surface_pixels(in, options);
    const ZonesOutline outline = zones_outline(in.zones, pixels.grid.crs);  // every deficit is clipped to it
    OriginsInCrs origins_placed = placed_origins(in, pixels.grid.crs);  // every deficit looks them up
    locate_in_pixels(origins_placed, pixels.grid, outline, options.threads);  // and finds their pixels there
    timer.phase("surface pixels");
    // The pole maps' access to the poles (one search per gamme to the poles' centres, which it
    // snaps): made while the snapping index is still here.
    std::optional<PoleAccess> pole_access;
    if (options.maps && in.poles) {
        pole_access = compute_pole_access(in, options.threads);
        timer.phase("pole access");
    }
    // Every point of the run is snapped now. The snapping index is let go before the search, the
    // phase that holds the most (gigabytes on a national graph: its projected shape points and grid).
    in.edge_snapper.reset();
    log.info(fmt::format("searching {} services from {} origins and {} surface pixels", in.services.size(),
                         in.origins.size(), pixels.snap.size()));
    SurfaceProducts surfaces(in.services.size());
    if (options.rasters) {
        std::filesystem::create_directories(tmp / "rasters");
    }
    const PointTimes pixel_times{pixels.snap,
                                 [&](std::size_t s, std::span<const Deciseconds> ds, const AccessTable& so_far) {
                                     add_service_surface(tmp, in, pixels, outline, origins_placed, s, ds,
                                                         so_far.times_ds(s), options, surfaces);
                                 },
                                 &surfaces.seconds};
    const AccessTable access = compute_access(in, options.threads, &pixel_times);
    for (const auto& file : surfaces.rasters) {  // in service order, as before they were made side by side
        if (!file.empty()) {
            summary.files.push_back(file);
        }
    }
    const SearchPlan& plan = access.search();
    summary.search = {plan.requested, plan.method, plan.lanes, plan.reason};
    log.info(fmt::format("search: {} ({} service{} per search; {})", search_method_name(plan.method), plan.lanes,
                         plan.lanes == 1 ? "" : "s", plan.reason));
    timer.phase("search");
    timer.split_last(options.rasters ? "rasters, isochrones and deficit areas" : "deficit areas",
                     surfaces.seconds);
    const StudyResults results = aggregate(in, access);
    timer.phase("aggregation");
    const std::vector<AplOutcome> apl = compute_run_apl(in, options.threads);  // indicator = "apl"
    if (!apl.empty()) {
        timer.phase("apl");
    }


    const FacilityPlaces places(in);
    std::vector<OutputLayer> layers = {zones_layer(in, results), origins_layer(in, access), services_layer(in, places)};
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        layers.push_back(deficit_layer(in, s, surfaces.deficits[s]));
        layers.push_back(zones_over_layer(in, results, s));
    }
    layers.push_back(summary_table(results, in.study.population.groups));
    for (const auto& a : apl) {
        for (auto& layer : apl_run_layers(in, a)) {
            layers.push_back(std::move(layer));
        }
    }
    if (options.rasters) {
        std::move(surfaces.isochrones.begin(), surfaces.isochrones.end(), std::back_inserter(layers));
    }
    // access.gpkg, its CSVs and the diagnostic tables. SQLite writes on one core: while the
    // maps are drawn (every core) and report.pdf is written (bound by its one thread that
    // compresses the pages), the tables are written beside them on a thread of their own (on a
    // 1 M-node run of 100 services, 20 s of one core that left the other idle; on a 4 M-node run,
    // 25 s of it were still to write once the maps were drawn). Nothing before run.json reads
    // them. Their files keep their place in the list, before the maps'.
    struct Written {
        std::vector<std::string> files;
        double seconds = 0;
    };
    auto write_tables = [&tmp, &in, &access, &results, &places, &options, layers = std::move(layers)]() mutable {
        const Stopwatch clock;
        Written w;
        write_access_layers(tmp, in, std::move(layers), options.csv_dialect, options.threads, w.files);
        for (auto& f : write_diagnostic_tables(tmp, in, access, results, places, options.csv_dialect)) {
            w.files.push_back(std::move(f));
        }
        w.seconds = clock.seconds();
        return w;
    };
    const bool tables_beside = (options.maps || options.pdf) && thread_count(options.threads) > 1;
    const std::size_t tables_at = summary.files.size();
    std::future<Written> tables;
    if (tables_beside) {
        tables = std::async(std::launch::async, std::move(write_tables));
    } else {
        Written w = write_tables();
        summary.files.insert(summary.files.end(), w.files.begin(), w.files.end());
        timer.phase("write");
    }
    // What every map shares (zones, roads, places in the output CRS): made once, when first
    // needed, for the maps, the pole maps and report.pdf (a grid study's millions of cells are
    // each made a polygon and projected).
    std::optional<MapContext> context;
    const auto shared_context = [&context, &in]() -> const MapContext& {
        if (!context) {
            context = map_context(in);
        }
        return *context;
    };
    if (options.maps) {
        RunMapOptions map_options;
        map_options.per_epci = options.maps_per_epci;
        map_options.threads = options.threads;
        map_options.context = &shared_context();
        for (auto& f : write_run_maps(tmp, in, access, results, surfaces.deficits, map_options)) {
            summary.files.push_back(std::move(f));
        }
        for (const auto& a : apl) {
            summary.files.push_back("maps/apl_" + in.services[a.service].spec.id + ".png");
            write_apl_map(tmp, summary.files.back(), in, access, results, a, shared_context());
        }
        timer.phase("maps");
        if (in.poles) {
            for (auto& f : write_pole_maps(tmp, in, access, results, *pole_access, shared_context())) {
                summary.files.push_back(std::move(f));
            }
            timer.phase("pole maps");
        }
    }
    if (options.pdf) {
        summary.files.push_back("report.pdf");  // written from the manifest, just before run.json
    }
    summary.files.push_back("report.html");  // written last, from run.json

    summary.services = service_outcomes(in, results);
    summary.warnings = in.warnings.size();
    const PolesSummary poles = poles_summary(in);
    summary.poles = poles.text;
    for (const auto& u : in.unplaced_population) {
        summary.unplaced_population += u.population;
    }
    summary.timings = timer.timings();
    const PopulationNotes population = population_notes(in, results);
    summary.population = population.text;
    summary.peaks_mib = timer.peaks_mib();
    summary.peak_mib = peak_resident_mib();
    RunManifest manifest = make_run_manifest(in, options, summary, poles.json);
    manifest.population_placement = population.placement;
    manifest.population_age_groups = population.age_groups;
    for (const auto& a : apl) {
        summary.apl += apl_console_summary(in, a);
        manifest.apl.push_back(apl_json(in, a));
    }
    if (options.pdf) {
        // From the manifest, whose timings it does not print: its own phase is added after.
        write_pdf_report(tmp / "report.pdf", in, access, results, surfaces.deficits, manifest,
                         options.maps ? tmp / "maps" : std::filesystem::path{}, shared_context(), options.threads);
        timer.phase("report.pdf");
    }
    // report.html groups the origins into squares beyond its cap: made here from memory, while
    // the GeoPackage is still being written beside (at 20 M nodes its 12 GB were read back twice
    // for them, ~100 s on one core once everything else was done).
    const std::optional<detail::OriginSquares> origin_squares =
        report_origin_squares(in, access, options.report_max_origins);
    if (origin_squares) {
        timer.phase("report.html: origins in squares");
    }
    if (tables_beside) {
        Written w = tables.get();  // rethrows what stopped the writing
        summary.files.insert(summary.files.begin() + static_cast<std::ptrdiff_t>(tables_at), w.files.begin(),
                             w.files.end());
        manifest.outputs = summary.files;
        timer.phase("write, waited for");  // waiting for the tables once the maps and report.pdf are made
        timer.add({{"write (own thread)", w.seconds}}, "");
    }
    if (options.pdf || tables_beside) {
        summary.timings = timer.timings();
        summary.peaks_mib = timer.peaks_mib();
        summary.peak_mib = peak_resident_mib();
        manifest.timings_s = summary.timings;
        manifest.memory.peak_mib = summary.peak_mib;  // its huge pages setting stays as made
        manifest.memory.peak_mib_after = summary.peaks_mib;
    }
    // report.html reads the written files, not the scenes: a grid study's cell polygons go now.
    context.reset();
    write_manifest(tmp / "run.json", to_json(manifest));
    summary.files.push_back("run.json");
    HtmlReportOptions report_options;
    report_options.max_origins = options.report_max_origins;
    report_options.threads = options.threads;
    report_options.origin_squares = origin_squares ? &*origin_squares : nullptr;
    HtmlReportOrigins report_origins;
    write_html_report(tmp, report_options, &report_origins);
    summary.report_note = describe_report_origins(report_origins, options.report_max_origins);
    summary.report_origins = report_origins;
    timer.phase("report.html");  // after run.json, which it reads: on the console only
    summary.timings = timer.timings();
    summary.peaks_mib = timer.peaks_mib();
    summary.peak_mib = peak_resident_mib();
    folder.commit();
    summary.seconds = whole.seconds();
    return summary;
}

std::string format_run_summary(const RunSummary& s) {
    // Written for the people who read the schéma: whole numbers with thin separators, the
    // threshold in words, the most affected area named.
    auto people = [](double v) { return format_number(v, 0, console_numbers); };
    std::string out = fmt::format("{}: results in {}\n", s.study_name, s.output_dir.string());
    for (const auto& sv : s.services) {
        out += fmt::format("  {} ({} site{}): ", sv.label, sv.facilities, sv.facilities == 1 ? "" : "s");
        if (sv.share_over) {
            out += fmt::format("{} of {} inhabitants ({}) are more than {:g} min away", people(sv.population_over),
                               people(sv.population), console_percent(100.0 * *sv.share_over), sv.threshold_min);
        } else {
            out += "no population to count";
        }
        if (sv.worst_share && *sv.worst_share > 0) {
            out += fmt::format("; most affected: {} ({})", sv.worst_area, console_percent(100.0 * *sv.worst_share));
        }
        out += "\n";
    }
    out += s.population;
    out += s.poles;
    out += s.apl;
    if (s.unplaced_population > 0) {
        out += fmt::format("  {} inhabitants could not be placed and are not counted above (see run.json)\n",
                           people(s.unplaced_population));
    }
    // The note may hold two lines (origins grouped, isochrones left out): each one indented.
    for (std::size_t at = 0; at < s.report_note.size();) {
        const std::size_t end = std::min(s.report_note.find('\n', at), s.report_note.size());
        out += "  " + s.report_note.substr(at, end - at) + "\n";
        at = end + 1;
    }
    if (s.warnings > 0) {
        out += fmt::format("  {} warning{} (see run.json)\n", s.warnings, s.warnings == 1 ? "" : "s");
    }
    double total = s.seconds;
    if (total <= 0) {  // a summary made elsewhere: its phases, which then do not overlap
        for (const auto& [phase, seconds] : s.timings) {
            total += seconds;
        }
    }
    out += fmt::format("  computed in {:.2f} s, peak memory {} MiB (phases in run.json)\n", total,
                       format_number(s.peak_mib, 0, console_numbers));
    return out;
}

} // namespace proxima
