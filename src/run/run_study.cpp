#include "proxima/run/run_study.hpp"

#include <algorithm>
#include <map>
#include <cmath>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/deficit_zones.hpp"
#include "proxima/analysis/isochrones.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/core/version.hpp"
#include "proxima/report/html_report.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/report/qgis_styles.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/run/isochrone_layer.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/run/poles_layer.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

nlohmann::json file_entry(const std::filesystem::path& p) {
    return {{"path", p.string()}, {"sha256", sha256_file(p)}};
}

} // namespace

StudyFile select_services(StudyFile study, const std::vector<std::string>& ids, std::optional<double> threshold_min) {
    if (!ids.empty()) {
        std::vector<ServiceSpec> kept;
        for (const auto& id : ids) {
            auto it = std::find_if(study.services.begin(), study.services.end(), [&](const auto& s) { return s.id == id; });
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
        if (!(*threshold_min > 0) || *threshold_min > 1440) {
            throw ConfigError(fmt::format("threshold {} min: it must be more than 0 and at most 1440 minutes",
                                          *threshold_min));
        }
        for (auto& s : study.services) {
            s.threshold_min = *threshold_min;
        }
    }
    return study;
}

RunSummary run_study(const StudyFile& original, const RunOptions& options, const Log& log) {
    const StudyFile study = select_services(original, options.only_services, options.threshold_min);
    const std::filesystem::path dir = options.output_dir.empty() ? study.output_dir : options.output_dir;
    RunSummary summary;
    summary.study_name = study.name;
    summary.output_dir = dir;
    check_study_input_files(study);  // before the output folder exists: a bad path leaves nothing
    OutputFolder folder(dir, options.force, files_of_study(study), options.only_services.empty() ? "run" : "deficit");
    const std::filesystem::path& tmp = folder.tmp();
    {
        Stopwatch clock;
        auto phase = [&](const char* name) {
            summary.timings.emplace_back(name, clock.seconds());
            clock.restart();
        };
        const StudyInputs in = load_study_inputs(study, log);
        clock.restart();
        for (const auto& [name, seconds] : in.timings) {
            summary.timings.emplace_back("load: " + name, seconds);
        }
        log.info(fmt::format("searching {} services from {} origins", in.services.size(), in.origins.size()));
        const AccessTable access = compute_access(in, options.threads);
        phase("search");
        const StudyResults results = aggregate(in, access);
        phase("aggregation");

        // Deficit zones.
        const bool grid = study.origins.kind == StudyFile::Origins::Kind::cells && in.grid;
        std::vector<std::vector<unsigned char>> deficits;
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            const double threshold = in.services[s].spec.threshold_min;
            if (grid) {
                std::vector<std::pair<double, double>> over;
                for (std::size_t o = 0; o < in.origins.size(); ++o) {
                    if (is_over(minutes_of(access.time_ds(s, o)), threshold)) {
                        over.emplace_back(in.origins[o].grid_x, in.origins[o].grid_y);
                    }
                }
                deficits.push_back(dissolve_cells(over, in.grid->cell_size_m, in.grid->crs));
            } else {
                std::vector<std::vector<unsigned char>> over;
                for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
                    if (results.zones[s][z].origins > 0 && results.zones[s][z].over) {
                        over.push_back(in.zones.zones[z].wkb);
                    }
                }
                deficits.push_back(dissolve_polygons(over));
            }
        }
        phase("deficit polygons");

        // Travel-time rasters (GeoTIFF) and isochrones at the threshold and the standard bands.
        std::vector<OutputLayer> isochrone_layers;
        if (options.raster_resolution_m > 0) {
            const RasterPixels pixels =
                raster_pixels(in, RasterOptions{options.raster_resolution_m, study.output_crs, options.threads});
            std::filesystem::create_directories(tmp / "rasters");
            for (std::size_t s = 0; s < in.services.size(); ++s) {
                const TravelTimeRaster raster = travel_time_raster(in, pixels, s, options.threads);
                write_travel_time_geotiff(raster, tmp / "rasters" / (raster.service + ".tif"));
                summary.files.push_back("rasters/" + raster.service + ".tif");
                const double threshold = in.services[s].spec.threshold_min;
                isochrone_layers.push_back(
                    isochrone_layer(raster, threshold, isochrones_from_raster(raster, isochrone_limits(threshold))));
            }
            phase("rasters and isochrones");
        }

        // Layers.
        const bool french = in.communes.has_value();
        std::vector<OutputLayer> layers;
        {
            OutputLayer communes;
            communes.name = "communes";
            communes.geometry = OutputLayer::Geometry::polygon;
            communes.fields = {{french ? "code_insee" : "code", Type::text}, {"nom", Type::text},
                               {"population", Type::real},                   {"epci_siren", Type::text},
                               {"epci_nom", Type::text}};
            for (const auto& sv : in.services) {
                const auto& id = sv.spec.id;
                communes.fields.push_back({id + "_min", Type::real});
                communes.fields.push_back({id + "_max_min", Type::real});
                communes.fields.push_back({id + "_pop_over", Type::real});
                communes.fields.push_back({id + "_over", Type::integer});
            }
            for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
                const Zone& zone = in.zones.zones[z];
                const Commune* c = nullptr;
                if (french && in.join.commune_of_zone[z] != ZoneJoin::no_commune) {
                    c = &in.communes->communes()[in.join.commune_of_zone[z]];
                }
                double population = 0;
                if (!results.zones.empty()) {
                    population = results.zones[0][z].population;
                }
                std::vector<FieldValue> row = {zone.code, zone.name, rounded(population, 0.1),
                                               c != nullptr && !c->epci_siren.empty() ? FieldValue(c->epci_siren)
                                                                                     : FieldValue(std::monostate{}),
                                               c != nullptr && !c->epci_name.empty() ? FieldValue(c->epci_name)
                                                                                    : FieldValue(std::monostate{})};
                for (std::size_t s = 0; s < in.services.size(); ++s) {
                    const auto& r = results.zones[s][z];
                    const bool known = r.origins > 0;
                    row.push_back(rounded(r.mean_min));
                    row.push_back(rounded(r.max_min));
                    row.push_back(known ? rounded(r.population_over, 0.1) : FieldValue(std::monostate{}));
                    row.push_back(known ? FieldValue(std::int64_t{r.over ? 1 : 0}) : FieldValue(std::monostate{}));
                }
                communes.rows.push_back(std::move(row));
                communes.wkb.push_back(zone.wkb);
            }
            layers.push_back(std::move(communes));
        }
        {
            OutputLayer origins;
            origins.name = grid ? "cells" : "origins";
            origins.geometry = grid ? OutputLayer::Geometry::polygon : OutputLayer::Geometry::point;
            origins.fields = {{"id", Type::text}, {"zone", Type::text}, {"population", Type::real}, {"snap_m", Type::real}};
            for (const auto& sv : in.services) {
                origins.fields.push_back({sv.spec.id + "_min", Type::real});
                origins.fields.push_back({sv.spec.id + "_nearest", Type::text});
            }
            for (std::size_t o = 0; o < in.origins.size(); ++o) {
                const Origin& origin = in.origins[o];
                std::vector<FieldValue> row = {origin.id, in.zones.zones[origin.zone].code,
                                               rounded(origin.population, 0.1), rounded(origin.snap.distance_m, 0.1)};
                for (std::size_t s = 0; s < in.services.size(); ++s) {
                    row.push_back(rounded(minutes_of(access.time_ds(s, o))));
                    const auto f = access.nearest(s, o);
                    const auto& facility = f == invalid_index ? nullptr : &in.services[s].facilities[f];
                    row.push_back(facility == nullptr ? FieldValue(std::monostate{})
                                                      : FieldValue(facility->name.empty() ? facility->id : facility->name));
                }
                origins.rows.push_back(std::move(row));
                if (grid) {
                    origins.wkb.push_back(cell_polygon(origin.grid_x, origin.grid_y, in.grid->cell_size_m, in.grid->crs));
                } else {
                    origins.wkb.push_back(point_wkb(origin.position));
                }
            }
            layers.push_back(std::move(origins));
        }
        {
            OutputLayer services;
            services.name = "services";
            services.geometry = OutputLayer::Geometry::point;
            services.fields = {{"service", Type::text}, {"id", Type::text}, {"name", Type::text},
                               {"source", Type::text},  {"snap_m", Type::real}};
            for (const auto& sv : in.services) {
                for (std::size_t f = 0; f < sv.facilities.size(); ++f) {
                    const auto& facility = sv.facilities[f];
                    services.rows.push_back({sv.spec.id, facility.id,
                                             facility.name.empty() ? FieldValue(std::monostate{}) : FieldValue(facility.name),
                                             facility.source, rounded(sv.snaps[f].distance_m, 0.1)});
                    services.wkb.push_back(point_wkb(facility.position));
                }
            }
            layers.push_back(std::move(services));
        }
        // One feature per service, always: the population beyond the threshold is exact; the
        // polygon is the cells beyond it (grid), or the zones whose value is beyond it (points),
        // and may be empty (NULL geometry) while some inhabitants are beyond.
        const std::string method = grid ? "grid cells beyond the threshold, dissolved"
                                        : "zones whose population-weighted mean time is beyond the threshold";
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            OutputLayer deficit;
            deficit.name = "deficit_" + in.services[s].spec.id;
            deficit.geometry = OutputLayer::Geometry::polygon;
            deficit.fields = {{"service", Type::text},
                              {"threshold_min", Type::real},
                              {"population_over", Type::real},
                              {"method", Type::text}};
            double over = 0;
            for (const auto& a : results.summary) {
                if (a.scope == "study" && a.service == in.services[s].spec.id) {
                    over = a.population_over;
                }
            }
            deficit.rows.push_back(
                {in.services[s].spec.id, in.services[s].spec.threshold_min, rounded(over, 0.1), method});
            deficit.wkb.push_back(deficits[s]);
            layers.push_back(std::move(deficit));
        }
        {
            OutputLayer table;
            table.name = "summary";
            table.fields = {{"scope", Type::text},         {"code", Type::text},
                            {"nom", Type::text},           {"service", Type::text},
                            {"threshold_min", Type::real}, {"population", Type::real},
                            {"population_over", Type::real}, {"share_over", Type::real}};
            for (const char* band : band_names) {
                table.fields.push_back({std::string("pop_") + band, Type::real});
            }
            for (const auto& a : results.summary) {
                std::vector<FieldValue> row = {a.scope,
                                               a.code.empty() ? FieldValue(std::monostate{}) : FieldValue(a.code),
                                               a.name.empty() ? FieldValue(std::monostate{}) : FieldValue(a.name),
                                               a.service,
                                               a.threshold_min,
                                               rounded(a.population, 0.1),
                                               rounded(a.population_over, 0.1),
                                               rounded(a.share_over, 0.0001)};
                for (double p : a.bands.population) {
                    row.push_back(rounded(p, 0.1));
                }
                table.rows.push_back(std::move(row));
            }
            layers.push_back(std::move(table));
        }

        for (auto& l : isochrone_layers) {
            layers.push_back(std::move(l));
        }
        if (in.poles) {
            layers.push_back(poles_layer(*in.poles));
        }
        write_geopackage(tmp / "access.gpkg", layers, study.output_crs);
        {
            // QGIS opens the layers with the classes and colours of the PNG maps.
            std::vector<StyledService> styled;
            for (const auto& sv : in.services) {
                styled.push_back({sv.spec.id, sv.spec.label, sv.spec.threshold_min});
            }
            add_qgis_styles(tmp / "access.gpkg", styled);
        }
        summary.files.push_back("access.gpkg");
        for (const auto& layer : layers) {
            if (layer.name.rfind("deficit_", 0) == 0 || layer.name.rfind("isochrones_", 0) == 0) {
                continue;  // polygons only: in the GeoPackage
            }
            write_layer_csv(tmp / (layer.name + ".csv"), layer);
            summary.files.push_back(layer.name + ".csv");
        }
        phase("write");
        if (options.maps) {
            RunMapOptions map_options;
            map_options.per_epci = options.maps_per_epci;
            for (auto& f : write_run_maps(tmp, in, access, results, deficits, map_options)) {
                summary.files.push_back(std::move(f));
            }
            phase("maps");
        }
        summary.files.push_back("report.html");  // written last, from run.json

        // Outcome per service, for the console and run.json.
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            ServiceOutcome out;
            out.id = in.services[s].spec.id;
            out.label = in.services[s].spec.label;
            out.threshold_min = in.services[s].spec.threshold_min;
            out.facilities = in.services[s].facilities.size();
            const std::string worst_scope = french ? "epci" : "zone";
            for (const auto& a : results.summary) {
                if (a.service != out.id) {
                    continue;
                }
                if (a.scope == "study") {
                    out.population = a.population;
                    out.population_over = a.population_over;
                    out.share_over = a.share_over;
                } else if (a.scope == worst_scope && a.share_over &&
                           (!out.worst_share || *a.share_over > *out.worst_share)) {
                    out.worst_share = a.share_over;
                    out.worst_area = a.name.empty() ? a.code : a.name;
                }
            }
            summary.services.push_back(out);
        }
        summary.warnings = in.warnings.size();
        nlohmann::ordered_json poles_json;
        if (in.poles) {
            const auto in_study = in.poles->pole_counts(true);
            summary.poles = fmt::format("  Pôles de services ({}{}):\n", in.poles->approximation ? "APPROXIMATION, " : "",
                                        in.poles->method);
            poles_json["method"] = in.poles->method;
            poles_json["approximation"] = in.poles->approximation;
            poles_json["buffer_km"] = in.poles->buffer_km;
            for (std::size_t k = 3; k-- > 0;) {
                const Gamme g = static_cast<Gamme>(k);
                if (!in.poles->classified[k]) {
                    summary.poles += fmt::format("    {}: not classified\n", poles_name(g));
                    continue;
                }
                std::vector<std::string> names;
                for (const auto& c : in.poles->communes) {
                    if (c.is_pole(g)) {
                        names.push_back(c.name + (c.in_study ? "" : " (buffer)"));
                    }
                }
                summary.poles += fmt::format("    {}: {} in the study area{}{}\n", poles_name(g), in_study[k],
                                             names.empty() ? "" : ": ", fmt::join(names, ", "));
                poles_json[gamme_key(g)] = names;
            }
        }
        for (const auto& u : in.unplaced_population) {
            summary.unplaced_population += u.population;
        }

        // run.json: where every number came from.
        nlohmann::ordered_json run;  // keys in a reading order
        run["proxima_version"] = version_string;
        run["study"] = {{"name", study.name}, {"file", study.path.string()}, {"sha256", study.sha256},
                        {"cog_year", study.cog_year}, {"output_crs", study.output_crs}};
        nlohmann::json inputs = nlohmann::json::array();
        // The graph records its extract's SHA-256 (checked when loaded): no need to read it again.
        inputs.push_back({{"path", study.network.osm.string()}, {"sha256", in.graph.provenance().source_sha256}});
        if (!study.zones.file.empty()) {
            inputs.push_back(file_entry(study.zones.file));
        }
        if (!study.commune_table.empty()) {
            inputs.push_back(file_entry(study.commune_table));
        }
        if (!study.population.grid.empty()) {
            inputs.push_back(file_entry(study.population.grid));
        }
        if (!study.population.points.empty()) {
            inputs.push_back(file_entry(study.population.points));
        }
        if (!study.bpe.empty()) {
            inputs.push_back(file_entry(study.bpe));
        }
        for (const auto& sv : study.services) {
            for (const auto& f : sv.files) {
                inputs.push_back(file_entry(f.file));
            }
        }
        run["inputs"] = inputs;
        run["graph"] = {{"origin", in.graph_origin},
                        {"nodes", in.graph.node_count()},
                        {"arcs", in.graph.arc_count()},
                        {"profile", in.graph.provenance().profile_name},
                        {"profile_sha256", in.graph.provenance().profile_sha256},
                        {"extract_sha256", in.graph.provenance().source_sha256}};
        run["parameters"] = {{"access_speed_kmh", study.network.access_kmh},
                             {"max_snap_m", study.network.max_snap_m},
                             {"warn_snap_m", study.network.warn_snap_m},
                             {"threads", options.threads},
                             {"bands_min", band_upper_min},
                             {"over_threshold", "time > threshold, or unreachable"}};
        nlohmann::json services = nlohmann::json::array();
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            const auto& sv = in.services[s];
            const auto& out = summary.services[s];
            services.push_back({{"id", sv.spec.id},
                                {"label", sv.spec.label},
                                {"threshold_min", sv.spec.threshold_min},
                                {"direction", sv.spec.direction == TravelDirection::to_service ? "to_service" : "from_service"},
                                {"facilities", sv.facilities.size()},
                                {"from_osm", sv.from_osm},
                                {"from_bpe", sv.from_bpe},
                                {"from_files", sv.from_files},
                                {"long_snaps", sv.long_snaps},
                                {"population", out.population},
                                {"population_over", out.population_over},
                                {"share_over", out.share_over ? nlohmann::json(*out.share_over) : nlohmann::json(nullptr)}});
        }
        run["services"] = services;
        run["population"] = {{"read", in.population_total},
                             {"origins", in.origins.size()},
                             {"unplaced", summary.unplaced_population}};
        nlohmann::json unplaced = nlohmann::json::array();
        for (const auto& u : in.unplaced_population) {
            unplaced.push_back({{"what", u.what}, {"population", u.population}});
        }
        run["population"]["unplaced_detail"] = unplaced;
        if (in.poles) {
            run["poles"] = poles_json;
        }
        run["warnings"] = {{"count", in.warnings.size()}, {"messages", in.warnings}};
        nlohmann::ordered_json timings = nlohmann::ordered_json::object();
        for (const auto& [name, seconds] : summary.timings) {
            timings[name] = seconds;
        }
        run["timings_s"] = timings;  // phases in the order they ran
        run["outputs"] = summary.files;
        {
            AtomicFile file(tmp / "run.json");
            file.stream() << run.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
            file.commit();
        }
        summary.files.push_back("run.json");
        write_html_report(tmp);
        folder.commit();
    }
    return summary;
}

std::string format_run_summary(const RunSummary& s) {
    // Written for the people who read the schéma: whole numbers with thin separators, the
    // threshold in words, the most affected area named.
    auto people = [](double v) {
        std::string digits = fmt::format("{:.0f}", v);
        std::string out;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0) {
                out += ' ';
            }
            out += digits[i];
        }
        return out;
    };
    std::string out = fmt::format("{}: results in {}\n", s.study_name, s.output_dir.string());
    for (const auto& sv : s.services) {
        out += fmt::format("  {} ({} site{}): ", sv.label, sv.facilities, sv.facilities == 1 ? "" : "s");
        if (sv.share_over) {
            out += fmt::format("{} of {} inhabitants ({:.1f} %) are more than {:g} min away", people(sv.population_over),
                               people(sv.population), 100.0 * *sv.share_over, sv.threshold_min);
        } else {
            out += "no population to count";
        }
        if (sv.worst_share && *sv.worst_share > 0) {
            out += fmt::format("; most affected: {} ({:.1f} %)", sv.worst_area, 100.0 * *sv.worst_share);
        }
        out += "\n";
    }
    out += s.poles;
    if (s.unplaced_population > 0) {
        out += fmt::format("  {} inhabitants could not be placed and are not counted above (see run.json)\n",
                           people(s.unplaced_population));
    }
    if (s.warnings > 0) {
        out += fmt::format("  {} warning{} (see run.json)\n", s.warnings, s.warnings == 1 ? "" : "s");
    }
    double total = 0;
    for (const auto& [phase, seconds] : s.timings) {
        total += seconds;
    }
    out += fmt::format("  computed in {:.2f} s (phases in run.json)\n", total);
    return out;
}

} // namespace proxima
