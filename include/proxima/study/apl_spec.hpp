#pragma once
// Parameters of the APL indicator (accessibilité potentielle localisée, DREES/IRDES: an enhanced
// two-step floating catchment area, E2SFCA) for one service: the distance decay, where each site's
// supply comes from, and the unit and threshold of the results. Read from the
// [services.<id>.apl] table of a study file (study_file.hpp), checked here, evaluated by
// analysis/apl.hpp.
//
// Defaults are DREES's for general practitioners (method of 2015, used for the zonage of the
// ARS): weight 1 up to 10 min by car, 2/3 from 10 to 15 min, 1/3 from 15 to 20 min, 0 beyond
// (DREES's tables print 0.66 and 0.33); bands include their upper bound, as every band of Proxima.

#include <string>
#include <vector>

namespace proxima {

struct AplSpec {
    enum class Decay {
        bands,     ///< a step function: the weight of the band the time falls in, 0 beyond the last
        linear,    ///< w(t) = 1 - t / max_min up to max_min, 0 beyond
        gaussian,  ///< w(t) = (exp(-t²/(2·max_min²)) - exp(-1/2)) / (1 - exp(-1/2)) up to max_min (Dai 2010)
    };
    Decay decay = Decay::bands;
    /// bands: inclusive upper bounds in minutes, strictly increasing, and one weight per band in
    /// (0, 1], non-increasing (a decay: farther never weighs more).
    std::vector<double> band_upper_min = {10.0, 15.0, 20.0};
    std::vector<double> band_weight = {1.0, 2.0 / 3.0, 1.0 / 3.0};
    /// linear and gaussian: minutes at which the weight reaches 0 (no influence from there on).
    double max_min = 20.0;
    /// Column of the service's facility files holding each site's supply (e.g. full-time
    /// equivalents, consultations a year); empty: every site supplies 1 (an assumption every output
    /// states).
    std::string supply_field;
    /// Unit of the supply, for outputs ("ETP", "consultations/an"); empty: "site" without a
    /// supply column, else the column's name.
    std::string supply_unit;
    /// APL is written per this many inhabitants: 1, 1000, 10000, 100000 or 1000000 (DREES writes
    /// consultations per inhabitant, and full-time equivalents per 100 000 inhabitants).
    double per_inhabitants = 1.0;
    /// "Under" the threshold: APL strictly below it, in the unit above (2.5 consultations per
    /// inhabitant a year is the mark DREES's zoning of general practitioners uses).
    double threshold = 2.5;
};

[[nodiscard]] const char* to_string(AplSpec::Decay decay);

/// The farthest time, in minutes, at which a site still weighs: the last band's upper bound, or
/// max_min. Searches never go beyond it.
[[nodiscard]] double apl_reach_min(const AplSpec& spec);

/// Checks the parameters. Throws ConfigError naming `where` (e.g. "services.medecin.apl") and
/// what to write instead: bands empty, not increasing, beyond a day or with weights outside
/// (0, 1] or increasing; max_min outside (0, 1440]; per_inhabitants not a power of ten from 1 to
/// 1 000 000; threshold not finite and > 0; a supply_field or supply_unit with characters other
/// than printable ones.
void check_apl_spec(const AplSpec& spec, const std::string& where);

/// "site" (no supply column), else supply_unit, else the column's name.
[[nodiscard]] std::string apl_supply_unit(const AplSpec& spec);
/// The unit of APL values, e.g. "ETP per 100000 inhabitants", "site per inhabitant".
[[nodiscard]] std::string apl_unit(const AplSpec& spec);
/// The column-name form of the scale: "per_inh", "per_1000_inh", "per_100000_inh"...
[[nodiscard]] std::string apl_scale_suffix(const AplSpec& spec);
/// The decay in words, e.g. "bands: 1 up to 10 min, 0.667 up to 15 min, 0.333 up to 20 min, 0 beyond".
[[nodiscard]] std::string describe_decay(const AplSpec& spec);

} // namespace proxima
