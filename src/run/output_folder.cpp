#include "proxima/run/output_folder.hpp"

#include <cmath>
#include <cstring>
#include <unistd.h>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

OutputFolder::OutputFolder(std::filesystem::path dir, bool force) : m_dir(std::move(dir)) {
    std::error_code ec;
    if (std::filesystem::exists(m_dir, ec)) {
        if (!std::filesystem::is_directory(m_dir, ec)) {
            throw OutputError(fmt::format("output '{}' is a file, not a folder: choose another -o", m_dir.string()));
        }
        if (!force) {
            throw OutputError(fmt::format("output folder '{}' already exists: use --force to replace it, or choose "
                                          "another -o",
                                          m_dir.string()));
        }
    }
    const auto parent = m_dir.has_parent_path() ? m_dir.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(parent, ec);
    if (ec) {
        throw OutputError(fmt::format("cannot create folder '{}': {}", parent.string(), ec.message()));
    }
    m_tmp = m_dir;
    m_tmp += fmt::format(".tmp-{}", ::getpid());
    std::filesystem::remove_all(m_tmp, ec);
    std::filesystem::create_directory(m_tmp, ec);
    if (ec) {
        throw OutputError(fmt::format("cannot write in '{}': {}", parent.string(), ec.message()));
    }
}

OutputFolder::~OutputFolder() {
    if (!m_committed) {
        std::error_code ec;
        std::filesystem::remove_all(m_tmp, ec);
    }
}

void OutputFolder::commit() {
    std::error_code ec;
    std::filesystem::path old;
    if (std::filesystem::exists(m_dir, ec)) {
        old = m_dir;
        old += fmt::format(".old-{}", ::getpid());
        std::filesystem::rename(m_dir, old, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot replace '{}': {}", m_dir.string(), ec.message()));
        }
    }
    std::filesystem::rename(m_tmp, m_dir, ec);
    if (ec) {
        if (!old.empty()) {
            std::filesystem::rename(old, m_dir, ec);  // put the previous results back
        }
        throw OutputError(fmt::format("cannot move the results into '{}': {}", m_dir.string(), ec.message()));
    }
    m_committed = true;
    if (!old.empty()) {
        std::filesystem::remove_all(old, ec);
    }
}

std::vector<unsigned char> point_wkb(LonLat p) {
    std::vector<unsigned char> wkb(21);
    wkb[0] = 1;  // NDR (the graph cache already requires a little-endian machine)
    const std::uint32_t type = 1;  // Point
    std::memcpy(wkb.data() + 1, &type, 4);
    std::memcpy(wkb.data() + 5, &p.lon, 8);
    std::memcpy(wkb.data() + 13, &p.lat, 8);
    return wkb;
}

FieldValue rounded(std::optional<double> v, double step) {
    if (!v) {
        return std::monostate{};
    }
    const double inverse = std::round(1.0 / step);
    return std::round(*v * inverse) / inverse;
}

} // namespace proxima
