// proxima init: from the files as published to a study that inspect and run accept as written.

#include "proxima/run/init_study.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "core/geos_context.hpp"
#include "core/geos_reproject.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/temporaries.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima/study/study_writer.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {
namespace {

using detail::Geos;

/// The département of a commune code: 3 characters overseas (97x), else 2 (2A, 2B included).
std::string departement_of(const std::string& code) {
    const bool overseas = code.size() >= 3 && code[0] == '9' && (code[1] == '7' || code[1] == '8');
    return code.substr(0, overseas ? 3 : 2);
}

/// The path of `target` relative to the folder of the study, with '/' separators.
std::string relative_to_study(const std::filesystem::path& target, const std::filesystem::path& study) {
    const auto folder = std::filesystem::absolute(study).parent_path();
    return std::filesystem::relative(std::filesystem::absolute(target), folder).generic_string();
}

/// Refuses to replace an existing output without --force, and an output that is an input.
void check_output(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs, bool force,
                  const std::string& what) {
    std::error_code ec;
    for (const auto& in : inputs) {
        if (!in.empty() && std::filesystem::equivalent(in, out, ec)) {
            throw OutputError(fmt::format("{} '{}' would replace the input '{}': give another study name (-o)", what,
                                          out.string(), in.string()));
        }
    }
    if (std::filesystem::exists(out, ec) && !force) {
        throw OutputError(fmt::format("{} '{}' exists: add --force to replace it, or give another study name (-o)",
                                      what, out.string()));
    }
    if (std::filesystem::is_directory(out, ec)) {
        throw OutputError(fmt::format("{} '{}' is a folder: give a file name", what, out.string()));
    }
    const auto folder = std::filesystem::absolute(out).parent_path();
    if (!std::filesystem::is_directory(folder, ec)) {
        throw OutputError(fmt::format("{} '{}': the folder {} does not exist; create it first (mkdir -p {})", what,
                                      out.string(), folder.string(), folder.string()));
    }
}

/// The communes of the département, in code order. Throws InputError listing the départements
/// the file holds when it has none of this one.
std::vector<Zone> departement_communes(const ZoneLayer& layer, const std::string& departement) {
    std::vector<Zone> out;
    std::set<std::string> present;
    for (const auto& z : layer.zones) {
        const std::string dep = departement_of(z.code);
        present.insert(dep);
        if (dep == departement) {
            out.push_back(z);
        }
    }
    if (out.empty()) {
        std::vector<std::string> deps(present.begin(), present.end());
        const std::size_t shown = std::min<std::size_t>(deps.size(), 20);
        throw InputError(fmt::format("ADMIN EXPRESS file '{}' holds no commune of département {} (its communes are "
                                     "in {}{}): download the edition that covers it (France entière, or the "
                                     "région's), or check --departement",
                                     layer.source, departement,
                                     fmt::join(deps.begin(), deps.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
                                     deps.size() > shown ? ", ..." : ""));
    }
    std::sort(out.begin(), out.end(), [](const Zone& a, const Zone& b) { return a.code < b.code; });
    return out;
}

LonLatBox envelope(const Geos& geos, const GEOSGeometry* g) {
    LonLatBox b;
    GEOSGeom_getXMin_r(geos.ctx(), g, &b.west);
    GEOSGeom_getXMax_r(geos.ctx(), g, &b.east);
    GEOSGeom_getYMin_r(geos.ctx(), g, &b.south);
    GEOSGeom_getYMax_r(geos.ctx(), g, &b.north);
    return b;
}

/// The union of the communes, buffered by `buffer_km` in the département's projected CRS, then
/// kept within what the extract covers; WKB in WGS84.
std::vector<unsigned char> cut_polygon(const std::vector<Zone>& communes, const std::string& crs, double buffer_km,
                                       const LonLatBox& coverage) {
    const Geos geos;
    const detail::ProjectedToWgs84 projection(crs, "the département's CRS");
    std::vector<Geos::Ptr> parts;
    for (const auto& z : communes) {
        Geos::Ptr g = geos.check(geos.read_wkb(z.wkb), "read a commune polygon");
        parts.push_back(detail::reproject_from_wgs84(geos, g.get(), projection, "commune " + z.code));
    }
    const Geos::Ptr all = detail::make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    const Geos::Ptr merged = geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), all.get())), "merge the communes");
    const Geos::Ptr buffered =
        geos.check(geos.own(GEOSBuffer_r(geos.ctx(), merged.get(), buffer_km * 1000.0, 8)), "buffer the département");
    // Vertices closer than 50 m add nothing to a 30 km margin, and slow every point test.
    const Geos::Ptr simple =
        geos.check(geos.own(GEOSTopologyPreserveSimplify_r(geos.ctx(), buffered.get(), 50.0)), "simplify the buffer");
    const Geos::Ptr lonlat = detail::reproject_to_wgs84(geos, simple.get(), projection, "the buffered département");
    const Geos::Ptr box = geos.check(geos.own(GEOSGeom_createRectangle_r(geos.ctx(), coverage.west, coverage.south,
                                                                         coverage.east, coverage.north)),
                                     "build the extract's box");
    const Geos::Ptr within =
        geos.check(geos.own(GEOSIntersection_r(geos.ctx(), lonlat.get(), box.get())), "keep the extract's area");
    const Geos::Ptr area = detail::polygonal(geos, within.get());
    if (!area) {  // only with --codes: otherwise a commune inside the extract was found
        throw InputError(fmt::format("the département and {:g} km around it do not meet the OSM extract (box "
                                     "{:.3f},{:.3f} to {:.3f},{:.3f}): download the extract of the région that holds it",
                                     buffer_km, coverage.west, coverage.south, coverage.east, coverage.north));
    }
    return geos.write_wkb(area.get());
}

/// Which communes the study takes: those given, or those the extract covers whole (a commune
/// whose roads are partly outside the extract would get times to the wrong places).
void choose_communes(const std::vector<Zone>& communes, const InitOptions& options, const ExtractCoverage& coverage,
                     InitResult& result, const Log& log) {
    const Geos geos;
    std::map<std::string, bool> covered;
    std::map<std::string, std::string> names;
    std::set<std::string> outside;  // not even in part inside the extract
    for (const auto& z : communes) {
        const Geos::Ptr g = geos.check(geos.read_wkb(z.wkb), "read a commune polygon");
        const LonLatBox b = envelope(geos, g.get());
        covered[z.code] = coverage.box.contains(b);
        names[z.code] = z.name;
        if (b.west > coverage.box.east || b.east < coverage.box.west || b.south > coverage.box.north ||
            b.north < coverage.box.south) {
            outside.insert(z.code);
        }
    }
    const auto box_text = fmt::format("{:.3f},{:.3f} to {:.3f},{:.3f}", coverage.box.west, coverage.box.south,
                                      coverage.box.east, coverage.box.north);
    if (!options.codes.empty()) {
        for (const auto& code : options.codes) {
            if (covered.count(code) == 0) {
                throw ConfigError(fmt::format("--codes: {} is not a commune of département {} in '{}'", code,
                                              options.departement, options.admin_express.string()));
            }
            if (!covered[code]) {
                log.warning(fmt::format("commune {} {} is not entirely inside the extract '{}' ({}): its roads "
                                        "beyond are missing and its times may be too long",
                                        code, names[code], options.osm.string(), box_text));
            }
        }
        result.codes = options.codes;
        std::sort(result.codes.begin(), result.codes.end());
        result.codes.erase(std::unique(result.codes.begin(), result.codes.end()), result.codes.end());
    } else {
        for (const auto& [code, whole] : covered) {
            if (whole) {
                result.codes.push_back(code);
            }
        }
    }
    for (const auto& [code, whole] : covered) {
        if (std::find(result.codes.begin(), result.codes.end(), code) == result.codes.end()) {
            result.left_out.push_back(fmt::format("{} {}: {}", code, names[code],
                                                  whole                      ? "not in --codes"
                                                  : outside.count(code) != 0 ? "outside the extract"
                                                                             : "partly outside the extract"));
        }
    }
    if (result.codes.empty()) {
        throw InputError(fmt::format("OSM extract '{}' ({}{}) holds no commune of département {} whole: download "
                                     "the extract of the région that holds it (e.g. Geofabrik's), or name the "
                                     "communes to keep with --codes",
                                     options.osm.string(), coverage.from_header ? "header box " : "nodes ", box_text,
                                     options.departement));
    }
    if (!result.left_out.empty() && options.codes.empty()) {
        // The communes cut by the extract's edge first: those are the ones a user may want back.
        std::vector<std::string> partly;
        for (const auto& [code, whole] : covered) {
            if (!whole && outside.count(code) == 0) {
                partly.push_back(fmt::format("{} {}", code, names[code]));
            }
        }
        const std::size_t shown = std::min<std::size_t>(8, partly.size());
        log.warning(fmt::format("{} of the {} communes of département {} are not entirely inside the extract '{}' "
                                "and are left out of the study (listed in it; --codes to choose): {} outside it, "
                                "{} partly outside{}{}{}",
                                result.left_out.size(), communes.size(), options.departement, options.osm.string(),
                                outside.size(), partly.size(), partly.empty() ? "" : ": ",
                                fmt::join(partly.begin(), partly.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
                                partly.size() > shown ? ", ..." : ""));
    }
}

/// Without a Filosofi grid the population is the communes' POPULATION field: every commune of
/// the study must have one.
void check_population(const std::vector<Zone>& communes, const std::vector<std::string>& codes,
                      const InitOptions& options) {
    if (!options.filosofi.empty()) {
        return;
    }
    for (const auto& z : communes) {
        if (!z.population && std::binary_search(codes.begin(), codes.end(), z.code)) {
            throw InputError(fmt::format("'{}': commune {} {} has no POPULATION value (is it IGN's ADMIN EXPRESS "
                                         "COMMUNE layer?): give the population by cell with --filosofi, or use the "
                                         "ADMIN EXPRESS edition that has the field",
                                         options.admin_express.string(), z.code, z.name));
        }
    }
}

/// The line number of a BPE row's "file:line".
std::uint64_t line_of(const std::string& where) {
    return std::stoull(where.substr(where.rfind(':') + 1));
}

void copy_lines(const std::filesystem::path& from, const std::filesystem::path& to,
                const std::set<std::uint64_t>& lines);

/// Copies the BPE's header and the rows placed inside `polygon_wkb` (and the unplaced rows of the
/// département), byte for byte, to `out`. Returns the facilities kept.
std::vector<Facility> keep_bpe_rows(const std::filesystem::path& bpe, const std::filesystem::path& out,
                                    const std::vector<unsigned char>& polygon_wkb, const std::string& departement,
                                    std::size_t& rows_kept, const Log& log) {
    const FacilityReadResult all = read_bpe_csv(bpe, {}, {}, log);
    const Geos geos;
    const Geos::Ptr polygon = geos.check(geos.read_wkb(polygon_wkb), "read the cut polygon");
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(geos.ctx(), polygon.get());
    std::set<std::uint64_t> lines;
    std::vector<Facility> kept;
    for (const auto& f : all.facilities) {
        const Geos::Ptr p = geos.own(GEOSGeom_createPointFromXY_r(geos.ctx(), f.position.lon, f.position.lat));
        if (GEOSPreparedIntersects_r(geos.ctx(), prepared, p.get()) == 1) {
            lines.insert(line_of(f.source));
            kept.push_back(f);
        }
    }
    GEOSPreparedGeom_destroy_r(geos.ctx(), prepared);
    for (const auto& u : all.unplaced) {
        if (departement_of(u.commune_code) == departement) {
            lines.insert(line_of(u.where));
        }
    }
    copy_lines(bpe, out, lines);
    rows_kept = lines.size();
    return kept;
}

/// Copies line 1 and the lines numbered in `lines` of `from`, byte for byte, to `to` (atomically).
void copy_lines(const std::filesystem::path& from, const std::filesystem::path& to,
                const std::set<std::uint64_t>& lines) {
    std::ifstream in(from, std::ios::binary);
    AtomicFile file(to);
    std::string text;
    std::uint64_t number = 0;
    while (std::getline(in, text)) {
        ++number;
        if (number == 1 || lines.count(number) != 0) {
            file.stream() << text << '\n';
        }
    }
    file.commit();
}

/// The cells of a Filosofi CSV whose centre lies in one of the study's communes, copied byte for
/// byte into `out`: the study reads the département's cells, not France's, and reports as not
/// placed only the inhabitants of its own communes' edges. Returns the cells kept.
std::size_t keep_grid_cells(const std::filesystem::path& grid, const std::filesystem::path& out,
                            const std::vector<Zone>& communes, const std::vector<std::string>& codes,
                            const Log& log) {
    const PopulationGrid all = read_population_grid(grid, PopulationGridOptions{}, log);
    const Geos geos;
    std::vector<Geos::Ptr> parts;
    for (const auto& z : communes) {
        if (std::binary_search(codes.begin(), codes.end(), z.code)) {
            parts.push_back(geos.check(geos.read_wkb(z.wkb), "read a commune polygon"));
        }
    }
    const Geos::Ptr collection = detail::make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    const Geos::Ptr area = geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), collection.get())), "merge the communes");
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(geos.ctx(), area.get());
    std::set<std::uint64_t> lines;
    for (const auto& cell : all.cells) {
        const Geos::Ptr p = geos.own(GEOSGeom_createPointFromXY_r(geos.ctx(), cell.centre.lon, cell.centre.lat));
        if (GEOSPreparedIntersects_r(geos.ctx(), prepared, p.get()) == 1) {
            lines.insert(cell.line);
        }
    }
    GEOSPreparedGeom_destroy_r(geos.ctx(), prepared);
    copy_lines(grid, out, lines);
    return lines.size();
}

/// The catalogue's entries of the services asked for, checked before any input is read: a typo in
/// --services is told at once, not after the extract of a région has been cut.
std::vector<ServiceSpec> requested_services(const std::vector<std::string>& wanted) {
    const auto catalogue = builtin_service_catalogue();
    std::vector<ServiceSpec> specs;
    for (const auto& id : wanted) {
        const auto it = std::find_if(catalogue.begin(), catalogue.end(), [&](const ServiceSpec& s) { return s.id == id; });
        if (it == catalogue.end()) {
            std::vector<std::string> ids;
            for (const auto& s : catalogue) {
                ids.push_back(s.id);
            }
            throw ConfigError(fmt::format("--services: '{}' is not in the catalogue (data/services/france.toml): {}",
                                          id, fmt::join(ids, ", ")));
        }
        if (!it->pole.empty()) {
            throw ConfigError(fmt::format("--services: '{}' is a pôle de services: add it to the study after init "
                                          "(its [poles] section is written commented)",
                                          id));
        }
        specs.push_back(*it);
    }
    return specs;
}

/// Per service of `specs`, the facilities found in the cut extract and the BPE kept: services
/// without any are left out (commented in the study), so that inspect accepts it as written.
void choose_services(const std::vector<ServiceSpec>& specs, const std::filesystem::path& extract,
                     const std::vector<Facility>& bpe, InitResult& result, const Log& log) {
    std::vector<TagSelector> selectors;
    std::vector<std::size_t> owner;
    for (std::size_t s = 0; s < specs.size(); ++s) {
        for (const auto& expression : specs[s].osm_selectors) {
            selectors.push_back(TagSelector::parse(expression));
            owner.push_back(s);
        }
    }
    std::vector<std::size_t> found(specs.size(), 0);
    const auto features = extract_osm_features(extract, selectors);
    for (std::size_t k = 0; k < features.size(); ++k) {
        found[owner[k]] += features[k].size();
    }
    for (std::size_t s = 0; s < specs.size(); ++s) {
        const std::set<std::string> codes(specs[s].bpe_codes.begin(), specs[s].bpe_codes.end());
        found[s] += static_cast<std::size_t>(
            std::count_if(bpe.begin(), bpe.end(), [&](const Facility& f) { return codes.count(f.type) != 0; }));
        if (found[s] > 0) {
            result.services.push_back(specs[s].id);
        } else {
            result.services_out.push_back(
                fmt::format("{}: no facility in the extract{}", specs[s].id, bpe.empty() ? "" : " nor in the BPE"));
            log.warning(fmt::format("service '{}' has no facility in the cut extract{}: left out of the study "
                                    "(commented in it)",
                                    specs[s].id, bpe.empty() ? "" : " nor in the BPE kept"));
        }
    }
    if (result.services.empty()) {
        std::vector<std::string> wanted;
        for (const auto& spec : specs) {
            wanted.push_back(spec.id);
        }
        throw InputError(fmt::format("no service of {} has a facility in the extract '{}'{}: is it the right "
                                     "extract? Add a BPE file (--bpe)",
                                     fmt::join(wanted, ", "), extract.string(), bpe.empty() ? "" : " or the BPE"));
    }
}

} // namespace

std::vector<std::string> default_init_services() {
    return {"urgences", "maternite", "medecin", "pharmacie", "poste", "mairie",
            "ecole", "college", "lycee", "gendarmerie", "supermarche", "france_services"};
}

std::string departement_crs(const std::string& departement) {
    static const std::regex code("0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6]");
    if (!std::regex_match(departement, code) || departement == "20" || departement == "975") {
        throw ConfigError(fmt::format("'{}' is not a département code: 01 to 95 (2A and 2B for Corsica), or 971, "
                                      "972, 973, 974, 976 overseas",
                                      departement));
    }
    if (departement == "971" || departement == "972") {
        return "EPSG:5490";  // RGAF09 / UTM 20N, the BPE's and Filosofi's CRS (data/bpe/SOURCES.md)
    }
    if (departement == "973") {
        return "EPSG:2972";  // RGFG95 / UTM 22N
    }
    if (departement == "974") {
        return "EPSG:2975";  // RGR92 / UTM 40S
    }
    if (departement == "976") {
        return "EPSG:4471";  // RGM04 / UTM 38S
    }
    return "EPSG:2154";  // Lambert-93
}

namespace {

/// The study's text from what init chose.
StudyDraft draft_of(const InitOptions& options, const InitResult& r, const std::string& name) {
    StudyDraft d;
    const std::string stem = options.study.stem().string();
    d.name = name;
    d.header = fmt::format("Study of département {} written by proxima init from:\n  OSM {}\n  ADMIN EXPRESS {}{}{}\n"
                           "Check it: proxima inspect {}   Run it: proxima run {}",
                           options.departement, options.osm.filename().string(),
                           options.admin_express.filename().string(),
                           options.bpe.empty() ? "" : "\n  BPE " + options.bpe.filename().string(),
                           options.filosofi.empty() ? "" : "\n  Filosofi " + options.filosofi.filename().string(),
                           options.study.filename().string(), options.study.filename().string());
    d.output = stem + "-results";
    if (r.crs != "EPSG:2154") {
        d.crs = r.crs;
        d.crs_why = "overseas: the UTM zone of the BPE and Filosofi files";
    }
    d.osm = relative_to_study(r.extract, options.study);
    d.graph = stem + ".pxg";
    d.osm_note = fmt::format("the département + {:g} km, cut by proxima init", options.buffer_km);
    d.zones_file = relative_to_study(options.admin_express, options.study);
    // ADMIN EXPRESS ships the chefs-lieux beside the communes: INSEE's point for a commune's people.
    const auto chef_lieu = options.admin_express.parent_path() / "CHFLIEU_COMMUNE.shp";
    if (options.admin_express.extension() == ".shp" && std::filesystem::exists(chef_lieu)) {
        d.chef_lieu = relative_to_study(chef_lieu, options.study);
    }
    d.codes = r.codes;
    d.left_out = r.left_out;
    if (!r.grid.empty()) {
        d.grid = relative_to_study(r.grid, options.study);
        d.grid_note = r.grid == options.filosofi
                          ? ""
                          : fmt::format("{}: its cells in the study's communes", options.filosofi.filename().string());
    }
    for (const auto& out : r.services_out) {
        const auto colon = out.find(':');
        d.services_out.emplace_back(out.substr(0, colon), out.substr(colon + 2));
    }
    d.services = r.services;
    if (!r.bpe.empty()) {
        d.bpe = relative_to_study(r.bpe, options.study);
        d.bpe_note = fmt::format("{}: its rows in the département + {:g} km", options.bpe.filename().string(),
                                 options.buffer_km);
    }
    return d;
}

/// Writes the study atomically once the project's reader accepts it.
void write_study(const InitOptions& options, const std::string& text) {
    try {
        (void)parse_study(text, options.study);
    } catch (const Error& e) {
        throw Error(fmt::format("proxima init wrote a study its own reader refuses (a bug: please report it): {}",
                                e.what()));
    }
    AtomicFile file(options.study);
    file.stream() << text;
    file.commit();
}

/// The study's name: the département and its first commune's name when it has only a few.
std::string study_name(const InitOptions& options, const std::vector<Zone>& communes, const InitResult& r) {
    if (r.codes.size() == communes.size()) {
        return fmt::format("Département {} ({} communes)", options.departement, communes.size());
    }
    return fmt::format("Département {}: {} of its {} communes", options.departement, r.codes.size(), communes.size());
}

} // namespace

InitResult init_study(const InitOptions& options, const Log& log) {
    InitResult r;
    r.crs = departement_crs(options.departement);
    if (!(options.buffer_km >= 0 && options.buffer_km <= 200)) {
        throw ConfigError(fmt::format("--buffer-km {} is not a distance between 0 and 200 km", options.buffer_km));
    }
    if (options.study.extension() != ".toml") {
        throw ConfigError(fmt::format("-o {}: the study file's name ends in .toml", options.study.string()));
    }
    const std::vector<ServiceSpec> services =
        requested_services(options.services.empty() ? default_init_services() : options.services);
    require_input_file(options.osm, "OSM extract (--osm)");
    require_input_file(options.admin_express, "ADMIN EXPRESS communes (--admin-express)");
    if (!options.bpe.empty()) {
        require_input_file(options.bpe, "BPE file (--bpe)");
    }
    if (!options.filosofi.empty()) {
        require_input_file(options.filosofi, "Filosofi grid (--filosofi)");
    }
    const std::string stem = options.study.stem().string();
    const auto folder = options.study.parent_path();
    r.study = options.study;
    r.extract = folder / (stem + ".osm.pbf");
    r.bpe = options.bpe.empty() ? std::filesystem::path() : folder / (stem + "-bpe.csv");
    // A Filosofi CSV is kept to the study's cells; a GeoPackage is used as it is.
    const bool grid_csv = !options.filosofi.empty() && options.filosofi.extension() == ".csv";
    r.grid = grid_csv ? folder / (stem + "-filosofi.csv") : options.filosofi;
    const std::vector<std::filesystem::path> inputs = {options.osm, options.admin_express, options.bpe,
                                                       options.filosofi};
    check_output(options.study, inputs, options.force, "study file");
    check_output(r.extract, inputs, options.force, "cut extract");
    if (!r.bpe.empty()) {
        check_output(r.bpe, inputs, options.force, "BPE kept for the study");
    }
    if (grid_csv) {
        check_output(r.grid, inputs, options.force, "Filosofi cells kept for the study");
    }

    const ZoneLayer layer = read_zones(options.admin_express);
    const std::vector<Zone> communes = departement_communes(layer, options.departement);
    r.communes_in_departement = communes.size();
    const ExtractCoverage coverage = read_extract_coverage(options.osm);
    choose_communes(communes, options, coverage, r, log);
    check_population(communes, r.codes, options);

    const auto polygon = cut_polygon(communes, r.crs, options.buffer_km, coverage.box);
    r.cut = cut_extract(options.osm, r.extract, polygon, options.progress);
    try {  // a study that is not written leaves neither its extract nor its BPE behind
        std::vector<Facility> bpe;
        if (!r.bpe.empty()) {
            bpe = keep_bpe_rows(options.bpe, r.bpe, polygon, options.departement, r.bpe_rows_kept, log);
        }
        if (grid_csv) {
            r.grid_cells_kept = keep_grid_cells(options.filosofi, r.grid, communes, r.codes, log);
            if (r.grid_cells_kept == 0) {  // the study reads the whole grid, and inspect says where it lies
                std::error_code ignored;
                std::filesystem::remove(r.grid, ignored);
                r.grid = options.filosofi;
                log.warning(fmt::format("no cell of the Filosofi grid '{}' lies in the study's communes: is it the "
                                        "grid of this territory (metropolitan or overseas)? The study reads it whole",
                                        options.filosofi.string()));
            }
        }
        choose_services(services, r.extract, bpe, r, log);
        write_study(options, study_toml(draft_of(options, r, study_name(options, communes, r))));
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(r.extract, ignored);
        if (!r.bpe.empty()) {
            std::filesystem::remove(r.bpe, ignored);
        }
        if (grid_csv && r.grid != options.filosofi) {
            std::filesystem::remove(r.grid, ignored);
        }
        throw;
    }
    r.input_bytes = std::filesystem::file_size(options.osm);
    r.extract_bytes = std::filesystem::file_size(r.extract);
    return r;
}

} // namespace proxima
