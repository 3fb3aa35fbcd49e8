#include "run/report_squares.hpp"

#include <utility>
#include <vector>

#include "proxima/report/layer_writer.hpp"
#include "proxima/run/run_layers.hpp"

namespace proxima {

std::optional<detail::OriginSquares> report_origin_squares(const StudyInputs& in, const AccessTable& access,
                                                           std::size_t max_origins) {
    const std::size_t n = in.origins.size();
    if (max_origins == 0 || n <= max_origins) {
        return std::nullopt;
    }
    const OutputLayer layer = origins_layer(in, access);  // its name and geometry; rows are not made
    const WrittenGeometry written(in.study.output_crs);
    std::vector<std::pair<double, double>> positions(n);
    for (std::size_t o = 0; o < n; ++o) {
        positions[o] = written.envelope_centre(layer, o, origin_geometry(in, o));
    }
    detail::OriginSquares out;
    out.layer = layer.name;
    for (const auto& sv : in.services) {
        out.service_ids.push_back(sv.spec.id);
    }
    out.max_origins = max_origins;
    out.origins = n;
    out.square_m = detail::choose_square_side(positions, max_origins);
    for (std::size_t o = 0; o < n; ++o) {
        const FieldValue population = origin_population_value(in, o);
        out.add(positions[o], population.index() == 2 ? std::get<double>(population) : 0.0,
                [&] { return nlohmann::ordered_json(in.zones.zones[in.origins[o].zone].code); },
                [&](std::size_t s) -> std::optional<double> {
                    const FieldValue m = origin_minutes_value(access, s, o);
                    if (m.index() != 2) {
                        return std::nullopt;
                    }
                    return std::get<double>(m);
                });
    }
    return out;
}

} // namespace proxima
