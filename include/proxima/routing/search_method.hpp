#pragma once
// The two ways of running a site search (routing/site_search_batch.hpp), and what a study or a
// command may ask for.

#include <optional>
#include <string_view>

namespace proxima {

/// Dijkstra (routing/multi_source_dijkstra.hpp) or PHAST over the contraction hierarchy
/// (routing/phast.hpp): the same times and sites, at different costs.
enum class SearchMethod { dijkstra, phast };

[[nodiscard]] constexpr const char* search_method_name(SearchMethod m) noexcept {
    return m == SearchMethod::phast ? "phast" : "dijkstra";
}

/// A method, or the choice left to the work at hand (analysis/access_times.hpp, plan_search()).
enum class SearchChoice { automatic, dijkstra, phast };

[[nodiscard]] constexpr const char* search_choice_name(SearchChoice c) noexcept {
    return c == SearchChoice::phast ? "phast" : c == SearchChoice::dijkstra ? "dijkstra" : "auto";
}

/// "auto", "dijkstra" or "phast"; std::nullopt for anything else.
[[nodiscard]] inline std::optional<SearchChoice> parse_search_choice(std::string_view text) {
    for (auto c : {SearchChoice::automatic, SearchChoice::dijkstra, SearchChoice::phast}) {
        if (text == search_choice_name(c)) {
            return c;
        }
    }
    return std::nullopt;
}

} // namespace proxima
