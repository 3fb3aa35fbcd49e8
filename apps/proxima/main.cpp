// proxima: accessibility of services to the public, by car, from OpenStreetMap and INSEE data.
// Thin command-line front end: each subcommand parses its options, calls the library and maps
// errors to the exit codes documented in README.md.

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli_common.hpp"
#include "proxima/core/malloc_tuning.hpp"
#include "proxima/core/temporaries.hpp"
#include "proxima/core/version.hpp"

int main(int argc, char** argv) {
    using namespace proxima::cli;
    // Before any thread exists: interruptions remove temporary outputs and exit 130/143.
    proxima::remove_temporaries_on_signals();
    proxima::keep_freed_memory_for_reuse();
    CLI::App app{"Proxima: car travel times to public services, from OpenStreetMap and INSEE data"};
    app.set_version_flag("--version", std::string("proxima ") + proxima::version_string);
    app.require_subcommand(1);
    app.fallthrough();  // --quiet/--verbose are accepted after the subcommand too
    Context context;
    app.add_flag("-q,--quiet", context.quiet, "Print nothing but errors and warnings");
    app.add_flag("-v,--verbose", context.verbose, "Print details, and where in the code an error was raised");
    app.footer("Exit codes: 0 ok, 1 unexpected error, 2 bad command line, 3 bad input file, "
               "4 unusable graph file, 5 invalid setting, 6 output not written, 130/143 interrupted "
               "(SIGINT/SIGTERM; temporary outputs removed).");

    int exit_code = exit_ok;
    add_build_graph_command(app, context, exit_code);
    add_route_command(app, context, exit_code);
    add_table_command(app, context, exit_code);
    add_init_command(app, context, exit_code);
    add_inspect_command(app, context, exit_code);
    add_run_command(app, context, exit_code);
    add_deficit_command(app, context, exit_code);
    add_poles_command(app, context, exit_code);
    add_scenario_command(app, context, exit_code);
    add_site_command(app, context, exit_code);
    add_apl_command(app, context, exit_code);
    add_report_command(app, context, exit_code);
    add_demo_command(app, context, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "proxima: bad command line: " << e.what() << "\nRun 'proxima --help' (or 'proxima SUBCOMMAND "
                     "--help') for the options.\n";
        return exit_usage;
    }
    return exit_code;
}
