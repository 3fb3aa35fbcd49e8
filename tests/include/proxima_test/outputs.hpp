#pragma once
// Reading back what the jobs write, for tests: CSV tables as rows of column -> text, JSON
// manifests; and the bundled Andorra study with its graph cache and outputs in a scratch folder.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxima/core/csv_reader.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima_test/fixtures.hpp"

namespace proxima::test {

/// GDAL's GeoPackage validator (Debian's python3-gdal, installed by scripts/install-deps.sh).
inline const char* const geopackage_validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";

/// Whether GDAL's validator finds nothing to say of `file`, warnings included (its report goes
/// to `report`, read it when false).
inline bool valid_geopackage(const std::filesystem::path& file, const std::filesystem::path& report) {
    const std::string command = "/usr/bin/python3 " + std::string(geopackage_validator) + " -k --warning-as-error '" +
                                file.string() + "' > '" + report.string() + "' 2>&1";
    return std::system(command.c_str()) == 0;
}

/// Rows of a CSV output (comma, header) as maps column -> text.
inline std::vector<std::map<std::string, std::string>> read_csv_rows(const std::filesystem::path& p) {
    CsvReader csv(p, "output");
    std::vector<std::map<std::string, std::string>> rows;
    while (csv.next()) {
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < csv.columns().size(); ++i) {
            row[csv.columns()[i]] = csv.field(static_cast<int>(i));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

/// A JSON output (run.json, scenario.json, siting.json, apl.json).
inline nlohmann::json read_json(const std::filesystem::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

/// A number of a CSV field.
inline double number(const std::string& text) { return std::stod(text); }

/// data/studies/andorra.toml with its graph cache and outputs under `scratch`.
inline StudyFile andorra_study(const std::filesystem::path& scratch) {
    StudyFile s = load_study(data_file("studies/andorra.toml"));
    s.network.graph = scratch / "andorra.pxg";
    s.output_dir = scratch / "andorra";
    return s;
}

} // namespace proxima::test
