#pragma once
// Finding a zone of a loaded layer by its code, failing the test when it is missing.

#include <string>

#include <catch2/catch.hpp>

#include "proxima/territory/zones.hpp"

namespace proxima::test {

inline const Zone& zone_by_code(const ZoneLayer& layer, const std::string& code) {
    for (const auto& z : layer.zones) {
        if (z.code == code) {
            return z;
        }
    }
    FAIL("no zone " << code);
    return layer.zones.front();
}

} // namespace proxima::test
