#pragma once
// An output file that appears under its final name only when complete: written to a temporary
// name beside the target, renamed by commit(). If commit() is never reached (error, exception,
// interruption), the destructor removes the temporary and the target is untouched.

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>

namespace proxima {

class AtomicFile {
public:
    /// Opens "<target>.tmp-<pid>" for binary writing. Throws OutputError if the folder is missing
    /// or not writable, or if target is an existing folder.
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    [[nodiscard]] std::ofstream& stream() { return m_out; }
    [[nodiscard]] const std::filesystem::path& temporary_path() const { return m_tmp; }
    [[nodiscard]] const std::filesystem::path& target_path() const { return m_target; }

    /// Flushes, closes and renames onto the target (replacing it). Throws OutputError on failure,
    /// leaving no temporary behind.
    void commit();

private:
    std::filesystem::path m_target;
    std::filesystem::path m_tmp;
    std::ofstream m_out;
    bool m_committed = false;
};

/// Where a command writes its one output file: a file written atomically (AtomicFile), or
/// standard output when the name is "-" (the convention of every such command).
class OutputStream {
public:
    explicit OutputStream(const std::filesystem::path& target);
    [[nodiscard]] std::ostream& stream();
    [[nodiscard]] bool is_stdout() const { return !m_file; }
    /// Renames the file into place, or flushes standard output. Throws OutputError.
    void commit();

private:
    std::unique_ptr<AtomicFile> m_file;
};

/// True if `target` names standard output ("-").
[[nodiscard]] inline bool is_stdout_name(const std::filesystem::path& target) { return target == "-"; }

} // namespace proxima
