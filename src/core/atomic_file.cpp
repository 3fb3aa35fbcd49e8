#include "proxima/core/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/core/temporaries.hpp"

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
    register_temporary(m_tmp);
    m_out.open(m_tmp, std::ios::binary | std::ios::trunc);
    if (!m_out) {
        unregister_temporary(m_tmp);
        throw OutputError(fmt::format("cannot write '{}': {}", m_tmp.string(), std::strerror(errno)));
    }
}

AtomicFile::~AtomicFile() {
    if (!m_committed) {
        m_out.close();
        std::error_code ec;
        std::filesystem::remove(m_tmp, ec);  // never throws: best effort clean-up
        unregister_temporary(m_tmp);
    }
}

void AtomicFile::commit() {
    m_out.flush();
    const bool ok = static_cast<bool>(m_out);
    m_out.close();
    std::error_code ec;
    const auto hold = hold_temporaries();  // an interruption waits for the rename
    m_committed = true;
    unregister_temporary(m_tmp);
    if (!ok || m_out.fail()) {
        std::filesystem::remove(m_tmp, ec);
        throw OutputError(fmt::format("writing '{}' failed (disk full or removed?)", m_target.string()));
    }
    std::filesystem::rename(m_tmp, m_target, ec);
    if (ec) {
        std::filesystem::remove(m_tmp, ec);
        throw OutputError(fmt::format("cannot move the finished output onto '{}': {}", m_target.string(),
                                      ec.message()));
    }
}

OutputStream::OutputStream(const std::filesystem::path& target) {
    if (!is_stdout_name(target)) {
        m_file = std::make_unique<AtomicFile>(target);
    }
}

std::ostream& OutputStream::stream() { return m_file ? static_cast<std::ostream&>(m_file->stream()) : std::cout; }

void OutputStream::commit() {
    if (m_file) {
        m_file->commit();
        return;
    }
    std::cout.flush();
    if (!std::cout) {
        throw OutputError("writing to standard output failed (closed pipe or full disk?)");
    }
}

} // namespace proxima
