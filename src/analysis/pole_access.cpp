#include "proxima/analysis/pole_access.hpp"

#include <fmt/format.h>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima/study/service_poles.hpp"

namespace proxima {

namespace {

/// "pole_proximite", "pole_intermediaire", "pole_superieur": the ids of the pole services.
std::string pole_service_id(Gamme g) {
    return std::string("pole_") + (g == Gamme::superieure ? "superieur" : gamme_key(g));
}

/// The threshold of the pole service of gamme `g`: the study's own, else the catalogue's.
double pole_threshold(const StudyInputs& in, Gamme g) {
    const std::string id = pole_service_id(g);
    for (const auto& s : in.study.services) {
        if (s.id == id) {
            return s.threshold_min;
        }
    }
    for (const auto& s : builtin_service_catalogue()) {
        if (s.id == id) {
            return s.threshold_min;
        }
    }
    return g == Gamme::proximite ? 10.0 : g == Gamme::intermediaire ? 20.0 : 30.0;
}

} // namespace

PoleAccess compute_pole_access(const StudyInputs& in, int threads) {
    PoleAccess out;
    if (!in.poles) {
        return out;
    }
    const PoleClassification& poles = *in.poles;
    const auto shared = shared_snapper(in);
    const EdgeSnapper& snapper = *shared;
    StudyInputs view = in;  // the graph is shared, not copied
    view.services.clear();
    for (const Gamme g : all_gammes) {
        if (!poles.classified[static_cast<std::size_t>(g)]) {
            continue;
        }
        ServiceInputs sv;
        sv.spec.id = pole_service_id(g);
        sv.spec.label = pole_name(g);
        sv.spec.threshold_min = pole_threshold(in, g);
        std::vector<LonLat> positions;
        std::vector<const PoleCommune*> communes;
        for (const auto& c : poles.communes) {
            if (poles.serves(c, g)) {
                positions.push_back(c.destination);
                communes.push_back(&c);
            }
        }
        const auto snaps = snapper.snap_all(positions, in.study.network.max_snap_m);
        for (std::size_t i = 0; i < snaps.size(); ++i) {
            if (!snaps[i]) {
                ++out.unsnapped;
                continue;
            }
            const PoleCommune& c = *communes[i];
            sv.facilities.push_back({"pole:" + c.code, c.name, sv.spec.id, c.code, c.destination, poles.method, "pole"});
            sv.snaps.push_back(*snaps[i]);
        }
        if (sv.facilities.empty()) {
            continue;
        }
        out.gammes.push_back(g);
        out.threshold_min.push_back(sv.spec.threshold_min);
        out.poles.push_back(sv.facilities.size());
        view.services.push_back(std::move(sv));
    }
    if (view.services.empty()) {
        return out;
    }
    out.times = compute_access(view, threads);
    out.level.assign(in.origins.size(), -1);
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        for (std::size_t k = 0; k < out.gammes.size(); ++k) {
            if (!is_over(minutes_of(out.times.time_ds(k, o)), out.threshold_min[k])) {
                out.level[o] = static_cast<int>(k);  // gammes in increasing order: the last one wins
            }
        }
    }
    return out;
}

} // namespace proxima
