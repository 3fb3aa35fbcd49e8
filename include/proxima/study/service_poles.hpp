#pragma once
// INSEE "pôles de services" of a study: which communes (zones) of the study area and of a buffer
// around it are pôles de proximité, intermédiaires or supérieurs, and where a resident drives to
// reach one. Used by `proxima poles`, by the pole services (pole_proximite, pole_intermediaire,
// pole_superieur) of any study, and written as the `poles` layer of a run.
//
// Sources of equipment ([poles] source in the study file):
//   "bpe"         the study's geolocated BPE ([services] bpe), counted by DEPCOM;
//   "bpe_counts"  one or more BPE count tables per commune and type ([poles] counts);
//   "osm"         equipment mapped in the study's OSM extract, counted by the zone containing it,
//                 with the OSM approximation of the gammes (data/services/gammes-osm.toml):
//                 always labelled "approximation OpenStreetMap";
//   "list"        the user's list of pole communes ([poles] list: CSV code,level).
// Default: "bpe" when the study has a BPE file, else "osm".
//
// Destination of a pole service (documented choice): one point per pole commune. With geolocated
// equipment (bpe, osm) it is the centre of the commune's services: the equipment of the gammes
// with the most others within 500 m (a real place in the town centre, where the services are;
// not a mean or medoid, which falls between two clusters); with counts or a list, the zone's
// point on surface.
//
// Poles outside the study area count (people cross borders): every zone of the zones source whose
// bounding box lies within [poles] buffer_km of the study area's bounding box is classified. With
// OSM equipment, a zone that is not entirely inside the extract's bounding box cannot be counted
// fully: it is left out and listed in not_classified.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/ids.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima/territory/gammes.hpp"

namespace proxima {

struct PoleCommune {
    std::string code;
    std::string name;
    std::vector<unsigned char> wkb;       ///< zone polygon, WGS84
    bool in_study = false;                ///< inside the study area (else in the buffer)
    GammeCounts counts;                   ///< items present and pole flags per gamme (bpe, osm)
    std::optional<Gamme> level;           ///< highest gamme it is a pole of
    std::size_t equipment = 0;            ///< equipments of the gammes counted in it
    LonLat destination;                   ///< where the pole services lead
    std::string destination_kind;         ///< "centre of its equipment" or "point on surface"
    /// Pole of gamme g (a pôle supérieur also counts as intermediate when it qualifies).
    [[nodiscard]] bool is_pole(Gamme g) const { return counts.is_pole[static_cast<std::size_t>(g)]; }
};

struct PoleClassification {
    std::string source;                   ///< "bpe", "bpe_counts", "osm", "list"
    std::string method;                   ///< readable: what was counted, with which gammes file
    bool approximation = false;           ///< OSM approximation: said in every output
    GammeSet gammes;                      ///< the definitions applied (empty items for "list")
    std::array<bool, 3> classified{};     ///< per gamme: complete definition (or listed), so levels are known
    double buffer_km = 0.0;
    std::vector<PoleCommune> communes;    ///< every zone classified, by code
    std::vector<std::string> not_classified;  ///< "code name: why"
    std::vector<std::string> warnings;
    /// [poles] nested: access to a gamme counts the poles of the gammes above it too.
    bool nested = true;
    /// Number of poles of each gamme (a commune counts in every gamme it qualifies for).
    [[nodiscard]] std::array<std::size_t, 3> pole_counts(bool study_only) const;
    /// Whether `c` is a destination of gamme `g`'s access: a pole of `g`, or (nested reading) of
    /// a gamme above it.
    [[nodiscard]] bool serves(const PoleCommune& c, Gamme g) const;
    /// The reading, for outputs: "nested (...)" or "strict (...)".
    [[nodiscard]] std::string reading() const;
};

/// Classifies the study's zones and the buffer around them. `required` lists the gammes whose
/// poles are needed (e.g. for pole services): a gamme without a complete definition in the gammes
/// file is then a ConfigError naming the file and the three ways out (a complete gammes file, a
/// list of poles, the OSM approximation). Throws InputError for unreadable sources (file, line).
[[nodiscard]] PoleClassification classify_study_poles(const StudyFile& study, const std::vector<Gamme>& required,
                                                      const Log& log = Log{});

/// The gamme of a pole service id ("pole_intermediaire" -> intermediaire), nullopt otherwise.
[[nodiscard]] std::optional<Gamme> pole_service_gamme(const ServiceSpec& spec);

/// What `proxima poles` prints: the method, then per level the poles with their counts.
[[nodiscard]] std::string format_poles(const PoleClassification& poles);

} // namespace proxima
