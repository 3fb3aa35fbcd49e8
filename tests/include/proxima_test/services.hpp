#pragma once
// A service of loaded study inputs, or its index, by id (the test fails if there is none).

#include <cstddef>
#include <string>

#include <catch2/catch.hpp>

#include "proxima/study/study_inputs.hpp"

namespace proxima::test {

inline std::size_t service_index(const StudyInputs& in, const std::string& id) {
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        if (in.services[s].spec.id == id) {
            return s;
        }
    }
    FAIL("no service " << id);
    return 0;
}

inline const ServiceInputs& service(const StudyInputs& in, const std::string& id) {
    return in.services[service_index(in, id)];
}

} // namespace proxima::test
