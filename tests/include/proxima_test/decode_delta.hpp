#pragma once
// The page script's decoding of report.html's delta-encoded polygons (report.js, decodeDelta;
// detail::delta_encoded_polygons), written again for the tests: the running sums of the integers
// in 1e-5 degree, ring after ring and part after part.

#include <cstddef>

#include <nlohmann/json.hpp>

namespace proxima::test {

/// {"type", "delta_e5"} back to a GeoJSON {"type", "coordinates"} geometry.
inline nlohmann::ordered_json decode_delta(const nlohmann::ordered_json& g) {
    using Json = nlohmann::ordered_json;
    long long x = 0, y = 0;
    auto ring = [&](const Json& r) {
        Json out = Json::array();
        for (std::size_t i = 0; i + 1 < r.size(); i += 2) {
            x += r[i].get<long long>();
            y += r[i + 1].get<long long>();
            out.push_back({static_cast<double>(x) / 1e5, static_cast<double>(y) / 1e5});
        }
        return out;
    };
    auto polygon = [&](const Json& p) {
        Json out = Json::array();
        for (const auto& r : p) {
            out.push_back(ring(r));
        }
        return out;
    };
    Json c = Json::array();
    if (g["type"] == "Polygon") {
        c = polygon(g["delta_e5"]);
    } else {
        for (const auto& p : g["delta_e5"]) {
            c.push_back(polygon(p));
        }
    }
    return {{"type", g["type"]}, {"coordinates", c}};
}

} // namespace proxima::test
