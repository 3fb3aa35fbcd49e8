// Fuzz target: study files (proxima/study/study_file.hpp), parse_study(text,
// "/tmp/fuzz/study.toml"). Parsing only: no input file named by the study is opened.
//
// proxima::Error and its subclasses (ConfigError naming key and line) are the expected way to
// refuse input; any other exception, or a crash, is a finding.
//
// Invariants on success: age groups ([population] groups) each add up at least one Filosofi age
// band, have a column key, and come with a grid; every numeric setting finite and within the range the parser promises
// (network speeds and distances, cell size, pole buffer, thresholds in (0, 1440] minutes); at
// least one service, each with a valid id and a source of facilities; zones from a file or from
// OSM boundaries, not both; each service's APL settings ([services.<id>.apl]) usable: bands
// increasing within (0, 1440] minutes with one weight each in (0, 1], never increasing, or a
// continuous decay's max_min in (0, 1440]; per_inhabitants a power of ten; a positive threshold;
// check_apl_spec() accepts them.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "fuzz_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/study/study_file.hpp"

namespace {

bool finite_in(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

bool valid_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

void check_apl(const proxima::ServiceSpec& svc) {
    const proxima::AplSpec& a = svc.apl;
    const char* id = svc.id.c_str();
    if (a.decay == proxima::AplSpec::Decay::bands) {
        PROXIMA_FUZZ_CHECK(!a.band_upper_min.empty() && a.band_upper_min.size() == a.band_weight.size(),
                           "service '%s': %zu APL bands, %zu weights", id, a.band_upper_min.size(), a.band_weight.size());
        for (std::size_t i = 0; i < a.band_upper_min.size(); ++i) {
            PROXIMA_FUZZ_CHECK(finite_in(a.band_upper_min[i], 1e-300, 1440), "service '%s': APL band bound %g", id,
                               a.band_upper_min[i]);
            PROXIMA_FUZZ_CHECK(finite_in(a.band_weight[i], 1e-300, 1), "service '%s': APL weight %g", id,
                               a.band_weight[i]);
            if (i > 0) {
                PROXIMA_FUZZ_CHECK(a.band_upper_min[i] > a.band_upper_min[i - 1] &&
                                       a.band_weight[i] <= a.band_weight[i - 1],
                                   "service '%s': APL band %zu not increasing or weight increasing", id, i);
            }
        }
    } else {
        PROXIMA_FUZZ_CHECK(finite_in(a.max_min, 1e-300, 1440), "service '%s': APL max_min %g", id, a.max_min);
    }
    PROXIMA_FUZZ_CHECK(finite_in(proxima::apl_reach_min(a), 1e-300, 1440), "service '%s': APL reach %g", id,
                       proxima::apl_reach_min(a));
    bool power = false;
    for (double p = 1; p <= 1e6; p *= 10) {
        power = power || a.per_inhabitants == p;
    }
    PROXIMA_FUZZ_CHECK(power, "service '%s': APL per_inhabitants %g", id, a.per_inhabitants);
    PROXIMA_FUZZ_CHECK(std::isfinite(a.threshold) && a.threshold > 0, "service '%s': APL threshold %g", id,
                       a.threshold);
    try {
        proxima::check_apl_spec(a, "fuzz");
    } catch (const proxima::ConfigError& e) {
        PROXIMA_FUZZ_CHECK(false, "service '%s': parsed APL settings refused by check_apl_spec: %s", id, e.what());
    }
}

void check_study(const proxima::StudyFile& s) {
    PROXIMA_FUZZ_CHECK(s.cog_year >= 0 && s.cog_year <= 2100, "cog_year %d", s.cog_year);
    PROXIMA_FUZZ_CHECK(finite_in(s.network.access_kmh, 1, 200), "network.access_speed_kmh %g", s.network.access_kmh);
    PROXIMA_FUZZ_CHECK(finite_in(s.network.max_snap_m, 1, 1e6), "network.max_snap_m %g", s.network.max_snap_m);
    PROXIMA_FUZZ_CHECK(finite_in(s.network.warn_snap_m, 0, 1e6), "network.warn_snap_m %g", s.network.warn_snap_m);
    PROXIMA_FUZZ_CHECK(!s.network.osm.empty(), "no network.osm");
    PROXIMA_FUZZ_CHECK(s.zones.file.empty() != !s.zones.osm_admin_level.has_value(),
                       "zones from a file and OSM boundaries, or from neither");
    if (s.zones.osm_admin_level) {
        PROXIMA_FUZZ_CHECK(*s.zones.osm_admin_level >= 1 && *s.zones.osm_admin_level <= 12, "osm_admin_level %d",
                           *s.zones.osm_admin_level);
    }
    if (s.population.grid_options.cell_size_m) {
        PROXIMA_FUZZ_CHECK(finite_in(*s.population.grid_options.cell_size_m, 1, 1e5), "population.cell_size_m %g",
                           *s.population.grid_options.cell_size_m);
    }
    PROXIMA_FUZZ_CHECK(finite_in(s.poles.buffer_km, 0, 500), "poles.buffer_km %g", s.poles.buffer_km);
    for (const auto& g : s.population.groups) {
        // An age group adds up at least one of Filosofi's bands and names a column key.
        PROXIMA_FUZZ_CHECK(std::any_of(g.bands.begin(), g.bands.end(), [](bool b) { return b; }) && !g.key.empty(),
                           "age group '%s' has no band or no key", g.label.c_str());
        PROXIMA_FUZZ_CHECK(s.population.source == proxima::StudyFile::Population::Source::grid,
                           "age group '%s' without a grid", g.label.c_str());
    }
    PROXIMA_FUZZ_CHECK(!s.services.empty(), "a study without services was accepted");
    for (const auto& svc : s.services) {
        PROXIMA_FUZZ_CHECK(valid_id(svc.id), "service id '%s'", svc.id.c_str());
        PROXIMA_FUZZ_CHECK(std::isfinite(svc.threshold_min) && svc.threshold_min > 0 && svc.threshold_min <= 1440,
                           "service '%s' threshold_min %g", svc.id.c_str(), svc.threshold_min);
        PROXIMA_FUZZ_CHECK(!svc.bpe_codes.empty() || !svc.osm_selectors.empty() || !svc.files.empty() ||
                               !svc.pole.empty(),
                           "service '%s' has no source of facilities", svc.id.c_str());
        PROXIMA_FUZZ_CHECK(!svc.label.empty(), "service '%s' has no label", svc.id.c_str());
        check_apl(svc);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const proxima::StudyFile study = proxima::parse_study(text, "/tmp/fuzz/study.toml");
        check_study(study);
        proxima::fuzz::accepted("parse_study");
    } catch (const proxima::Error& e) {
        proxima::fuzz::refused(e, "parse_study");  // expected: ConfigError naming key and line
    } catch (const std::exception& e) {
        proxima::fuzz::unexpected_exception(e, "parse_study");
    }
    return 0;
}
