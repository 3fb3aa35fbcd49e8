#include "proxima/run/deficit_area.hpp"

#include "proxima/analysis/deficit_zones.hpp"

namespace proxima {

namespace {
bool grid_study(const StudyInputs& in) {
    return in.study.origins.kind == StudyFile::Origins::Kind::cells && in.grid.has_value();
}
} // namespace

std::vector<unsigned char> deficit_area(const StudyInputs& in, std::span<const Deciseconds> ds,
                                        const std::vector<ZoneServiceResult>& zones, double threshold_min) {
    if (grid_study(in)) {
        std::vector<std::pair<double, double>> over;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            if (is_over(minutes_of(ds[o]), threshold_min)) {
                over.emplace_back(in.origins[o].grid_x, in.origins[o].grid_y);
            }
        }
        return dissolve_cells(over, in.grid->cell_size_m, in.grid->crs);
    }
    std::vector<std::vector<unsigned char>> over;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        if (zones[z].origins > 0 && zones[z].over) {
            over.push_back(in.zones.zones[z].wkb);
        }
    }
    return dissolve_polygons(over);
}

const char* deficit_method(const StudyInputs& in) {
    return grid_study(in) ? "grid cells beyond the threshold, dissolved"
                          : "zones whose population-weighted mean time is beyond the threshold";
}

} // namespace proxima
