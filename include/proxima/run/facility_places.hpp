#pragma once
// Where each facility of a study stands, in words a planner reads: the study zone (commune) that
// holds it, else the commune the source gives (BPE's DEPCOM, a pole's commune), else nothing
// (a site outside the study area found in the extract's buffer).

#include <cstddef>
#include <string>
#include <vector>

#include "proxima/study/study_inputs.hpp"

namespace proxima {

struct FacilityPlace {
    std::string code;      ///< zone code (INSEE code for communes); empty if unknown
    std::string name;      ///< zone or commune name; empty if unknown
    bool in_study = false; ///< inside a study zone
};

class FacilityPlaces {
public:
    /// Locates every facility of every service of `in` (one point-in-zone test each).
    explicit FacilityPlaces(const StudyInputs& in);
    [[nodiscard]] const FacilityPlace& place(std::size_t service, std::size_t facility) const {
        return m_places[service][facility];
    }

private:
    std::vector<std::vector<FacilityPlace>> m_places;
};

} // namespace proxima
