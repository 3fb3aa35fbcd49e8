#include "proxima/core/input_path.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

void require_input_file(const std::filesystem::path& path, const std::string& what) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        throw InputError(fmt::format("{} '{}' does not exist; check the path (relative paths in a study file are "
                                     "relative to the study file)",
                                     what, path.string()));
    }
    if (std::filesystem::is_directory(status)) {
        throw InputError(fmt::format("{} '{}' is a folder; give the path of a file in it", what, path.string()));
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw InputError(fmt::format("{} '{}' is not a regular file (a device, a pipe or a socket): Proxima reads "
                                     "its inputs twice (checksum, then content) and needs a file; copy the data "
                                     "into one",
                                     what, path.string()));
    }
}

namespace {

/// What a file is, from its first bytes, for the kinds a user may pass by mistake; empty if none.
std::string_view kind_of(std::string_view head) {
    struct Signature {
        std::string_view bytes;
        std::size_t offset;
        std::string_view kind;
    };
    // Each holds a byte TOML text cannot (NUL, a control byte, invalid UTF-8) or starts with '%':
    // no TOML file is refused by them.
    static constexpr std::array<Signature, 7> signatures{{
        {std::string_view("PXGRAPH\0", 8), 0, "a Proxima graph file (proxima build-graph)"},
        {std::string_view("SQLite format 3\0", 16), 0, "an SQLite database or GeoPackage"},
        {"PK\x03\x04", 0, "a ZIP archive or workbook (.xlsx)"},
        {"\x89PNG", 0, "a PNG image"},
        {"%PDF", 0, "a PDF document"},
        {std::string_view("II*\0", 4), 0, "a TIFF image"},
        {std::string_view("MM\0*", 4), 0, "a TIFF image"},
    }};
    auto matches = [&](std::string_view bytes, std::size_t offset) {
        return head.size() >= offset + bytes.size() && head.substr(offset, bytes.size()) == bytes;
    };
    // An OSM PBF starts with its first blob header's length (4 bytes, big-endian: the first two
    // are zero) and that header's type field, "OSMHeader".
    if (matches(std::string_view("\0\0", 2), 0) && matches("\x0a\x09OSMHeader", 4)) {
        return "an OSM extract (.osm.pbf)";
    }
    for (const auto& s : signatures) {
        if (matches(s.bytes, s.offset)) {
            return s.kind;
        }
    }
    return {};
}

} // namespace

std::string read_settings_file(const std::filesystem::path& path, const std::string& what,
                               const std::string& example) {
    require_input_file(path, what);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(fmt::format("cannot open {} '{}': {}", what, path.string(), std::strerror(errno)));
    }
    std::array<char, 32> head{};
    in.read(head.data(), head.size());
    const std::string_view kind = kind_of(std::string_view(head.data(), static_cast<std::size_t>(in.gcount())));
    if (!kind.empty()) {
        throw InputError(fmt::format("{} '{}' is {}, not a TOML text: give a {} (TOML) instead, e.g. {}", what,
                                     path.string(), kind, what, example));
    }
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_settings_file_bytes) {
        throw InputError(fmt::format("{} '{}' is {:.1f} MiB, more than the {} MiB a settings file may have (a {} "
                                     "is a TOML text of a few kB): check that this is the right file, e.g. {}",
                                     what, path.string(), static_cast<double>(size) / (1U << 20),
                                     max_settings_file_bytes >> 20, what, example));
    }
    in.clear();
    in.seekg(0);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace proxima
