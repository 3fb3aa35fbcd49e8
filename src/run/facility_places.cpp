#include "proxima/run/facility_places.hpp"

#include "proxima/territory/zone_locator.hpp"

namespace proxima {

FacilityPlaces::FacilityPlaces(const StudyInputs& in) {
    const ZoneLocator locator(in.zones);
    for (const auto& sv : in.services) {
        auto& places = m_places.emplace_back();
        for (const Facility& f : sv.facilities) {
            FacilityPlace p;
            if (const auto z = locator.zone_of(f.position)) {
                p = {in.zones.zones[*z].code, in.zones.zones[*z].name, true};
            } else if (!f.commune_code.empty()) {
                p.code = f.commune_code;
                if (in.communes) {
                    if (const Commune* c = in.communes->find(f.commune_code)) {
                        p.name = c->name;
                    }
                }
            }
            places.push_back(std::move(p));
        }
    }
}

} // namespace proxima
