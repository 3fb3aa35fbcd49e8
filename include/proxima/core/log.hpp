#pragma once
// The library never prints: it reports through a Log passed in by the caller (the CLI prints to
// stderr, tests may collect or discard). Coarse-grained: one call per phase or per file, never
// inside hot loops.

#include <functional>
#include <string>

namespace proxima {

enum class LogLevel { debug, info, warning };

class Log {
public:
    using Sink = std::function<void(LogLevel, const std::string&)>;

    /// A log that discards everything.
    Log() = default;
    explicit Log(Sink sink) : m_sink(std::move(sink)) {}

    void debug(const std::string& message) const { emit(LogLevel::debug, message); }
    void info(const std::string& message) const { emit(LogLevel::info, message); }
    void warning(const std::string& message) const { emit(LogLevel::warning, message); }

private:
    void emit(LogLevel level, const std::string& message) const;
    Sink m_sink;
};

/// Wall-clock stopwatch in seconds, for phase timings.
class Stopwatch {
public:
    Stopwatch();
    [[nodiscard]] double seconds() const;
    void restart();

private:
    long long m_start_ns;
};

} // namespace proxima
