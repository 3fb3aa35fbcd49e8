#pragma once
// Shared by the fuzz targets (fuzz/fuzz_*.cpp): invariant checks that abort with a message, the
// expected-refusal rule for exceptions, and a per-process scratch folder for targets whose
// parser reads a file. Built both with libFuzzer (scripts/fuzz.sh) and without it, into the
// replay tests of the ordinary suite (fuzz/replay_main.cpp, ctest -L fuzz).

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>

#include <unistd.h>

/// Checks an invariant of a parser's result; on failure prints what broke and aborts, which
/// libFuzzer reports as a crash (and saves the input) and which fails the replay test.
#define PROXIMA_FUZZ_CHECK(cond, ...)                                                               \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            std::fprintf(stderr, "proxima-fuzz: invariant failed at %s:%d: %s: ", __FILE__, __LINE__, \
                         #cond);                                                                    \
            std::fprintf(stderr, __VA_ARGS__);                                                      \
            std::fputc('\n', stderr);                                                               \
            std::abort();                                                                           \
        }                                                                                           \
    } while (false)

namespace proxima::fuzz {

/// An exception that is not one of the expected refusals: report it and abort.
[[noreturn]] inline void unexpected_exception(const std::exception& e, const char* parser) {
    std::fprintf(stderr, "proxima-fuzz: %s threw an unexpected exception of type %s: %s\n", parser,
                 typeid(e).name(), e.what());
    std::abort();
}

/// An expected refusal (a proxima::Error): silent, unless PROXIMA_FUZZ_VERBOSE=1 asks to see
/// why an input was refused (e.g. to check that a seed is accepted).
inline void refused(const std::exception& e, const char* parser) {
    static const bool verbose = std::getenv("PROXIMA_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
        std::fprintf(stderr, "proxima-fuzz: %s refused the input: %s\n", parser, e.what());
    }
}

/// An accepted input, reported only with PROXIMA_FUZZ_VERBOSE=1.
inline void accepted(const char* parser) {
    static const bool verbose = std::getenv("PROXIMA_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
        std::fprintf(stderr, "proxima-fuzz: %s accepted the input\n", parser);
    }
}

/// /tmp/proxima-fuzz-<pid>/, created on first use and removed when the process exits normally
/// (a crashing run leaves it behind; scripts/fuzz.sh removes it).
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::filesystem::path d = std::filesystem::path("/tmp") / ("proxima-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::path("/tmp") / ("proxima-fuzz-" + std::to_string(::getpid())),
                                        ec);
        });
        return d;
    }();
    return dir;
}

/// Writes `size` bytes to scratch_dir()/name (truncating) and returns the path.
inline std::filesystem::path write_scratch_file(const std::string& name, const void* data, std::size_t size) {
    const auto path = scratch_dir() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    PROXIMA_FUZZ_CHECK(out.good(), "cannot write scratch file %s", path.c_str());
    return path;
}

} // namespace proxima::fuzz
