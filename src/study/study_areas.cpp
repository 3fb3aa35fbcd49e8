#include "proxima/study/study_areas.hpp"

#include <map>

namespace proxima {

const Commune* commune_of_zone(const StudyInputs& in, std::size_t z) {
    if (!in.communes || z >= in.join.commune_of_zone.size() || in.join.commune_of_zone[z] == ZoneJoin::no_commune) {
        return nullptr;
    }
    return &in.communes->communes()[in.join.commune_of_zone[z]];
}

std::vector<ZoneGroup> study_epcis(const StudyInputs& in) {
    std::map<std::string, ZoneGroup> groups;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        std::string siren = in.zones.zones[z].epci_siren;
        std::string name;
        if (const Commune* c = commune_of_zone(in, z); c != nullptr && !c->epci_siren.empty()) {
            siren = c->epci_siren;
            name = c->epci_name;
        }
        if (siren.empty()) {
            continue;
        }
        ZoneGroup& g = groups[siren];
        g.code = siren;
        if (g.name.empty()) {
            g.name = name;
        }
        g.zones.push_back(z);
    }
    std::vector<ZoneGroup> out;
    for (auto& [siren, g] : groups) {
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace proxima
