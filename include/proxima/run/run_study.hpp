#pragma once
// The main job (`proxima run`): read a study's inputs, compute access times of every service
// from every origin, aggregate them by commune, EPCI and département, draw the deficit zones,
// and write access.gpkg (with QGIS styles), the CSV tables, travel-time rasters and isochrones, PNG
// maps, report.html, report.pdf and run.json into the output folder — all or nothing.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/report/html_report.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/routing/search_method.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima/study/study_file.hpp"

namespace proxima {

struct RunOptions {
    std::filesystem::path output_dir;       ///< empty: the study's [study] output
    bool force = false;                     ///< replace an existing output folder
    int threads = 0;                        ///< 0: all cores
    std::vector<std::string> only_services; ///< empty: every service of the study
    std::optional<double> threshold_min;    ///< overrides the threshold of the selected services
    bool maps = true;                       ///< maps/<service>.png
    bool maps_per_epci = false;             ///< also maps/epci/<siren>_<service>.png
    bool pdf = true;                        ///< report.pdf (report/report_pdf.hpp)
    /// Cell side of the travel-time surface every service's deficit areas are drawn from, and
    /// of its rasters and isochrones, metres.
    double surface_resolution_m = default_surface_resolution_m;
    bool rasters = true;                    ///< rasters/<service>.tif and isochrones_<service>
    CsvDialect csv_dialect = CsvDialect::gis;  ///< of every CSV table (report/layer_writer.hpp)
    /// report.html: origins embedded one by one up to this many, beyond grouped into squares;
    /// 0 leaves them off the map (report/html_report.hpp).
    std::size_t report_max_origins = HtmlReportOptions::default_max_origins;
    std::optional<SearchChoice> search;     ///< overrides the study's [network] search
};

struct ServiceOutcome {
    std::string id;
    std::string label;
    double threshold_min = 0.0;
    std::size_t facilities = 0;
    double population = 0.0;
    double population_over = 0.0;
    std::optional<double> share_over;
    std::string worst_area;                 ///< EPCI (or zone) with the highest share beyond the threshold
    std::optional<double> worst_share;
};

struct RunSummary {
    std::string study_name;
    std::filesystem::path output_dir;
    std::vector<ServiceOutcome> services;
    std::size_t warnings = 0;
    double unplaced_population = 0.0;
    std::vector<std::pair<std::string, double>> timings;  ///< phase -> seconds
    std::vector<std::pair<std::string, double>> peaks_mib;  ///< phase -> peak resident memory at its end
    double peak_mib = 0.0;                                ///< peak resident memory of the whole run
    /// Wall time of the whole run, report.html included (phases can overlap: the GeoPackage is
    /// written while the maps are drawn, so the timings add up to more).
    double seconds = 0.0;
    std::vector<std::string> files;                       ///< written, relative to output_dir
    std::string poles;                                    ///< pôles de services, one line per level (empty: none)
    std::string apl;                                      ///< APL of the services with indicator = "apl" (empty: none)
    std::string population{};                             ///< origin placement and age groups (empty: nothing to say)
    std::string report_note;                              ///< how report.html shows the origins, when grouped (empty: one by one)
    HtmlReportOrigins report_origins;                     ///< what report.html shows of the origins (and how it made it)
    struct Search {
        SearchChoice requested = SearchChoice::automatic;
        SearchMethod method = SearchMethod::dijkstra;
        unsigned lanes = 1;
        std::string reason;
    } search;                                             ///< how the services were searched
};

/// The study restricted to the services `ids` (in that order; empty: all), with every kept
/// service's threshold replaced by `threshold_min` when given. Throws ConfigError for an id not in
/// the study (listing its services) or a threshold outside (0, 1440] minutes.
[[nodiscard]] StudyFile select_services(StudyFile study, const std::vector<std::string>& ids,
                                        std::optional<double> threshold_min);

/// Runs the study. Throws (nothing written) on any error: the output folder is built under a
/// temporary name and renamed at the end. An existing output folder is replaced only with
/// options.force (else OutputError before any work).
RunSummary run_study(const StudyFile& study, const RunOptions& options, const Log& log = Log{});

/// The console summary: per service, population beyond the threshold and share, worst area.
[[nodiscard]] std::string format_run_summary(const RunSummary& summary);

} // namespace proxima
