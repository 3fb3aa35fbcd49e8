#pragma once
// Shared pieces of the proxima subcommands: logging to stderr, progress on a terminal, exit codes.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "proxima/core/log.hpp"
#include "proxima/graph/ids.hpp"

namespace proxima::cli {

/// Documented exit codes (README "Exit codes").
enum ExitCode : int {
    exit_ok = 0,
    exit_internal = 1,   ///< unexpected failure (a bug): please report
    exit_usage = 2,      ///< bad command line
    exit_input = 3,      ///< an input file is missing, unreadable or invalid
    exit_cache = 4,      ///< graph cache unusable (foreign, old format, corrupt, stale)
    exit_config = 5,     ///< invalid profile or parameter value
    exit_output = 6,     ///< an output could not be written
};

struct Context {
    bool quiet = false;
    bool verbose = false;

    /// Messages to stderr: info unless --quiet, debug only with --verbose, warnings always.
    [[nodiscard]] Log log() const;
    /// A progress callback drawing "label 42%" on stderr when it is a terminal and not --quiet;
    /// empty otherwise. Call finish_progress() afterwards.
    [[nodiscard]] std::function<void(double)> progress(const std::string& label) const;
    void finish_progress() const;
    /// Prints a line to stderr unless --quiet.
    void say(const std::string& text) const;
};

/// Options of the commands that snap points onto the graph (route, table).
struct SnapSettings {
    double access_kmh = 15.0;
    double max_snap_m = 1000.0;
    /// Registers --access-speed-kmh and --max-snap-m on `cmd`.
    void add_to(CLI::App& cmd);
    /// Throws ConfigError for values out of range.
    void check() const;
};

/// Registers --threads (0: all processors; at most max_threads_option) on `cmd`.
void add_threads_option(CLI::App& cmd, int& threads, const std::string& what = "the searches");
/// --csv-dialect gis|fr (report/layer_writer.hpp), into `text`; parse it with parse_csv_dialect().
void add_csv_dialect_option(CLI::App& cmd, std::string& text);
/// The thread count to use for the --threads given: capped at the processors, with a note when
/// it is.
[[nodiscard]] int checked_threads(int requested, const Context& context);

/// Parses "LON,LAT" in WGS84 degrees; throws ConfigError naming `what` if malformed.
[[nodiscard]] LonLat parse_lonlat(const std::string& text, const std::string& what);

void add_build_graph_command(CLI::App& app, Context& context, int& exit_code);
void add_route_command(CLI::App& app, Context& context, int& exit_code);
void add_table_command(CLI::App& app, Context& context, int& exit_code);
void add_inspect_command(CLI::App& app, Context& context, int& exit_code);
void add_init_command(CLI::App& app, Context& context, int& exit_code);
void add_run_command(CLI::App& app, Context& context, int& exit_code);
void add_deficit_command(CLI::App& app, Context& context, int& exit_code);
void add_demo_command(CLI::App& app, Context& context, int& exit_code);
void add_poles_command(CLI::App& app, Context& context, int& exit_code);
void add_report_command(CLI::App& app, Context& context, int& exit_code);
void add_scenario_command(CLI::App& app, Context& context, int& exit_code);
void add_site_command(CLI::App& app, Context& context, int& exit_code);
void add_apl_command(CLI::App& app, Context& context, int& exit_code);

/// Runs `body`, mapping Proxima exceptions to exit codes and printing the message on stderr.
int guarded(const Context& context, const std::function<void()>& body);

} // namespace proxima::cli
