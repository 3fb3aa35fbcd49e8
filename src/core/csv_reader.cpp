#include "proxima/core/csv_reader.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>

#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/text_encoding.hpp"
#include "core/gdal_handles.hpp"

namespace proxima {

namespace {

/// The separators GDAL's CSV driver recognises, in the order it prefers them.
constexpr std::array<char, 4> separators = {',', ';', '\t', '|'};

/// What a pass over the raw bytes tells that GDAL does not: the line on which each non-blank
/// record starts (GDAL skips blank lines and joins quoted line breaks, so its record number
/// alone is not the line a user sees), how many fields each record has for every candidate
/// separator, and the first byte that is not UTF-8.
struct RecordScan {
    std::vector<std::uint64_t> lines;                        ///< header first
    std::vector<std::array<std::uint32_t, 4>> field_counts;  ///< per record, per separator
    std::optional<std::array<std::uint64_t, 3>> not_utf8;    ///< line, column (bytes, 1-based), byte
    std::optional<std::uint64_t> nul_line;                   ///< a NUL byte: binary or UTF-16
};

RecordScan scan_records(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    RecordScan scan;
    Utf8Validator utf8;
    std::uint64_t line = 1;
    std::uint64_t column = 0;
    std::uint64_t char_line = 1;
    std::uint64_t char_column = 1;
    unsigned char char_byte = 0;  ///< first byte of the character being read
    std::uint64_t record_line = 1;
    bool at_record_start = true;
    bool record_empty = true;
    bool in_quotes = false;
    std::array<std::uint32_t, 4> fields{};
    char previous = 0;
    auto end_record = [&] {
        if (!record_empty) {
            scan.lines.push_back(record_line);
            scan.field_counts.push_back(fields);
        }
        at_record_start = true;
    };
    char c = 0;
    while (in.get(c)) {
        ++column;
        const auto byte = static_cast<unsigned char>(c);
        if (byte == 0 && !scan.nul_line) {
            scan.nul_line = line;
        }
        if (!scan.not_utf8) {
            if (!utf8.incomplete()) {
                char_line = line;
                char_column = column;
                char_byte = byte;
            }
            if (!utf8.feed(byte)) {
                scan.not_utf8 = {char_line, char_column, char_byte};
            }
        }
        if (at_record_start) {
            record_line = line;
            at_record_start = false;
            record_empty = true;
            fields.fill(1);
        }
        // A line ends at LF, CRLF or a lone CR (old Mac files), as GDAL reads them.
        const bool line_end = c == '\n' ? previous != '\r' : c == '\r';
        previous = c;
        if (c == '"') {
            in_quotes = !in_quotes;
            record_empty = false;
        } else if (line_end) {
            ++line;
            column = 0;
            if (!in_quotes) {
                end_record();
            }
        } else if (c != '\r' && c != '\n') {
            if (!in_quotes) {
                for (std::size_t k = 0; k < separators.size(); ++k) {
                    fields[k] += c == separators[k] ? 1 : 0;
                }
            }
            record_empty = false;
        }
    }
    if (!at_record_start) {
        end_record();
    }
    if (!scan.not_utf8 && utf8.incomplete()) {
        scan.not_utf8 = {char_line, char_column, char_byte};
    }
    return scan;
}

/// Refuses records whose field count differs from the header's (see the comment inside).
void check_field_counts(const RecordScan& scan, const std::vector<std::string>& m_columns, const std::string& m_what,
                        const std::filesystem::path& m_path) {
    // GDAL drops the fields a record has beyond its header and fills missing ones with empty
    // text: both mean that values sit in the wrong columns (a separator inside an unquoted value,
    // a row cut short), so both are refused. The separator is the one that splits the header
    // into GDAL's columns.
    if (scan.field_counts.empty()) {
        return;
    }
    const auto header = scan.field_counts.front();
    std::optional<std::size_t> sep;
    for (std::size_t k = 0; k < separators.size() && !sep; ++k) {
        if (header[k] == m_columns.size() && (m_columns.size() > 1 || header[k] == 1)) {
            sep = k;
        }
    }
    if (!sep || m_columns.size() <= 1) {
        return;  // one column, or a layout GDAL read its own way: nothing to compare
    }
    for (std::size_t r = 1; r < scan.field_counts.size(); ++r) {
        const auto n = scan.field_counts[r][*sep];
        if (n != m_columns.size()) {
            const char s = separators[*sep];
            throw InputError(fmt::format("{} '{}', line {}: {} fields where the header has {} ('{}'-separated); {}",
                                         m_what, m_path.string(), scan.lines[r], n, m_columns.size(),
                                         s == '\t' ? std::string("tab") : std::string(1, s),
                                         n > m_columns.size()
                                             ? "a value holds the separator without quotes, or the row has an extra "
                                               "field: quote the value or fix the row"
                                             : "the row is cut short: complete it"));
        }
    }
}

} // namespace

struct CsvReader::Impl {
    GDALDatasetH dataset = nullptr;
    OGRLayerH layer = nullptr;
    OGRFeatureH feature = nullptr;
    ~Impl() {
        if (feature != nullptr) {
            OGR_F_Destroy(feature);
        }
        if (dataset != nullptr) {
            GDALClose(dataset);
        }
    }
};

CsvReader::CsvReader(const std::filesystem::path& path, std::string what, const Log& log)
    : m_impl(std::make_unique<Impl>()), m_path(path), m_what(std::move(what)) {
    std::error_code ec;
    require_input_file(path, m_what);
    if (std::filesystem::file_size(path, ec) == 0 && !ec) {
        throw InputError(fmt::format("{} '{}' is empty; expected a CSV file with a header line", m_what, path.string()));
    }
    const RecordScan scan = scan_records(path);
    if (scan.nul_line) {
        throw InputError(fmt::format("{} '{}' holds a NUL byte (line {}): it is not a text file, or is UTF-16; save "
                                     "it as CSV in UTF-8",
                                     m_what, path.string(), *scan.nul_line));
    }
    if (scan.not_utf8) {
        // Text exported from Excel and older INSEE files (BPE up to 2018) is Windows-1252: read it
        // as such, once, here, so that every field and every output is UTF-8, and say so.
        const auto& [line, column, byte] = *scan.not_utf8;
        m_cp1252 = true;
        log.warning(not_utf8_message(path, m_what, line, column, static_cast<unsigned char>(byte)));
    }
    m_record_lines = scan.lines;
    GDALAllRegister();
    const char* drivers[] = {"CSV", nullptr};
    // HEADERS=YES: the first line is always the header (GDAL would otherwise take a header holding
    // a number, such as a year, for data).
    const char* options[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", "HEADERS=YES", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    m_impl->dataset =
        GDALOpenEx(("CSV:" + path.string()).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr);
    CPLPopErrorHandler();
    if (m_impl->dataset == nullptr) {
        throw InputError(fmt::format("cannot read {} '{}' as CSV: {}", m_what, path.string(), detail::gdal_detail()));
    }
    m_impl->layer = GDALDatasetGetLayer(m_impl->dataset, 0);
    if (m_impl->layer == nullptr) {
        throw InputError(fmt::format("{} '{}' holds no table", m_what, path.string()));
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(m_impl->layer);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        const char* name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        m_columns.emplace_back(m_cp1252 ? cp1252_to_utf8(name) : std::string(name));
    }
    OGR_L_ResetReading(m_impl->layer);
    check_field_counts(scan, m_columns, m_what, m_path);
}


CsvReader::~CsvReader() = default;

int CsvReader::column(std::string_view name) const {
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        if (m_columns[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int CsvReader::require_column(std::initializer_list<std::string_view> names) const {
    for (auto name : names) {
        if (const int c = column(name); c >= 0) {
            return c;
        }
    }
    std::string wanted;
    for (auto name : names) {
        wanted += (wanted.empty() ? "" : " or ") + std::string(name);
    }
    std::string present;
    for (const auto& c : m_columns) {
        present += (present.empty() ? "" : ", ") + c;
    }
    throw InputError(fmt::format("{} '{}' has no column {}; it has: {}", m_what, m_path.string(), wanted,
                                 present.empty() ? "none" : present));
}

bool CsvReader::next() {
    if (m_impl->feature != nullptr) {
        OGR_F_Destroy(m_impl->feature);
    }
    m_impl->feature = OGR_L_GetNextFeature(m_impl->layer);
    if (m_impl->feature == nullptr) {
        return false;
    }
    ++m_record;
    m_line = m_record < m_record_lines.size() ? m_record_lines[m_record] : m_record + 1;
    return true;
}

std::string CsvReader::field(int column) const {
    const char* text = OGR_F_GetFieldAsString(m_impl->feature, column);
    return m_cp1252 ? cp1252_to_utf8(text) : std::string(text);
}

std::string CsvReader::where() const { return fmt::format("{}:{}", m_path.string(), m_line); }

std::optional<double> parse_decimal(std::string_view s) {
    while (!s.empty() && s.front() == ' ') {
        s.remove_prefix(1);
    }
    while (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

} // namespace proxima
