// proxima scenario STUDY.toml --service ID [--add NAME,LON,LAT]... [--remove FACILITY_ID]...
//                  [--move FACILITY_ID,LON,LAT]... [--name NAME] [--threshold MIN] [-o DIR] [--force]
// Also defines the output helpers of scenario_output.hpp (shared with `proxima site`).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "proxima/run/run_study.hpp"
#include "scenario_output.hpp"
#include "proxima/analysis/deficit_zones.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/version.hpp"
#include "proxima/report/run_maps.hpp"

namespace proxima::cli {

// ---------------------------------------------------------------------------------------------
// Output helpers (scenario_output.hpp)

namespace {

using Type = OutputField::Type;

std::optional<double> difference(std::optional<double> after, std::optional<double> before) {
    if (!after || !before) {
        return std::nullopt;
    }
    return *after - *before;
}

FieldValue text_or_null(const std::string& s) { return s.empty() ? FieldValue(std::monostate{}) : FieldValue(s); }

} // namespace

OutputLayer zone_comparison_layer(const std::string& name, const StudyInputs& in, const ScenarioComparison& c) {
    OutputLayer layer;
    layer.name = name;
    layer.geometry = OutputLayer::Geometry::polygon;
    layer.fields = {{"code", Type::text},           {"nom", Type::text},          {"population", Type::real},
                    {"before_min", Type::real},     {"after_min", Type::real},    {"delta_min", Type::real},
                    {"pop_over_before", Type::real}, {"pop_over_after", Type::real}};
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const auto& b = c.zones_before[z];
        const auto& a = c.zones_after[z];
        const bool known = b.origins > 0;
        layer.rows.push_back({in.zones.zones[z].code, in.zones.zones[z].name, rounded(b.population, 0.1),
                              rounded(b.mean_min), rounded(a.mean_min), rounded(difference(a.mean_min, b.mean_min)),
                              known ? rounded(b.population_over, 0.1) : FieldValue(std::monostate{}),
                              known ? rounded(a.population_over, 0.1) : FieldValue(std::monostate{})});
        layer.wkb.push_back(in.zones.zones[z].wkb);
    }
    return layer;
}

OutputLayer area_comparison_table(const std::string& name, const ScenarioComparison& c) {
    OutputLayer table;
    table.name = name;
    table.fields = {{"scope", Type::text},
                    {"code", Type::text},
                    {"nom", Type::text},
                    {"population", Type::real},
                    {"pop_over_before", Type::real},
                    {"pop_over_after", Type::real},
                    {"delta_pop_over", Type::real},
                    {"share_over_before", Type::real},
                    {"share_over_after", Type::real},
                    {"mean_min_before", Type::real},
                    {"mean_min_after", Type::real},
                    {"delta_mean_min", Type::real},
                    {"pop_unreachable_before", Type::real},
                    {"pop_unreachable_after", Type::real}};
    for (const auto& a : c.areas) {
        const auto share = [&](double over) {
            return a.population > 0 ? rounded(over / a.population, 0.0001) : FieldValue(std::monostate{});
        };
        table.rows.push_back({a.scope, text_or_null(a.code), text_or_null(a.name), rounded(a.population, 0.1),
                              rounded(a.over_before, 0.1), rounded(a.over_after, 0.1),
                              rounded(a.over_after - a.over_before, 0.1), share(a.over_before), share(a.over_after),
                              rounded(a.mean_before_min), rounded(a.mean_after_min),
                              rounded(difference(a.mean_after_min, a.mean_before_min)),
                              rounded(a.unreachable_before, 0.1), rounded(a.unreachable_after, 0.1)});
    }
    return table;
}

OutputLayer origin_comparison_layer(const std::string& name, const StudyInputs& in, const ScenarioResult& r) {
    OutputLayer layer;
    layer.name = name;
    layer.geometry = OutputLayer::Geometry::point;
    layer.fields = {{"id", Type::text},         {"zone", Type::text},      {"population", Type::real},
                    {"before_min", Type::real}, {"after_min", Type::real}, {"delta_min", Type::real},
                    {"nearest_before", Type::text}, {"nearest_after", Type::text}};
    const auto& before_sites = in.services[r.service].facilities;
    auto label = [](const std::vector<Facility>& list, std::uint32_t f) {
        if (f == invalid_index) {
            return FieldValue(std::monostate{});
        }
        return FieldValue(list[f].name.empty() ? list[f].id : list[f].name);
    };
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        const auto before = minutes_of(r.before_ds[o]);
        const auto after = minutes_of(r.after_ds[o]);
        layer.rows.push_back({origin.id, in.zones.zones[origin.zone].code, rounded(origin.population, 0.1),
                              rounded(before), rounded(after), rounded(difference(after, before)),
                              label(before_sites, r.before_nearest[o]), label(r.facilities_after, r.after_nearest[o])});
        layer.wkb.push_back(point_wkb(origin.position));
    }
    return layer;
}

namespace {

/// The deficit zone as run_study draws it: cells beyond the threshold (grid), or zones whose
/// mean is beyond it.
std::vector<unsigned char> deficit_of(const StudyInputs& in, std::span<const Deciseconds> ds,
                                      const std::vector<ZoneServiceResult>& zones, double threshold) {
    if (in.study.origins.kind == StudyFile::Origins::Kind::cells && in.grid) {
        std::vector<std::pair<double, double>> over;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            if (is_over(minutes_of(ds[o]), threshold)) {
                over.emplace_back(in.origins[o].grid_x, in.origins[o].grid_y);
            }
        }
        return dissolve_cells(over, in.grid->cell_size_m, in.grid->crs);
    }
    std::vector<std::vector<unsigned char>> over;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        if (zones[z].origins > 0 && zones[z].over) {
            over.push_back(in.zones.zones[z].wkb);
        }
    }
    return dissolve_polygons(over);
}

/// The inputs a map needs (no graph), with one service whose facilities are `facilities`.
StudyInputs map_inputs(const StudyInputs& in, std::size_t service, const std::vector<Facility>& facilities,
                       const std::vector<Snap>& snaps) {
    StudyInputs view;
    view.study = in.study;
    view.zones = in.zones;
    view.communes = in.communes;
    view.join = in.join;
    view.grid = in.grid;
    view.origins = in.origins;
    view.population_total = in.population_total;
    ServiceInputs sv;
    sv.spec = in.services[service].spec;
    sv.facilities = facilities;
    sv.snaps = snaps;
    view.services = {sv};
    return view;
}

void write_one_map(const std::filesystem::path& path, const StudyInputs& in, std::size_t service,
                   const std::vector<Facility>& facilities, const std::vector<Snap>& snaps,
                   std::span<const Deciseconds> ds, std::span<const std::uint32_t> nearest, std::size_t highlighted,
                   const std::string& highlight_caption, const std::string& subtitle) {
    const StudyInputs view = map_inputs(in, service, facilities, snaps);
    AccessTable table(1, in.origins.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        table.set(0, o, ds[o], nearest[o]);
    }
    const StudyResults results = aggregate(view, table);
    const auto deficit = deficit_of(view, ds, results.zones[0], view.services[0].spec.threshold_min);
    MapScene scene = scene_for_service(view, table, results, 0, deficit);
    // The last `highlighted` facilities are the new sites: a distinct symbol.
    const std::size_t keep = scene.facilities.size() - std::min(highlighted, scene.facilities.size());
    scene.highlights.assign(scene.facilities.begin() + static_cast<std::ptrdiff_t>(keep), scene.facilities.end());
    scene.facilities.resize(keep);
    if (!scene.highlights.empty()) {
        scene.highlight_caption = highlight_caption;
    }
    scene.subtitle = subtitle + (scene.subtitle.empty() ? "" : " — " + scene.subtitle);
    render_map_png(scene, path);
}

} // namespace

std::vector<std::string> write_comparison_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                               const ScenarioResult& r, const std::string& highlight_caption,
                                               bool after_only) {
    std::error_code ec;
    std::filesystem::create_directories(dir / "maps", ec);
    if (ec) {
        throw OutputError(fmt::format("cannot create folder '{}': {}", (dir / "maps").string(), ec.message()));
    }
    std::vector<std::string> written;
    const ServiceInputs& sv = in.services[r.service];
    if (!after_only) {
        write_one_map(dir / "maps" / "before.png", in, r.service, sv.facilities, sv.snaps, r.before_ds,
                      r.before_nearest, 0, "", "Avant");
        written.push_back("maps/before.png");
    }
    std::size_t opened = 0;
    for (const auto& ch : r.changes) {
        opened += ch.kind == ScenarioSiteChange::Kind::added || ch.kind == ScenarioSiteChange::Kind::moved_to ? 1 : 0;
    }
    write_one_map(dir / "maps" / "after.png", in, r.service, r.facilities_after, r.snaps_after, r.after_ds,
                  r.after_nearest, opened, highlight_caption, "Après");
    written.push_back("maps/after.png");
    return written;
}

// ---------------------------------------------------------------------------------------------
// The command

namespace {

struct ScenarioArguments {
    std::string study;
    std::string service;
    std::vector<std::string> add;
    std::vector<std::string> remove;
    std::vector<std::string> move;
    std::string name = "scenario";
    double threshold = 0.0;
    std::string output;
    bool force = false;
    int threads = 0;
};

/// "NAME,LON,LAT" (the name may hold commas: the last two fields are the coordinates).
std::pair<std::string, LonLat> parse_named_point(const std::string& text, const std::string& option) {
    const auto last = text.rfind(',');
    const auto second = last == std::string::npos || last == 0 ? std::string::npos : text.rfind(',', last - 1);
    if (second == std::string::npos || second == 0) {
        throw ConfigError(fmt::format("{} '{}': expected NAME,LON,LAT (e.g. {} \"Maison de santé,1.5218,42.5063\")",
                                      option, text, option));
    }
    return {text.substr(0, second), parse_lonlat(text.substr(second + 1), option + " " + text.substr(0, second))};
}

} // namespace

void add_scenario_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("scenario", "What if sites of a service open, close or move: times before and "
                                               "after by commune, EPCI, département; scenario.gpkg, CSV, maps");
    auto a = std::make_shared<ScenarioArguments>();
    cmd->add_option("study", a->study, "Study file (TOML), e.g. data/studies/andorra.toml")->required();
    cmd->add_option("--service", a->service, "Service id of the study (e.g. urgences)")->required();
    cmd->add_option("--add", a->add, "Open a site: NAME,LON,LAT (WGS84 degrees); repeatable");
    cmd->add_option("--remove", a->remove,
                    "Close a site: its facility id (the 'id' column of services.csv of `proxima run`, e.g. "
                    "osm:node/123); repeatable");
    cmd->add_option("--move", a->move, "Move a site: FACILITY_ID,LON,LAT; repeatable");
    cmd->add_option("--name", a->name, "Scenario name: layer scenario_<name>, default folder (default: scenario)");
    CLI::Option* threshold = cmd->add_option("--threshold", a->threshold, "Threshold in minutes (default: the service's)");
    cmd->add_option("-o,--output", a->output, "Output folder (default: <study output>-scenario-<name>)");
    cmd->add_flag("--force", a->force, "Replace the output folder if it exists");
    add_threads_option(*cmd, a->threads);
    cmd->callback([&context, &exit_code, a, threshold] {
        exit_code = guarded(context, [&] {
            Stopwatch clock;
            StudyFile study = load_study(a->study);
            // The scenario, checked before any work.
            ScenarioSpec spec;
            spec.name = a->name;
            for (const auto& text : a->add) {
                auto [name, p] = parse_named_point(text, "--add");
                spec.add.push_back({name, p});
            }
            spec.remove = a->remove;
            for (const auto& text : a->move) {
                auto [id, p] = parse_named_point(text, "--move");
                spec.move.push_back({id, p});
            }
            // Only the service asked for, with the threshold override.
            study = select_services(std::move(study), {a->service},
                                    threshold->count() > 0 ? std::optional<double>(a->threshold) : std::nullopt);
            a->threads = checked_threads(a->threads, context);
            check_scenario_spec(spec);
            const std::filesystem::path dir =
                a->output.empty() ? study.output_dir.parent_path() /
                                        fmt::format("{}-scenario-{}", study.output_dir.filename().string(), spec.name)
                                  : std::filesystem::path(a->output);
            check_study_input_files(study);
            OutputFolder out(dir, a->force, files_of_study(study), "scenario");
            std::vector<std::pair<std::string, double>> timings;
            auto phase = [&](const char* name) {
                timings.emplace_back(name, clock.seconds());
                clock.restart();
            };

            const StudyInputs in = load_study_inputs(study, context.log());
            phase("load");
            const ScenarioResult r = run_scenario(in, 0, spec);
            phase("searches");
            const ScenarioComparison c = compare_scenario(in, r);
            phase("aggregation");

            std::vector<std::string> files;
            std::vector<OutputLayer> layers;
            layers.push_back(zone_comparison_layer("scenario_" + spec.name, in, c));
            {
                OutputLayer sites;
                sites.name = "sites_" + spec.name;
                sites.geometry = OutputLayer::Geometry::point;
                sites.fields = {{"action", Type::text}, {"id", Type::text}, {"name", Type::text}, {"snap_m", Type::real}};
                for (const auto& ch : r.changes) {
                    sites.rows.push_back({to_string(ch.kind), ch.id, text_or_null(ch.name), rounded(ch.snap_m, 0.1)});
                    sites.wkb.push_back(point_wkb(ch.position));
                }
                layers.push_back(std::move(sites));
            }
            layers.push_back(origin_comparison_layer("origins_" + spec.name, in, r));
            const OutputLayer areas = area_comparison_table("areas_" + spec.name, c);
            layers.push_back(areas);
            write_geopackage(out.tmp() / "scenario.gpkg", layers, study.output_crs);
            files.push_back("scenario.gpkg");
            for (const auto& layer : layers) {
                if (layer.geometry == OutputLayer::Geometry::polygon) {
                    continue;  // polygons only in the GeoPackage
                }
                write_layer_csv(out.tmp() / (layer.name + ".csv"), layer);
                files.push_back(layer.name + ".csv");
            }
            for (auto& f : write_comparison_maps(out.tmp(), in, r, "Site du scénario", false)) {
                files.push_back(std::move(f));
            }
            phase("write");

            nlohmann::ordered_json j;
            j["proxima_version"] = version_string;
            j["study"] = {{"name", study.name}, {"file", study.path.string()}, {"sha256", study.sha256}};
            const auto& sv = in.services[0];
            j["service"] = {{"id", sv.spec.id},
                            {"label", sv.spec.label},
                            {"threshold_min", sv.spec.threshold_min},
                            {"facilities_before", sv.facilities.size()},
                            {"facilities_after", r.facilities_after.size()}};
            nlohmann::json changes = nlohmann::json::array();
            for (const auto& ch : r.changes) {
                changes.push_back({{"action", to_string(ch.kind)},
                                   {"id", ch.id},
                                   {"name", ch.name},
                                   {"lon", ch.position.lon},
                                   {"lat", ch.position.lat},
                                   {"snap_m", ch.snap_m}});
            }
            j["scenario"] = {{"name", spec.name}, {"changes", changes}};
            j["method"] = {{"full_searches", r.full_searches},
                           {"pruned_searches", r.pruned_searches},
                           {"settled_nodes", r.settled_nodes},
                           {"improved_origins", r.improved_origins},
                           {"note", "new sites: one search limited to the nodes they reach strictly faster than the "
                                    "existing sites, combined by min (exact); closed sites: one full search from the "
                                    "remaining ones"}};
            const auto& study_row = c.areas.front();
            j["study_summary"] = {{"population", study_row.population},
                                  {"pop_over_before", study_row.over_before},
                                  {"pop_over_after", study_row.over_after},
                                  {"mean_min_before", study_row.mean_before_min ? nlohmann::json(*study_row.mean_before_min)
                                                                                : nlohmann::json(nullptr)},
                                  {"mean_min_after", study_row.mean_after_min ? nlohmann::json(*study_row.mean_after_min)
                                                                              : nlohmann::json(nullptr)},
                                  {"pop_unreachable_before", study_row.unreachable_before},
                                  {"pop_unreachable_after", study_row.unreachable_after}};
            j["parameters"] = {{"access_speed_kmh", study.network.access_kmh},
                               {"max_snap_m", study.network.max_snap_m},
                               {"over_threshold", "time > threshold, or unreachable"}};
            j["warnings"] = in.warnings;
            nlohmann::ordered_json t = nlohmann::ordered_json::object();
            for (const auto& [name, seconds] : timings) {
                t[name] = seconds;
            }
            j["timings_s"] = t;
            files.push_back("scenario.json");
            j["outputs"] = files;
            {
                AtomicFile file(out.tmp() / "scenario.json");
                file.stream() << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
                file.commit();
            }
            out.commit();
            std::cout << fmt::format("Scenario '{}' ({}): results in {}\n", spec.name, study.name, dir.string())
                      << format_scenario_summary(in, r, c);
        });
    });
}

} // namespace proxima::cli
