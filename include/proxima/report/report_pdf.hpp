#pragma once
// report.pdf: the run as a paginated A4 document to e-mail, print or annex to a schéma. The same
// content as report.html, in pages: a cover (study, data sources, Proxima version), a summary
// of every service (population beyond the threshold, population by time band), one page per
// service (its map drawn as vectors, then the communes and EPCI with inhabitants beyond the
// threshold, in a table that continues over pages with its header repeated), and the
// provenance from run.json (inputs with their SHA-256, parameters, warnings). Same content, same
// bytes: no clock, no timings, no creation date in the PDF's metadata.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/report/run_manifest.hpp"

namespace proxima {

/// A commune (zone) or an EPCI with inhabitants beyond a service's threshold.
struct PdfAreaRow {
    std::string code;
    std::string name;
    double population = 0.0;
    double population_over = 0.0;
    std::optional<double> share_over;  ///< nullopt when the area has no population
};

/// What the page of one service shows.
struct PdfServicePage {
    ManifestService service;             ///< label, threshold, sites, population beyond (run.json)
    Bands bands;                         ///< population of the study per time band (band_names order)
    MapScene map;                        ///< drawn as vectors, scaled to the page's width
    /// When set, `map` stays empty: the scene is made each time the page needs it (once in the
    /// counting pass, once more to draw it unless it is taken from `map_png`) and let go. A national study's scenes, millions of places each for 200
    /// services, do not fit in memory all at once. Called from several threads at once.
    std::function<MapScene()> make_map;
    /// The same map already drawn by the run (maps/<id>.png), if any: a map too heavy for vectors
    /// (see README, report.pdf) is taken from it instead of being drawn a second time.
    std::filesystem::path map_png;
    std::string zone_word = "Commune";   ///< "Commune", or "Zone" for a study without communes
    std::vector<PdfAreaRow> zones_over;  ///< population beyond > 0, most affected first
    std::vector<PdfAreaRow> epci_over;   ///< likewise
};

struct PdfReport {
    RunManifest manifest;                ///< cover and provenance (its timings are never printed)
    std::vector<PdfServicePage> services;  ///< in run.json order
};

/// The content of report.pdf from a run in memory: one page per manifest service, whose
/// figures come from `results` (the "study" summary row and the zone and EPCI rows of the same
/// service) and whose map is `maps[i]`. Throws Error if `maps` or `results` do not hold one
/// entry per manifest service (a bug of the caller).
[[nodiscard]] PdfReport pdf_report_content(RunManifest manifest, const StudyResults& results,
                                           std::vector<MapScene> maps);

/// Writes the document at `path` (A4 portrait, DejaVu Sans embedded, "page N / M" in the footer),
/// encoded in memory then written under a temporary name and renamed. Same report, same bytes.
/// Throws as render_map_png() for a map that cannot be drawn, OutputError naming the file if it
/// cannot be written. Maps taken from their PNG are read and scaled one page ahead on another
/// thread unless `threads` is 1 (0: all processors); the bytes are the same.
void write_report_pdf(const PdfReport& report, const std::filesystem::path& path, int threads = 0);

} // namespace proxima
