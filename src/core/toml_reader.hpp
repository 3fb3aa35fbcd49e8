#pragma once
// Internal: checked access to TOML documents (toml++) with messages that name the file, the key
// and the line, for the profile and study parsers. Not a public header.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "proxima/core/error.hpp"

namespace proxima::detail {

/// Parses TOML text; a syntax error becomes ConfigError "source:line:column: what".
inline toml::table parse_toml(const std::string& text, const std::string& source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column,
                                      e.description()));
    }
}

class TomlReader {
public:
    explicit TomlReader(std::string source) : m_source(std::move(source)) {}

    [[noreturn]] void fail(const toml::node& node, const std::string& what) const {
        throw ConfigError(fmt::format("{}:{}: {}", m_source, node.source().begin.line, what));
    }
    [[noreturn]] void fail(const std::string& what) const { throw ConfigError(fmt::format("{}: {}", m_source, what)); }

    /// Refuses keys of `table` not in `allowed`.
    void only_keys(const toml::table& table, const std::string& where, std::initializer_list<std::string_view> allowed) const {
        for (const auto& [key, node] : table) {
            if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
                std::string list;
                for (auto a : allowed) {
                    list += (list.empty() ? "" : ", ") + std::string(a);
                }
                fail(node, fmt::format("unknown key '{}{}' (allowed here: {})", where, key.str(), list));
            }
        }
    }

    const toml::table& table(const toml::table& parent, std::string_view key, const std::string& where) const {
        const toml::node* node = parent.get(key);
        if (node == nullptr) {
            fail(fmt::format("missing section [{}{}]", where, key));
        }
        if (!node->is_table()) {
            fail(*node, fmt::format("'{}{}' must be a table", where, key));
        }
        return *node->as_table();
    }

    double number(const toml::table& t, std::string_view key, const std::string& where, double lo, double hi,
                  std::optional<double> fallback = std::nullopt) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            if (fallback) {
                return *fallback;
            }
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        return number_value(*node, fmt::format("{}{}", where, key), lo, hi);
    }

    double number_value(const toml::node& node, const std::string& name, double lo, double hi) const {
        double v = 0;
        if (auto i = node.value_exact<std::int64_t>()) {
            v = static_cast<double>(*i);
        } else if (auto d = node.value_exact<double>()) {
            v = *d;
        } else {
            fail(node, fmt::format("'{}' must be a number", name));
        }
        if (!(v >= lo && v <= hi)) {
            fail(node, fmt::format("'{}' = {} is out of range [{}, {}]", name, v, lo, hi));
        }
        return v;
    }

    /// A whole number (a TOML integer: 7, not 7.5 nor 7.0) within [lo, hi].
    std::int64_t integer(const toml::table& t, std::string_view key, const std::string& where, std::int64_t lo,
                         std::int64_t hi, std::optional<std::int64_t> fallback = std::nullopt) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            if (fallback) {
                return *fallback;
            }
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        const auto v = node->value_exact<std::int64_t>();
        if (!v) {
            fail(*node, fmt::format("'{}{}' must be a whole number (e.g. {}), not {}", where, key, lo,
                                    node->is_floating_point() ? "a decimal" : "text or a list"));
        }
        if (*v < lo || *v > hi) {
            fail(*node, fmt::format("'{}{}' = {} is out of range [{}, {}]", where, key, *v, lo, hi));
        }
        return *v;
    }

    std::string string(const toml::table& t, std::string_view key, const std::string& where) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        if (auto s = node->value_exact<std::string>()) {
            return *s;
        }
        fail(*node, fmt::format("'{}{}' must be a string", where, key));
    }

    bool boolean(const toml::table& t, std::string_view key, const std::string& where) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        if (auto b = node->value_exact<bool>()) {
            return *b;
        }
        fail(*node, fmt::format("'{}{}' must be true or false", where, key));
    }

    std::vector<std::string> strings(const toml::table& t, std::string_view key, const std::string& where) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            return {};
        }
        const auto* arr = node->as_array();
        if (arr == nullptr) {
            fail(*node, fmt::format("'{}{}' must be a list of strings", where, key));
        }
        std::vector<std::string> out;
        for (const auto& item : *arr) {
            auto s = item.value_exact<std::string>();
            if (!s) {
                fail(item, fmt::format("'{}{}' must hold only strings", where, key));
            }
            out.push_back(*s);
        }
        return out;
    }

private:
    std::string m_source;
};


} // namespace proxima::detail
