#include "proxima/core/temporaries.hpp"

#include <csignal>
#include <cstdio>
#include <set>
#include <thread>
#include <unistd.h>

namespace proxima {

namespace {

std::recursive_mutex& registry_mutex() {
    static std::recursive_mutex m;
    return m;
}

std::set<std::filesystem::path>& registry() {
    static std::set<std::filesystem::path> paths;
    return paths;
}

const char* signal_name(int sig) {
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

} // namespace

void register_temporary(const std::filesystem::path& path) {
    const std::lock_guard lock(registry_mutex());
    registry().insert(path);
}

void unregister_temporary(const std::filesystem::path& path) {
    const std::lock_guard lock(registry_mutex());
    registry().erase(path);
}

std::unique_lock<std::recursive_mutex> hold_temporaries() { return std::unique_lock(registry_mutex()); }

void remove_temporaries_on_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
        return;  // signals keep their default action: no clean-up, but no harm either
    }
    // An ordinary thread, not a signal handler: it may take locks and remove folders.
    std::thread([set] {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) {
            return;
        }
        std::size_t removed = 0;
        {
            const std::lock_guard lock(registry_mutex());
            for (const auto& path : registry()) {
                std::error_code ec;
                std::filesystem::remove_all(path, ec);
                removed += ec ? 0 : 1;
            }
        }
        std::fprintf(stderr, "\nproxima: interrupted (%s); %zu temporary output%s removed, nothing half-written left\n",
                     signal_name(sig), removed, removed == 1 ? "" : "s");
        std::fflush(stderr);
        ::_exit(128 + sig);
    }).detach();
}

} // namespace proxima
