#include "cli_common.hpp"

#include <charconv>
#include <cmath>
#include <iostream>
#include <new>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/core/threads.hpp"

namespace proxima::cli {

Log Context::log() const {
    const bool q = quiet;
    const bool v = verbose;
    return Log([q, v](LogLevel level, const std::string& message) {
        if (level == LogLevel::warning) {
            std::cerr << "warning: " << message << '\n';
        } else if ((level == LogLevel::info && !q) || (level == LogLevel::debug && v)) {
            std::cerr << message << '\n';
        }
    });
}

std::function<void(double)> Context::progress(const std::string& label) const {
    if (quiet || ::isatty(STDERR_FILENO) == 0) {
        return {};
    }
    return [label, last = -1](double fraction) mutable {
        const int percent = static_cast<int>(fraction * 100);
        if (percent != last) {
            last = percent;
            std::cerr << '\r' << label << ' ' << percent << '%' << std::flush;
        }
    };
}

void Context::finish_progress() const {
    if (!quiet && ::isatty(STDERR_FILENO) != 0) {
        std::cerr << "\r\033[K" << std::flush;
    }
}

void Context::say(const std::string& text) const {
    if (!quiet) {
        std::cerr << text << '\n';
    }
}

void SnapSettings::add_to(CLI::App& cmd) {
    cmd.add_option("--access-speed-kmh", access_kmh, "Speed of the off-network leg to/from the road (km/h)")
        ->capture_default_str();
    cmd.add_option("--max-snap-m", max_snap_m, "Refuse points farther than this from any road (metres)")
        ->capture_default_str();
}

void SnapSettings::check() const {
    if (!(access_kmh > 0) || !(max_snap_m >= 0)) {
        throw ConfigError("--access-speed-kmh must be > 0 and --max-snap-m >= 0");
    }
}

void add_csv_dialect_option(CLI::App& cmd, std::string& text) {
    cmd.add_option("--csv-dialect", text,
                   "CSV tables for GIS tools ('gis': ',' separated, '.' decimal; the default) or for a French "
                   "spreadsheet ('fr': ';' separated, ',' decimal, UTF-8 with BOM)");
}

void add_threads_option(CLI::App& cmd, int& threads, const std::string& what) {
    cmd.add_option("--threads", threads,
                   fmt::format("Threads for {} (default 0: all {} processors; more than that is capped)", what,
                               processor_count()))
        ->check(CLI::NonNegativeNumber);
}

int checked_threads(int requested, const Context& context) {
    const int used = thread_count(requested);
    use_threads_by_default(used);
    if (requested > used) {
        context.say(fmt::format("--threads {}: this machine has {} processors; using {}", requested,
                                processor_count(), used));
    }
    return used;
}

LonLat parse_lonlat(const std::string& text, const std::string& what) {
    const auto comma = text.find(',');
    auto number = [&](std::string_view s) -> std::optional<double> {
        double v = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
            return std::nullopt;
        }
        return v;
    };
    if (comma != std::string::npos) {
        const auto lon = number(std::string_view(text).substr(0, comma));
        const auto lat = number(std::string_view(text).substr(comma + 1));
        if (lon && lat) {
            if (*lon < -180 || *lon > 180 || *lat < -90 || *lat > 90) {
                throw ConfigError(fmt::format("{} '{}' is outside WGS84 range (lon in [-180, 180], lat in [-90, 90]); "
                                              "give LON,LAT in degrees",
                                              what, text));
            }
            return {*lon, *lat};
        }
    }
    throw ConfigError(fmt::format("{} '{}' is not LON,LAT in degrees (e.g. 1.5218,42.5063)", what, text));
}

int guarded(const Context& context, const std::function<void()>& body) {
    auto report = [&](const Error& e, const char* kind, int code) {
        context.finish_progress();
        std::cerr << "proxima: " << kind << ": " << e.what() << '\n';
        if (context.verbose) {
            std::cerr << "  (raised at " << e.where() << ")\n";
        }
        return code;
    };
    try {
        body();
        return exit_ok;
    } catch (const InputError& e) {
        return report(e, "input error", exit_input);
    } catch (const CacheError& e) {
        return report(e, "graph file error", exit_cache);
    } catch (const ConfigError& e) {
        return report(e, "invalid setting", exit_config);
    } catch (const OutputError& e) {
        return report(e, "cannot write output", exit_output);
    } catch (const Error& e) {
        return report(e, "error", exit_internal);
    } catch (const std::bad_alloc&) {
        context.finish_progress();
        std::cerr << "proxima: out of memory; try a smaller extract or a machine with more memory\n";
        return exit_internal;
    } catch (const std::exception& e) {
        context.finish_progress();
        std::cerr << "proxima: unexpected error (please report it): " << e.what() << '\n';
        return exit_internal;
    }
}

} // namespace proxima::cli
