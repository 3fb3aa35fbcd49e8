#include "proxima/graph/state_hierarchy.hpp"

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

namespace {

void validate_side(const char* name, std::uint32_t n, const std::vector<std::uint32_t>& first,
                   const std::vector<std::uint32_t>& other, const std::vector<Deciseconds>& ds) {
    if (first.size() != std::size_t{n} + 1 || first.front() != 0 || first.back() != other.size() ||
        ds.size() != other.size()) {
        throw CacheError(fmt::format("contraction hierarchy: the {} arcs do not match the {} states", name, n));
    }
    // Offsets first (never decreasing, so all within the arcs), then the arcs they delimit.
    for (std::uint32_t r = 0; r < n; ++r) {
        if (first[r] > first[r + 1]) {
            throw CacheError(fmt::format("contraction hierarchy: the {} arc offsets decrease at rank {}", name, r));
        }
    }
    for (std::uint32_t r = 0; r < n; ++r) {
        for (auto i = first[r]; i < first[r + 1]; ++i) {
            if (other[i] <= r || other[i] >= n) {
                throw CacheError(fmt::format("contraction hierarchy: {} arc {} at rank {} does not lead upwards", name,
                                             i, r));
            }
            if (ds[i] > hierarchy_cap_ds) {
                throw CacheError(fmt::format("contraction hierarchy: {} arc {} weighs more than the cap", name, i));
            }
        }
    }
}

} // namespace

std::size_t StateHierarchy::memory_bytes() const noexcept {
    return (rank.size() + up_first.size() + up_head.size() + up_ds.size() + down_first.size() + down_tail.size() +
            down_ds.size()) *
           sizeof(std::uint32_t);
}

void StateHierarchy::validate(std::uint32_t n) const {
    if (rank.size() != n) {
        throw CacheError(fmt::format("contraction hierarchy: {} ranks for {} states", rank.size(), n));
    }
    std::vector<unsigned char> seen(n, 0);
    for (std::uint32_t s = 0; s < n; ++s) {
        if (rank[s] >= n || seen[rank[s]] != 0) {
            throw CacheError(fmt::format("contraction hierarchy: the ranks are not a permutation (state {})", s));
        }
        seen[rank[s]] = 1;
    }
    validate_side("upward", n, up_first, up_head, up_ds);
    validate_side("downward", n, down_first, down_tail, down_ds);
}

} // namespace proxima
