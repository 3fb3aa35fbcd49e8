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
    static constexpr std::array<Signature, 8> signatures{{
        {std::string_view("PXGRAPH\0", 8), 0, "a Proxima graph file (proxima build-graph)"},
        {"OSMHeader", 6, "an OSM extract (.osm.pbf)"},
        {std::string_view("SQLite format 3\0", 16), 0, "an SQLite database or GeoPackage"},
        {"PK\x03\x04", 0, "a ZIP archive or workbook (.xlsx)"},
        {"\x89PNG", 0, "a PNG image"},
        {"%PDF", 0, "a PDF document"},
        {std::string_view("II*\0", 4), 0, "a TIFF image"},
        {std::string_view("MM\0*", 4), 0, "a TIFF image"},
    }};
    for (const auto& s : signatures) {
        if (head.size() >= s.offset + s.bytes.size() && head.substr(s.offset, s.bytes.size()) == s.bytes) {
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
        throw InputError(fmt::format("{} '{}' is {}, not a TOML text: pass the {} instead (e.g. {})", what,
                                     path.string(), kind, what, example));
    }
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_settings_file_bytes) {
        throw InputError(fmt::format("{} '{}' is {:.1f} MB: a {} is a TOML text of a few kB; check that this is the "
                                     "right file (e.g. {})",
                                     what, path.string(), static_cast<double>(size) / 1e6, what, example));
    }
    in.clear();
    in.seekg(0);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace proxima
