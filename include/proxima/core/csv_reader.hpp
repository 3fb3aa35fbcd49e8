#pragma once
// Reading user CSV files through GDAL's CSV driver (separator detection, quoting, BOM), all
// fields as text, with the line each record starts on so that messages can say "file:line".

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxima/core/log.hpp"

namespace proxima {

class CsvReader {
public:
    /// Opens `path`; `what` names the file's role in messages ("points file", "commune table").
    /// Text that is not UTF-8 is read as Windows-1252 and converted, with a warning on `log`
    /// naming the file, the first such byte and the iconv command. Throws InputError if the file
    /// is missing, not a regular file, empty, binary (NUL bytes), not readable as CSV, or has a
    /// record with more or fewer fields than its header.
    CsvReader(const std::filesystem::path& path, std::string what, const Log& log = Log{});
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    /// Column names in file order.
    [[nodiscard]] const std::vector<std::string>& columns() const { return m_columns; }
    /// Index of a column (exact name), or -1.
    [[nodiscard]] int column(std::string_view name) const;
    /// Index of the first of `names` present; throws InputError listing the columns present if
    /// none is.
    [[nodiscard]] int require_column(std::initializer_list<std::string_view> names) const;

    /// Moves to the next record; false at the end.
    bool next();
    /// Text of a field of the current record, UTF-8 ("" for an empty field).
    [[nodiscard]] std::string field(int column) const;
    /// Line of the file on which the current record starts (the header is line 1).
    [[nodiscard]] std::uint64_t line() const { return m_line; }
    /// "path:line" of the current record, for messages.
    [[nodiscard]] std::string where() const;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] const std::string& what() const { return m_what; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::filesystem::path m_path;
    std::string m_what;
    std::vector<std::string> m_columns;
    std::vector<std::uint64_t> m_record_lines;
    std::uint64_t m_record = 0;
    std::uint64_t m_line = 1;
    bool m_cp1252 = false;  ///< the file is Windows-1252: fields are converted to UTF-8
};

/// Parses a decimal number written with a dot (no thousands separator); nullopt otherwise.
[[nodiscard]] std::optional<double> parse_decimal(std::string_view text);

} // namespace proxima
