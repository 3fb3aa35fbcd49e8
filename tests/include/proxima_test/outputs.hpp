#pragma once
// Reading back what the jobs write, for tests: CSV tables as rows of column -> text.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "proxima/core/csv_reader.hpp"

namespace proxima::test {

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

} // namespace proxima::test
