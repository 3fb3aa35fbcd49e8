#include "proxima/core/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

AtomicFile::AtomicFile(std::filesystem::path target) : m_target(std::move(target)) {
    std::error_code ec;
    if (std::filesystem::is_directory(m_target, ec)) {
        throw OutputError(fmt::format("cannot write '{}': it is a folder; give a file name",
                                      m_target.string()));
    }
    // Replacing a device, FIFO or socket by a regular file would be a disaster (think /dev/null).
    if (std::filesystem::exists(m_target, ec) && !std::filesystem::is_regular_file(m_target, ec)) {
        throw OutputError(fmt::format("cannot write '{}': it exists and is not a regular file; choose another name",
                                      m_target.string()));
    }
    auto parent = m_target.parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
        throw OutputError(fmt::format("cannot write '{}': folder '{}' does not exist; create it first",
                                      m_target.string(), parent.string()));
    }
    m_tmp = m_target;
    m_tmp += fmt::format(".tmp-{}", ::getpid());
    m_out.open(m_tmp, std::ios::binary | std::ios::trunc);
    if (!m_out) {
        throw OutputError(fmt::format("cannot write '{}': {}", m_tmp.string(), std::strerror(errno)));
    }
}

AtomicFile::~AtomicFile() {
    if (!m_committed) {
        m_out.close();
        std::error_code ec;
        std::filesystem::remove(m_tmp, ec);  // never throws: best effort clean-up
    }
}

void AtomicFile::commit() {
    m_out.flush();
    const bool ok = static_cast<bool>(m_out);
    m_out.close();
    std::error_code ec;
    if (!ok || m_out.fail()) {
        std::filesystem::remove(m_tmp, ec);
        m_committed = true;
        throw OutputError(fmt::format("writing '{}' failed (disk full or removed?)", m_target.string()));
    }
    std::filesystem::rename(m_tmp, m_target, ec);
    if (ec) {
        std::filesystem::remove(m_tmp, ec);
        m_committed = true;
        throw OutputError(fmt::format("cannot move the finished output onto '{}': {}", m_target.string(),
                                      ec.message()));
    }
    m_committed = true;
}

} // namespace proxima
