#include "proxima/core/log.hpp"

#include <chrono>

namespace proxima {

void Log::emit(LogLevel level, const std::string& message) const {
    if (m_sink) {
        m_sink(level, message);
    }
}

namespace {
long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

Stopwatch::Stopwatch() : m_start_ns(now_ns()) {}
double Stopwatch::seconds() const { return static_cast<double>(now_ns() - m_start_ns) * 1e-9; }
void Stopwatch::restart() { m_start_ns = now_ns(); }

} // namespace proxima
