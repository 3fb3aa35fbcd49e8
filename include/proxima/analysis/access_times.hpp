#pragma once
// Travel time from every origin to the nearest facility of every service (or from it, for
// services that drive out), including both off-network legs: one multi-source search per
// service from all its facilities at once, services in parallel (OpenMP).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

class AccessTable {
public:
    AccessTable() = default;
    AccessTable(std::size_t services, std::size_t origins)
        : m_origins(origins), m_ds(services * origins, unreachable_ds), m_nearest(services * origins, invalid_index) {}

    [[nodiscard]] std::size_t origin_count() const { return m_origins; }
    [[nodiscard]] std::size_t service_count() const { return m_origins == 0 ? 0 : m_ds.size() / m_origins; }
    /// Deciseconds, unreachable_ds if no facility can be reached.
    [[nodiscard]] Deciseconds time_ds(std::size_t service, std::size_t origin) const { return m_ds[service * m_origins + origin]; }
    /// The times of every origin to one service, in origin order.
    [[nodiscard]] std::span<const Deciseconds> times_ds(std::size_t service) const {
        return std::span<const Deciseconds>(m_ds).subspan(service * m_origins, m_origins);
    }
    /// Index of the nearest facility (into ServiceInputs::facilities), invalid_index if unreachable.
    [[nodiscard]] std::uint32_t nearest(std::size_t service, std::size_t origin) const {
        return m_nearest[service * m_origins + origin];
    }
    void set(std::size_t service, std::size_t origin, Deciseconds ds, std::uint32_t facility) {
        m_ds[service * m_origins + origin] = ds;
        m_nearest[service * m_origins + origin] = facility;
    }

private:
    std::size_t m_origins = 0;
    std::vector<Deciseconds> m_ds;
    std::vector<std::uint32_t> m_nearest;
};

/// Computes the table for every service of `inputs` (ids and order as inputs.services).
/// `threads` 0 = all cores. Deterministic whatever the thread count.
[[nodiscard]] AccessTable compute_access(const StudyInputs& inputs, int threads = 0);

} // namespace proxima
