#include "proxima/run/comparison_layers.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
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

std::vector<OutputLayer> area_comparison_tables_by_scope(const std::string& name, const ScenarioComparison& c) {
    const OutputLayer all = area_comparison_table(name, c);
    std::vector<OutputLayer> out;
    for (std::size_t row = 0; row < all.rows.size(); ++row) {
        const std::string& scope = std::get<std::string>(all.rows[row][0]);
        const std::string plural = scope == "study" || scope == "epci" ? scope : scope + "s";
        const std::string table_name = name + "_" + plural;
        if (out.empty() || out.back().name != table_name) {
            OutputLayer t;
            t.name = table_name;
            t.fields = all.fields;
            out.push_back(std::move(t));
        }
        out.back().rows.push_back(all.rows[row]);
    }
    return out;
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

} // namespace proxima
