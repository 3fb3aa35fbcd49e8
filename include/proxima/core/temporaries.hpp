#pragma once
// Temporary outputs that must not outlive an interruption. Outputs are built under temporary
// names (AtomicFile, OutputFolder) and renamed when complete; destructors remove them on errors,
// but SIGINT/SIGTERM end the process without running destructors. Every temporary path is
// registered here while it exists; a program that calls remove_temporaries_on_signals() at start
// has a watcher thread that, on SIGINT, SIGTERM or SIGHUP, removes the registered paths and exits
// with 128 + the signal number (130 for SIGINT, 143 for SIGTERM).

#include <filesystem>
#include <mutex>

namespace proxima {

/// Registers a file or folder to remove if the process is interrupted. Thread-safe.
void register_temporary(const std::filesystem::path& path);
/// Forgets it (it was renamed into place or removed). Thread-safe.
void unregister_temporary(const std::filesystem::path& path);

/// Held while outputs are moved into place, so that an interruption waits for the renames to
/// finish instead of cutting them in half.
[[nodiscard]] std::unique_lock<std::recursive_mutex> hold_temporaries();

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread (and so in every thread started after) and
/// starts the watcher. Call once, first thing in main(), before any thread exists.
void remove_temporaries_on_signals();

} // namespace proxima
