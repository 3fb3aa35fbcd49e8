// proxima init --departement 48 --osm REGION.osm.pbf --admin-express COMMUNE.shp [--bpe FILE]
//              [--filosofi FILE] [--services LIST] [--codes LIST] [--buffer-km 30] -o STUDY.toml

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/run/init_study.hpp"

namespace proxima::cli {

void add_init_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("init", "Write a study of one département from the files as published: the "
                                           "extract cut to it, its communes, its services");
    auto opt = std::make_shared<InitOptions>();
    auto services = std::make_shared<std::string>();
    auto codes = std::make_shared<std::string>();
    cmd->add_option("--departement", opt->departement, "INSEE code of the département: 01 to 95, 2A, 2B, 971 to 976")
        ->required();
    cmd->add_option("--osm", opt->osm, "OpenStreetMap extract holding it (e.g. Geofabrik's région .osm.pbf)")
        ->required();
    cmd->add_option("--admin-express", opt->admin_express,
                    "IGN ADMIN EXPRESS (or COG CARTO) communes: COMMUNE.shp, or the GeoPackage")
        ->required();
    cmd->add_option("--bpe", opt->bpe, "INSEE BPE geolocated file (bpe21_ensemble_xy.csv, BPE23+ CSV); its rows in "
                                       "the département + buffer are written next to the study");
    cmd->add_option("--filosofi", opt->filosofi, "INSEE Filosofi grid (carreaux 200 m or 1 km, CSV or GeoPackage): "
                                                 "population by cell instead of ADMIN EXPRESS's POPULATION");
    cmd->add_option("--services", *services,
                    fmt::format("Services of the catalogue, comma-separated (default: {})",
                                fmt::join(default_init_services(), ",")));
    cmd->add_option("--codes", *codes, "Communes to study, comma-separated INSEE codes (default: every commune "
                                       "of the département the extract holds whole)");
    cmd->add_option("--buffer-km", opt->buffer_km, "Margin around the département kept in the extract, km "
                                                   "(default 30: trips and services across its border)");
    cmd->add_option("-o,--output", opt->study, "Study file to write (.toml); the cut extract, STEM.osm.pbf, and "
                                               "the BPE kept, STEM-bpe.csv, are written beside it")
        ->required();
    cmd->add_flag("--force", opt->force, "Replace the study, its extract and BPE if they exist");
    cmd->callback([&context, &exit_code, opt, services, codes] {
        exit_code = guarded(context, [&] {
            const auto split = [](const std::string& text) {
                std::vector<std::string> out;
                std::string item;
                for (const char c : text + ",") {
                    if (c == ',') {
                        if (!item.empty()) {
                            out.push_back(item);
                        }
                        item.clear();
                    } else if (c != ' ') {
                        item += c;
                    }
                }
                return out;
            };
            opt->services = split(*services);
            opt->codes = split(*codes);
            opt->progress = context.progress("cutting the extract");
            const InitResult r = init_study(*opt, context.log());
            context.finish_progress();
            context.say(fmt::format(
                "Département {}: {} of its {} communes in the study ({} left out, listed in the study)",
                opt->departement, r.codes.size(), r.communes_in_departement, r.left_out.size()));
            context.say(fmt::format("  extract cut to the département + {:g} km: {} ({:.1f} MiB, from {:.1f} MiB): "
                                    "{} nodes, {} ways, {} relations ({} turn restrictions)",
                                    opt->buffer_km, r.extract.string(), static_cast<double>(r.extract_bytes) / (1 << 20),
                                    static_cast<double>(r.input_bytes) / (1 << 20), r.cut.nodes_written,
                                    r.cut.ways_written, r.cut.relations_written, r.cut.restrictions_written));
            if (!r.bpe.empty()) {
                context.say(fmt::format("  BPE rows kept: {} -> {}", r.bpe_rows_kept, r.bpe.string()));
            }
            if (r.grid != opt->filosofi) {
                context.say(fmt::format("  Filosofi cells in the study's communes: {} -> {}", r.grid_cells_kept,
                                        r.grid.string()));
            }
            context.say(fmt::format("  services: {}{}{}", fmt::join(r.services, ", "),
                                    r.services_out.empty() ? "" : "; left out: ", fmt::join(r.services_out, "; ")));
            context.say(fmt::format("  CRS: {}", r.crs));
            context.say(fmt::format("Written: {}. Next: proxima inspect {}", r.study.string(), r.study.string()));
        });
    });
}

} // namespace proxima::cli
