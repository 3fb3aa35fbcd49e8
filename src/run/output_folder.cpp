#include "proxima/run/output_folder.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/temporaries.hpp"
#include "proxima/core/version.hpp"

namespace proxima {

namespace {

std::filesystem::path absolute_path(const std::filesystem::path& p) {
    std::error_code ec;
    auto out = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
    return ec ? std::filesystem::absolute(p) : out;
}

/// True if `inner` is `outer` or lies inside it (both absolute and normalised).
bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
    auto i = inner.begin();
    for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
        if (o->empty()) {
            continue;  // trailing separator
        }
        if (i == inner.end() || *i != *o) {
            return false;
        }
    }
    return true;
}

/// Refuses a destination whose replacement would delete what the user did not ask to replace.
void check_destination(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& inputs) {
    const auto target = absolute_path(dir);
    auto refuse = [&](const std::string& why) {
        throw OutputError(fmt::format("output folder '{}' {}: replacing it would delete it; choose another -o (a "
                                      "new folder, e.g. '{}')",
                                      dir.string(), why, (dir.parent_path() / "proxima-results").string()));
    };
    if (target == target.root_path()) {
        refuse("is the root of the file system");
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0' && is_within(absolute_path(home), target)) {
        refuse("is your home folder or holds it");
    }
    if (is_within(absolute_path(std::filesystem::current_path()), target)) {
        refuse("is the current folder or holds it");
    }
    for (const auto& input : inputs) {
        if (!input.empty() && is_within(absolute_path(input), target)) {
            refuse(fmt::format("holds an input of the study ('{}')", input.string()));
        }
    }
}

/// Removes what earlier runs into `dir` left behind, and puts back results parked by a run that
/// died between its two renames. Called with the destination's lock held, so no live process
/// owns these names.
void clean_leftovers(const std::filesystem::path& dir) {
    const auto parent = dir.has_parent_path() ? dir.parent_path() : std::filesystem::path(".");
    const std::string name = dir.filename().string();
    const std::string own = fmt::format(".tmp-{}", ::getpid());
    std::vector<std::filesystem::path> tmp;
    std::vector<std::filesystem::path> old;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
        const std::string f = entry.path().filename().string();
        if (f.size() <= name.size() || f.compare(0, name.size(), name) != 0) {
            continue;
        }
        const std::string suffix = f.substr(name.size());
        const auto digits = [&](std::size_t from) {
            return suffix.size() > from && suffix.find_first_not_of("0123456789", from) == std::string::npos;
        };
        if (suffix.rfind(".tmp-", 0) == 0 && digits(5) && suffix != own) {
            tmp.push_back(entry.path());
        } else if (suffix.rfind(".old-", 0) == 0 && digits(5)) {
            old.push_back(entry.path());
        }
    }
    std::sort(old.begin(), old.end());
    for (const auto& p : old) {
        if (!std::filesystem::exists(dir, ec)) {
            std::filesystem::rename(p, dir, ec);  // the previous results, back in place
        } else {
            std::filesystem::remove_all(p, ec);
        }
    }
    for (const auto& p : tmp) {
        std::filesystem::remove_all(p, ec);
    }
}

} // namespace

std::vector<std::filesystem::path> files_of_study(const StudyFile& study) {
    std::vector<std::filesystem::path> out;
    for (const auto& [what, path] : study_input_files(study)) {
        out.push_back(path);
    }
    if (!study.network.graph.empty()) {
        out.push_back(study.network.graph);
    }
    return out;
}

bool is_proxima_output(const std::filesystem::path& dir) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / output_marker_name, ec)) {
        return true;
    }
    // Folders written before the marker existed: a manifest that Proxima wrote.
    for (const char* manifest : {"run.json", "scenario.json", "siting.json"}) {
        const auto p = dir / manifest;
        if (std::filesystem::is_regular_file(p, ec)) {
            std::ifstream in(p);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (text.find("\"proxima_version\"") != std::string::npos) {
                return true;
            }
        }
    }
    return false;
}

OutputFolder::OutputFolder(std::filesystem::path dir, bool force, const std::vector<std::filesystem::path>& inputs,
                           const std::string& job)
    : m_dir(std::move(dir)) {
    try {
        prepare(force, inputs, job);
    } catch (...) {
        release();  // a constructor that throws runs no destructor
        throw;
    }
}

void OutputFolder::prepare(bool force, const std::vector<std::filesystem::path>& inputs, const std::string& job) {
    if (m_dir.empty() || is_stdout_name(m_dir)) {
        throw OutputError("the output is a folder: give its name with -o (standard output, '-', cannot hold it)");
    }
    while (!m_dir.has_filename() && m_dir.has_relative_path()) {
        m_dir = m_dir.parent_path();  // "out/" is "out"
    }
    check_destination(m_dir, inputs);
    std::error_code ec;
    const auto parent = m_dir.has_parent_path() ? m_dir.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(parent, ec);
    if (ec) {
        throw OutputError(fmt::format("cannot create folder '{}': {}", parent.string(), ec.message()));
    }

    // One writer per destination, for the whole job.
    m_lock_path = m_dir;
    m_lock_path += ".lock";
    m_lock_fd = ::open(m_lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_lock_fd < 0) {
        throw OutputError(fmt::format("cannot write in '{}': {}", parent.string(), std::strerror(errno)));
    }
    if (::flock(m_lock_fd, LOCK_EX | LOCK_NB) != 0) {
        std::string holder(32, '\0');
        const auto n = ::pread(m_lock_fd, holder.data(), holder.size(), 0);
        holder.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        ::close(m_lock_fd);
        m_lock_fd = -1;
        throw OutputError(fmt::format("another proxima process{} is writing '{}' right now: wait for it to finish, "
                                      "or choose another -o",
                                      holder.empty() ? "" : fmt::format(" (pid {})", holder), m_dir.string()));
    }
    register_temporary(m_lock_path);
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(m_lock_fd, 0) == 0) {
        [[maybe_unused]] const auto written = ::pwrite(m_lock_fd, pid.data(), pid.size(), 0);
    }
    clean_leftovers(m_dir);

    if (std::filesystem::exists(m_dir, ec)) {
        if (!std::filesystem::is_directory(m_dir, ec)) {
            throw OutputError(fmt::format("output '{}' is a file, not a folder: choose another -o", m_dir.string()));
        }
        if (!force) {
            throw OutputError(fmt::format("output folder '{}' already exists: use --force to replace it, or choose "
                                          "another -o",
                                          m_dir.string()));
        }
        if (!is_proxima_output(m_dir) && !std::filesystem::is_empty(m_dir, ec)) {
            throw OutputError(fmt::format("output folder '{}' exists and is not a Proxima result (no {} file, no "
                                          "run.json): --force replaces only previous results; choose another -o",
                                          m_dir.string(), output_marker_name));
        }
    }
    m_tmp = m_dir;
    m_tmp += fmt::format(".tmp-{}", ::getpid());
    register_temporary(m_tmp);
    std::filesystem::remove_all(m_tmp, ec);
    std::filesystem::create_directory(m_tmp, ec);
    if (ec) {
        throw OutputError(fmt::format("cannot write in '{}': {}", parent.string(), ec.message()));
    }
    std::ofstream marker(m_tmp / output_marker_name);
    marker << fmt::format("Written by Proxima {} ({}). `proxima {} --force` may replace this folder.\n",
                          version_string, job, job);
    if (!marker) {
        throw OutputError(fmt::format("cannot write in '{}'", m_tmp.string()));
    }
}

void OutputFolder::release() noexcept {
    std::error_code ec;
    if (!m_committed && !m_tmp.empty()) {
        std::filesystem::remove_all(m_tmp, ec);
        unregister_temporary(m_tmp);
    }
    if (m_lock_fd >= 0) {
        ::unlink(m_lock_path.c_str());
        ::close(m_lock_fd);
        m_lock_fd = -1;
        unregister_temporary(m_lock_path);
    }
}

OutputFolder::~OutputFolder() { release(); }

void OutputFolder::commit() {
    const auto hold = hold_temporaries();  // an interruption waits until the results are in place
    std::error_code ec;
    if (std::filesystem::exists(m_dir, ec)) {
        // One atomic step: the destination holds the old or the new results, never neither.
        if (::renameat2(AT_FDCWD, m_tmp.c_str(), AT_FDCWD, m_dir.c_str(), RENAME_EXCHANGE) == 0) {
            m_committed = true;
            std::filesystem::remove_all(m_tmp, ec);  // now the previous results
            unregister_temporary(m_tmp);
            return;
        }
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
            throw OutputError(fmt::format("cannot replace '{}': {}", m_dir.string(), std::strerror(errno)));
        }
        // No exchange on this file system: park the old results where the next run finds them.
        std::filesystem::path old = m_dir;
        old += fmt::format(".old-{}", ::getpid());
        std::filesystem::rename(m_dir, old, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot replace '{}': {}", m_dir.string(), ec.message()));
        }
        std::filesystem::rename(m_tmp, m_dir, ec);
        if (ec) {
            std::error_code undo;
            std::filesystem::rename(old, m_dir, undo);  // put the previous results back
            throw OutputError(fmt::format("cannot move the results into '{}': {}", m_dir.string(), ec.message()));
        }
        m_committed = true;
        unregister_temporary(m_tmp);
        std::filesystem::remove_all(old, ec);
        return;
    }
    if (::renameat2(AT_FDCWD, m_tmp.c_str(), AT_FDCWD, m_dir.c_str(), RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST || errno == ENOTEMPTY) {
            throw OutputError(fmt::format("'{}' appeared while this job ran (written by another program?): it is "
                                          "left as it is; run again with --force to replace it",
                                          m_dir.string()));
        }
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
            throw OutputError(fmt::format("cannot move the results into '{}': {}", m_dir.string(),
                                          std::strerror(errno)));
        }
        std::filesystem::rename(m_tmp, m_dir, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot move the results into '{}': {}", m_dir.string(), ec.message()));
        }
    }
    m_committed = true;
    unregister_temporary(m_tmp);
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

FieldValue text_or_null(const std::string& text) {
    return text.empty() ? FieldValue(std::monostate{}) : FieldValue(text);
}

} // namespace proxima
