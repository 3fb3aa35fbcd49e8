#pragma once
// Internal: what the writers of GeoPackages (layer_writer, qgis_styles) share about SQLite: the
// quoting of names and texts in SQL, and the side files it may make beside a database.

#include <array>
#include <string>
#include <string_view>

namespace proxima::detail {

/// The files SQLite may make beside a database "<path>": "<path>-journal", "-wal", "-shm". A
/// temporary GeoPackage removed on failure takes them with it.
inline constexpr std::array<const char*, 3> sqlite_side_files = {"-journal", "-wal", "-shm"};

/// `text` between `quote`s, each quote in it doubled: an SQL string literal with '\'', an
/// identifier (table or column name) with '"'.
inline std::string sql_quoted(std::string_view text, char quote) {
    std::string out(1, quote);
    for (const char c : text) {
        out += c;
        if (c == quote) {
            out += quote;
        }
    }
    out += quote;
    return out;
}

} // namespace proxima::detail
