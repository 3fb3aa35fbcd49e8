#include "proxima/run/comparison_layers.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima/run/output_folder.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

std::optional<double> difference(std::optional<double> after, std::optional<double> before) {
    if (!after || !before) {
        return std::nullopt;
    }
    return *after - *before;
}

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

/// The inputs with one service whose facilities are `facilities` (the graph is shared, not copied).
StudyInputs map_inputs(const StudyInputs& in, std::size_t service, const std::vector<Facility>& facilities,
                       const std::vector<Snap>& snaps) {
    StudyInputs view = in;
    ServiceInputs sv;
    sv.spec = in.services[service].spec;
    sv.facilities = facilities;
    sv.snaps = snaps;
    view.services = {sv};
    return view;
}

void write_one_map(const std::filesystem::path& path, const StudyInputs& in, const RasterPixels& pixels,
                   std::size_t service, const std::vector<Facility>& facilities, const std::vector<Snap>& snaps,
                   std::span<const Deciseconds> ds, std::span<const std::uint32_t> nearest, std::size_t highlighted,
                   const std::string& highlight_caption, const std::string& subtitle) {
    const StudyInputs view = map_inputs(in, service, facilities, snaps);
    AccessTable table(1, in.origins.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        table.set(0, o, ds[o], nearest[o]);
    }
    const StudyResults results = aggregate(view, table);
    // The deficit of this situation, drawn from its own surface (one more search).
    const TravelTimeRaster raster = travel_time_raster(view, pixels, 0);
    const DeficitTerritory deficit = service_deficit(view, pixels, raster, ds, view.services[0].spec.threshold_min);
    MapScene scene = scene_for_service(view, table, results, 0, deficit, map_context(in));
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
    const RasterPixels pixels = raster_pixels(in, RasterOptions{default_surface_resolution_m, in.study.output_crs, 0});
    if (!after_only) {
        write_one_map(dir / "maps" / "before.png", in, pixels, r.service, sv.facilities, sv.snaps, r.before_ds,
                      r.before_nearest, 0, "", "Avant");
        written.push_back("maps/before.png");
    }
    std::size_t opened = 0;
    for (const auto& ch : r.changes) {
        opened += ch.kind == ScenarioSiteChange::Kind::added || ch.kind == ScenarioSiteChange::Kind::moved_to ? 1 : 0;
    }
    write_one_map(dir / "maps" / "after.png", in, pixels, r.service, r.facilities_after, r.snaps_after, r.after_ds,
                  r.after_nearest, opened, highlight_caption, "Après");
    written.push_back("maps/after.png");
    return written;
}

} // namespace proxima
