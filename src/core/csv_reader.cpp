#include "proxima/core/csv_reader.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>

#include "proxima/core/error.hpp"

namespace proxima {

namespace {

/// Line on which each non-blank CSV record starts (header first): GDAL skips blank lines and
/// joins quoted line breaks, so its record number alone would not be the line a user sees.
std::vector<std::uint64_t> record_lines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint64_t> lines;
    std::uint64_t line = 1;
    std::uint64_t record_line = 1;
    bool at_record_start = true;
    bool record_empty = true;
    bool in_quotes = false;
    char c = 0;
    while (in.get(c)) {
        if (at_record_start) {
            record_line = line;
            at_record_start = false;
            record_empty = true;
        }
        if (c == '"') {
            in_quotes = !in_quotes;
            record_empty = false;
        } else if (c == '\n') {
            ++line;
            if (!in_quotes) {
                if (!record_empty) {
                    lines.push_back(record_line);
                }
                at_record_start = true;
            }
        } else if (c != '\r') {
            record_empty = false;
        }
    }
    if (!at_record_start && !record_empty) {
        lines.push_back(record_line);
    }
    return lines;
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

CsvReader::CsvReader(const std::filesystem::path& path, std::string what)
    : m_impl(std::make_unique<Impl>()), m_path(path), m_what(std::move(what)) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw InputError(fmt::format("{} '{}' does not exist or is not a file", m_what, path.string()));
    }
    if (std::filesystem::file_size(path, ec) == 0 && !ec) {
        throw InputError(fmt::format("{} '{}' is empty; expected a CSV file with a header line", m_what, path.string()));
    }
    m_record_lines = record_lines(path);
    GDALAllRegister();
    const char* drivers[] = {"CSV", nullptr};
    const char* options[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    m_impl->dataset =
        GDALOpenEx(("CSV:" + path.string()).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr);
    CPLPopErrorHandler();
    if (m_impl->dataset == nullptr) {
        throw InputError(fmt::format("cannot read {} '{}' as CSV: {}", m_what, path.string(), CPLGetLastErrorMsg()));
    }
    m_impl->layer = GDALDatasetGetLayer(m_impl->dataset, 0);
    if (m_impl->layer == nullptr) {
        throw InputError(fmt::format("{} '{}' holds no table", m_what, path.string()));
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(m_impl->layer);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        m_columns.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    OGR_L_ResetReading(m_impl->layer);
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
    return OGR_F_GetFieldAsString(m_impl->feature, column);
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
