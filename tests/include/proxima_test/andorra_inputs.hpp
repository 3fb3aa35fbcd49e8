#pragma once
// The bundled Andorra study loaded once per test process, without a graph cache, in the variants
// several test files share.

#include <vector>

#include <catch2/catch.hpp>

#include "proxima/study/study_file.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima_test/fixtures.hpp"

namespace proxima::test {

/// The study's services and the SMUR, which drives out of the hospital: the reverse direction of
/// the same facilities.
inline const StudyInputs& andorra_with_smur() {
    static const StudyInputs in = [] {
        StudyFile study = load_study(data_file("studies/andorra.toml"));
        study.network.graph.clear();  // no cache written from tests
        ServiceSpec smur = builtin_service_catalogue()[1];
        REQUIRE(smur.id == "smur");
        study.services.push_back(smur);
        return load_study_inputs(study);
    }();
    return in;
}

/// The general practitioners (médecins) only, the service the APL is computed for.
inline const StudyInputs& andorra_medecin() {
    static const StudyInputs in = [] {
        StudyFile study = load_study(data_file("studies/andorra.toml"));
        study.network.graph.clear();
        std::vector<ServiceSpec> kept;
        for (const auto& s : study.services) {
            if (s.id == "medecin") {
                kept.push_back(s);
            }
        }
        REQUIRE(kept.size() == 1);
        study.services = kept;
        return load_study_inputs(study);
    }();
    return in;
}

} // namespace proxima::test
