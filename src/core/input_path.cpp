#include "proxima/core/input_path.hpp"

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

} // namespace proxima
