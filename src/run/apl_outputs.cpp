#include "proxima/run/apl_outputs.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/report/apl_map.hpp"
#include "proxima/run/output_folder.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

/// A value kept to 6 significant digits (APL values span many magnitudes with the scale chosen).
FieldValue significant(std::optional<double> v) {
    if (!v) {
        return std::monostate{};
    }
    if (*v == 0 || !std::isfinite(*v)) {
        return *v == 0 ? 0.0 : *v;
    }
    // As rounded(): divide by a power of ten (exact), so that 2.00602 is written "2.00602".
    const int decimals = 5 - static_cast<int>(std::floor(std::log10(std::abs(*v))));
    if (decimals >= 0) {
        const double inverse = std::pow(10.0, decimals);
        return std::round(*v * inverse) / inverse;
    }
    const double step = std::pow(10.0, -decimals);
    return std::round(*v / step) * step;
}

/// "ETP" -> "etp", "consultations/an" -> "consultations_an": the unit as a column-name part.
std::string slug(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 && c < 0x80) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') {
        out.pop_back();
    }
    return out.empty() ? "unit" : out;
}

const Commune* commune_of_zone(const StudyInputs& in, std::size_t z) {
    if (!in.communes || in.join.commune_of_zone[z] == ZoneJoin::no_commune) {
        return nullptr;
    }
    return &in.communes->communes()[in.join.commune_of_zone[z]];
}

std::string people(double v) { return format_number(v, 0, console_numbers); }

/// An APL value or threshold on the console: four significant digits, French decimal comma.
std::string apl_console_number(double v) {
    std::string text = fmt::format("{:.4g}", v);
    std::replace(text.begin(), text.end(), '.', ',');
    return text;
}

std::string apl_field(const AplSpec& spec) { return "apl_" + apl_scale_suffix(spec); }

} // namespace

AplOutcome compute_apl_outcome(const StudyInputs& in, std::size_t service, const AplSpec& spec, int threads) {
    AplOutcome out;
    out.service = service;
    out.spec = spec;
    out.result = compute_apl(in, service, spec, threads);
    out.areas = aggregate_apl(in, out.result.apl, spec);
    return out;
}

OutputLayer apl_zones_layer(const std::string& name, const StudyInputs& in, const AplOutcome& apl) {
    const bool french = in.communes.has_value();
    OutputLayer zones;
    zones.name = name;
    zones.geometry = OutputLayer::Geometry::polygon;
    zones.fields = {{french ? "code_insee" : "code", Type::text},
                    {"nom", Type::text},
                    {"population", Type::real},
                    {"epci_siren", Type::text},
                    {apl_field(apl.spec), Type::real},
                    {"pop_under", Type::real},
                    {"share_under", Type::real},
                    {"pop_no_site", Type::real},
                    {"under", Type::integer}};
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const Zone& zone = in.zones.zones[z];
        const AplArea& a = apl.areas.zones[z];
        const Commune* c = commune_of_zone(in, z);
        // No origin in the zone: nothing is known of it (NULL), not "nobody under".
        const bool known = a.origins > 0;
        zones.rows.push_back({zone.code, text_or_null(zone.name), rounded(a.population, 0.1),
                              text_or_null(c != nullptr ? c->epci_siren : zone.epci_siren), significant(a.apl),
                              known ? rounded(a.population_under, 0.1) : FieldValue(std::monostate{}),
                              rounded(a.share_under, 0.0001),
                              known ? rounded(a.population_no_site, 0.1) : FieldValue(std::monostate{}),
                              a.apl ? FieldValue(std::int64_t{*a.apl < apl.spec.threshold ? 1 : 0})
                                    : FieldValue(std::monostate{})});
        zones.wkb.push_back(zone.wkb);
    }
    return zones;
}

OutputLayer apl_origins_layer(const std::string& name, const StudyInputs& in, const AplOutcome& apl) {
    OutputLayer origins;
    origins.name = name;
    origins.geometry = OutputLayer::Geometry::point;
    origins.fields = {{"id", Type::text},
                      {"zone", Type::text},
                      {"population", Type::real},
                      {apl_field(apl.spec), Type::real},
                      {"sites_within", Type::integer},
                      {"nearest_min", Type::real},
                      {"under", Type::integer}};
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        const double value = apl.result.apl[o] * apl.spec.per_inhabitants;
        origins.rows.push_back({origin.id, in.zones.zones[origin.zone].code, rounded(origin.population, 0.1),
                                significant(value), std::int64_t{apl.result.sites_within[o]},
                                rounded(minutes_of(apl.result.nearest_ds[o])),
                                std::int64_t{value < apl.spec.threshold ? 1 : 0}});
        origins.wkb.push_back(point_wkb(origin.position));
    }
    return origins;
}

OutputLayer apl_sites_layer(const std::string& name, const StudyInputs& in, const AplOutcome& apl) {
    const ServiceInputs& sv = in.services[apl.service];
    OutputLayer sites;
    sites.name = name;
    sites.geometry = OutputLayer::Geometry::point;
    sites.fields = {{"id", Type::text},
                    {"name", Type::text},
                    {"source", Type::text},
                    {"supply_" + slug(apl_supply_unit(apl.spec)), Type::real},
                    {"supply_assumed", Type::integer},
                    {"weighted_demand_inh", Type::real},
                    {"pop_within", Type::real},
                    {"origins_within", Type::integer},
                    {"ratio_" + apl_scale_suffix(apl.spec), Type::real}};
    const bool assumed = apl.spec.supply_field.empty();
    for (std::size_t f = 0; f < sv.facilities.size(); ++f) {
        const Facility& facility = sv.facilities[f];
        const AplSite& s = apl.result.sites[f];
        std::optional<double> ratio;
        if (s.ratio) {
            ratio = *s.ratio * apl.spec.per_inhabitants;
        }
        sites.rows.push_back({facility.id, text_or_null(facility.name), facility.source, s.supply,
                              std::int64_t{assumed ? 1 : 0}, significant(s.weighted_demand),
                              rounded(s.population_within, 0.1), static_cast<std::int64_t>(s.origins_within),
                              significant(ratio)});
        sites.wkb.push_back(point_wkb(facility.position));
    }
    return sites;
}

OutputLayer apl_areas_table(const std::string& name, const AplOutcome& apl) {
    OutputLayer table;
    table.name = name;
    table.fields = {{"scope", Type::text},
                    {"code", Type::text},
                    {"nom", Type::text},
                    {"population", Type::real},
                    {apl_field(apl.spec), Type::real},
                    {"threshold_" + apl_scale_suffix(apl.spec), Type::real},
                    {"pop_under", Type::real},
                    {"share_under", Type::real},
                    {"pop_no_site", Type::real}};
    for (const auto& a : apl.areas.areas) {
        const bool known = a.origins > 0;
        table.rows.push_back({a.scope, text_or_null(a.code), text_or_null(a.name), rounded(a.population, 0.1),
                              significant(a.apl), apl.spec.threshold,
                              known ? rounded(a.population_under, 0.1) : FieldValue(std::monostate{}),
                              rounded(a.share_under, 0.0001),
                              known ? rounded(a.population_no_site, 0.1) : FieldValue(std::monostate{})});
    }
    return table;
}

nlohmann::ordered_json apl_json(const StudyInputs& in, const AplOutcome& apl) {
    const ServiceInputs& sv = in.services[apl.service];
    const AplSpec& spec = apl.spec;
    const AplResult& r = apl.result;
    auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    nlohmann::ordered_json j;
    j["service"] = {{"id", sv.spec.id}, {"label", sv.spec.label}, {"sites", sv.facilities.size()}};
    j["indicator"] = {
        {"name", "APL, accessibilité potentielle localisée (E2SFCA)"},
        {"source", "DREES/IRDES: Barlet, Coldefy, Collin, Lucas-Gabrielli (2012), DREES Études et Résultats n° 795 "
                   "and document de travail n° 124; decay bands of DREES's 2015 method for general practitioners"},
        {"formula", "R_j = S_j / sum_i w(t_ij) D_i; A_i = sum_j w(t_ij) R_j"},
        {"unit", apl_unit(spec)},
        {"per_inhabitants", spec.per_inhabitants}};
    nlohmann::ordered_json decay = {{"kind", to_string(spec.decay)}, {"description", describe_decay(spec)}};
    if (spec.decay == AplSpec::Decay::bands) {
        decay["bands_min"] = spec.band_upper_min;
        decay["weights"] = spec.band_weight;
    } else {
        decay["max_min"] = spec.max_min;
    }
    decay["reach_min"] = apl_reach_min(spec);
    decay["bands_include_upper_bound"] = true;
    j["decay"] = decay;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : sv.spec.files) {
        files.push_back(f.file.string());
    }
    if (spec.supply_field.empty()) {
        j["supply"] = {{"column", nullptr},
                       {"unit", apl_supply_unit(spec)},
                       {"assumption", "1 per site: no supply column given (apl.supply_field), every site counts the "
                                      "same whatever its activity"},
                       {"total", r.conservation.supply_total}};
    } else {
        j["supply"] = {{"column", spec.supply_field},
                       {"unit", apl_supply_unit(spec)},
                       {"files", files},
                       {"assumption", nullptr},
                       {"total", r.conservation.supply_total}};
    }
    j["demand"] = {{"what", "population of each origin"},
                   {"age_weights", nullptr},
                   {"note", "not standardised by age: the study has no age groups (DREES weights demand by age-specific "
                            "consumption)"}};
    j["travel_time"] = {{"direction", sv.spec.direction == TravelDirection::to_service ? "to_service" : "from_service"},
                        {"access_speed_kmh", in.study.network.access_kmh},
                        {"note", "as the access times: car, no traffic, both off-network legs"}};
    j["threshold"] = {{"value", spec.threshold}, {"unit", apl_unit(spec)}, {"under", "APL < threshold"}};
    const AplArea& study = apl.areas.areas.front();
    j["study_summary"] = {{"population", study.population},
                          {"apl", optional(study.apl)},
                          {"pop_under", study.population_under},
                          {"share_under", optional(study.share_under)},
                          {"pop_no_site", study.population_no_site},
                          {"apl_zero_means", "no site of positive supply within the reach: the APL is 0 by definition"}};
    const AplConservation& c = r.conservation;
    j["conservation"] = {{"identity", "sum_i D_i A_i = sum_j S_j over the sites with weighted demand > 0"},
                         {"sum_demand_times_apl", c.demand_times_apl},
                         {"sum_supply_reached", c.supply_reached},
                         {"sum_supply_total", c.supply_total},
                         {"sites_reaching_nobody", c.sites_unreached},
                         {"relative_residual", c.relative_residual},
                         {"tolerance", apl_conservation_tolerance},
                         {"holds", c.holds()}};
    j["method"] = {{"searches", r.searches.searches},
                   {"settled_states", r.searches.settled_states},
                   {"pairs_within_reach", r.pairs},
                   {"note", "one search per distinct site position, bounded at the reach; origin times as for the "
                            "access times (SiteSearch)"}};
    return j;
}

std::string apl_console_summary(const StudyInputs& in, const AplOutcome& apl) {
    const ServiceInputs& sv = in.services[apl.service];
    const AplArea& study = apl.areas.areas.front();
    std::string out = fmt::format("  APL {} ({} site{}, {}): ", sv.spec.label, sv.facilities.size(),
                                  sv.facilities.size() == 1 ? "" : "s", apl_unit(apl.spec));
    if (study.apl && study.population > 0) {
        out += fmt::format("mean {}; {} of {} inhabitants ({}) under {}", apl_console_number(*study.apl),
                           people(study.population_under), people(study.population),
                           console_percent(100.0 * study.population_under / study.population),
                           apl_console_number(apl.spec.threshold));
        if (study.population_no_site >= 0.5) {
            out += fmt::format(", {} with no site within {:g} min", people(study.population_no_site),
                               apl_reach_min(apl.spec));
        }
        out += "\n";
    } else {
        out += "no population to count\n";
    }
    if (apl.spec.supply_field.empty()) {
        out += "    supply: 1 per site (assumption: no supply column given)\n";
    } else {
        out += fmt::format("    supply: column '{}' ({} in all)\n", apl.spec.supply_field,
                           format_number(apl.result.conservation.supply_total, 1, console_numbers));
    }
    out += fmt::format("    conservation: sum of population x APL = supply reached ({:.6g}), relative residual {:.1e}\n",
                       apl.result.conservation.supply_reached, apl.result.conservation.relative_residual);
    return out;
}

std::vector<AplOutcome> compute_run_apl(const StudyInputs& in, int threads) {
    std::vector<AplOutcome> out;
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        if (in.services[s].spec.apl_in_run) {
            out.push_back(compute_apl_outcome(in, s, in.services[s].spec.apl, threads));
        }
    }
    return out;
}

std::vector<OutputLayer> apl_run_layers(const StudyInputs& in, const AplOutcome& apl) {
    const std::string& id = in.services[apl.service].spec.id;
    return {apl_zones_layer("apl_" + id, in, apl), apl_origins_layer("apl_origins_" + id, in, apl),
            apl_sites_layer("apl_sites_" + id, in, apl), apl_areas_table("apl_areas_" + id, apl)};
}

AplComparison compare_apl(const StudyInputs& in, const ScenarioResult& scenario, const AplSpec& spec,
                          std::optional<double> new_supply, int threads) {
    AplComparison c;
    c.spec = spec;
    const ServiceInputs& sv = in.services[scenario.service];
    ServiceInputs with_spec = sv;
    with_spec.spec.apl = spec;
    const std::vector<double> supply_before = site_supply(with_spec);
    const bool column = !spec.supply_field.empty();
    if (column && !new_supply &&
        std::any_of(scenario.changes.begin(), scenario.changes.end(),
                    [](const ScenarioSiteChange& ch) { return ch.kind == ScenarioSiteChange::Kind::added; })) {
        throw ConfigError(fmt::format("the sites of service '{}' supply the values of column '{}': give the supply of "
                                      "each new site with --supply (same unit)",
                                      sv.spec.id, spec.supply_field));
    }
    c.new_supply = new_supply.value_or(1.0);
    if (!(std::isfinite(c.new_supply) && c.new_supply >= 0 && c.new_supply <= 1e9)) {
        throw ConfigError(fmt::format("--supply {}: give a number from 0 to 1e9, in the unit of the service's supply",
                                      c.new_supply));
    }
    // facilities_after: the kept sites, the moved ones (they keep their supply), then the added ones.
    const auto added = static_cast<std::size_t>(
        std::count_if(scenario.changes.begin(), scenario.changes.end(),
                      [](const ScenarioSiteChange& ch) { return ch.kind == ScenarioSiteChange::Kind::added; }));
    const std::size_t first_added = scenario.facilities_after.size() - added;
    std::vector<double> supply_after;
    for (std::size_t i = 0; i < scenario.facilities_after.size(); ++i) {
        const Facility& f = scenario.facilities_after[i];
        supply_after.push_back(i >= first_added ? c.new_supply : !column ? 1.0 : f.supply.value_or(c.new_supply));
    }
    c.before = compute_apl(in, sv.spec.direction, sv.snaps, supply_before, spec, threads);
    c.after = compute_apl(in, sv.spec.direction, scenario.snaps_after, supply_after, spec, threads);
    c.areas_before = aggregate_apl(in, c.before.apl, spec);
    c.areas_after = aggregate_apl(in, c.after.apl, spec);
    return c;
}

namespace {

std::optional<double> delta(const std::optional<double>& after, const std::optional<double>& before) {
    if (!after || !before) {
        return std::nullopt;
    }
    return *after - *before;
}

std::vector<OutputField> comparison_fields(const AplSpec& spec) {
    const std::string suffix = apl_scale_suffix(spec);
    return {{"population", Type::real},
            {"apl_before_" + suffix, Type::real},
            {"apl_after_" + suffix, Type::real},
            {"delta_" + suffix, Type::real},
            {"pop_under_before", Type::real},
            {"pop_under_after", Type::real}};
}

void comparison_values(const AplArea& b, const AplArea& a, std::vector<FieldValue>& row) {
    const bool known = b.origins > 0;
    row.push_back(rounded(b.population, 0.1));
    row.push_back(significant(b.apl));
    row.push_back(significant(a.apl));
    row.push_back(significant(delta(a.apl, b.apl)));
    row.push_back(known ? rounded(b.population_under, 0.1) : FieldValue(std::monostate{}));
    row.push_back(known ? rounded(a.population_under, 0.1) : FieldValue(std::monostate{}));
}

} // namespace

OutputLayer apl_zone_comparison_layer(const std::string& name, const StudyInputs& in, const AplComparison& c) {
    OutputLayer layer;
    layer.name = name;
    layer.geometry = OutputLayer::Geometry::polygon;
    layer.fields = {{"code", Type::text}, {"nom", Type::text}};
    for (auto& f : comparison_fields(c.spec)) {
        layer.fields.push_back(std::move(f));
    }
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        std::vector<FieldValue> row = {in.zones.zones[z].code, text_or_null(in.zones.zones[z].name)};
        comparison_values(c.areas_before.zones[z], c.areas_after.zones[z], row);
        layer.rows.push_back(std::move(row));
        layer.wkb.push_back(in.zones.zones[z].wkb);
    }
    return layer;
}

OutputLayer apl_area_comparison_table(const std::string& name, const AplComparison& c) {
    OutputLayer table;
    table.name = name;
    table.fields = {{"scope", Type::text}, {"code", Type::text}, {"nom", Type::text}};
    for (auto& f : comparison_fields(c.spec)) {
        table.fields.push_back(std::move(f));
    }
    for (std::size_t i = 0; i < c.areas_before.areas.size(); ++i) {
        const AplArea& b = c.areas_before.areas[i];
        std::vector<FieldValue> row = {b.scope, text_or_null(b.code), text_or_null(b.name)};
        comparison_values(b, c.areas_after.areas[i], row);
        table.rows.push_back(std::move(row));
    }
    return table;
}

nlohmann::ordered_json apl_comparison_json(const StudyInputs& in, const AplComparison& c) {
    auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    const AplArea& b = c.areas_before.areas.front();
    const AplArea& a = c.areas_after.areas.front();
    nlohmann::ordered_json j;
    j["unit"] = apl_unit(c.spec);
    j["decay"] = describe_decay(c.spec);
    j["threshold"] = {{"value", c.spec.threshold}, {"under", "APL < threshold"}};
    j["supply"] = c.spec.supply_field.empty()
                      ? nlohmann::json("1 per site (assumption: no supply column); new sites 1 each")
                      : nlohmann::json(fmt::format("column {}; kept and moved sites keep theirs; new sites {:g} each",
                                                   c.spec.supply_field, c.new_supply));
    j["demand"] = "population of each origin, not standardised by age";
    j["study_summary"] = {{"population", b.population},
                          {"apl_before", optional(b.apl)},
                          {"apl_after", optional(a.apl)},
                          {"pop_under_before", b.population_under},
                          {"pop_under_after", a.population_under},
                          {"pop_no_site_before", b.population_no_site},
                          {"pop_no_site_after", a.population_no_site}};
    j["conservation"] = {{"before_relative_residual", c.before.conservation.relative_residual},
                         {"after_relative_residual", c.after.conservation.relative_residual},
                         {"tolerance", apl_conservation_tolerance}};
    j["searches"] = c.before.searches.searches + c.after.searches.searches;
    (void)in;
    return j;
}

std::string apl_comparison_summary(const AplComparison& c) {
    const AplArea& b = c.areas_before.areas.front();
    const AplArea& a = c.areas_after.areas.front();
    if (!(b.population > 0)) {
        return "  APL: no population to count\n";
    }
    return fmt::format("  APL ({}): mean {} before, {} after; under {}: {} inhabitants ({}) before, {} "
                       "({}) after{}\n",
                       apl_unit(c.spec), apl_console_number(b.apl.value_or(0.0)),
                       apl_console_number(a.apl.value_or(0.0)), apl_console_number(c.spec.threshold),
                       people(b.population_under), console_percent(100.0 * b.population_under / b.population),
                       people(a.population_under), console_percent(100.0 * a.population_under / a.population),
                       c.spec.supply_field.empty() ? "; supply 1 per site (assumption)" : "");
}

void write_apl_map(const std::filesystem::path& dir, const std::string& relative, const StudyInputs& in,
                   const AccessTable& access, const StudyResults& results, const AplOutcome& apl,
                   const MapContext& context) {
    const std::filesystem::path path = dir / relative;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
        throw OutputError(fmt::format("cannot create folder '{}': {}", path.parent_path().string(), ec.message()));
    }
    render_map_png(apl_scene(in, access, results, apl.service, apl.result, apl.areas, apl.spec, context), path);
}

} // namespace proxima
