#include "proxima/report/xlsx_workbook.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unistd.h>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "proxima/core/error.hpp"

namespace proxima {

namespace {

/// Characters shown, not bytes: the width of a UTF-8 text in columns (roughly, for fitting).
std::size_t display_length(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

void check_sheet(const XlsxSheet& sheet) {
    if (sheet.table == nullptr) {
        throw Error(fmt::format("xlsx sheet '{}' has no table", sheet.name));
    }
    if (sheet.name.empty() || display_length(sheet.name) > 31 ||
        sheet.name.find_first_of("[]:*?/\\") != std::string::npos) {
        throw Error(fmt::format("xlsx sheet name '{}': 1 to 31 characters, none of []:*?/\\", sheet.name));
    }
    for (const auto& row : sheet.table->rows) {
        if (row.size() != sheet.table->fields.size()) {
            throw Error(fmt::format("xlsx sheet '{}': a row has {} values for {} fields", sheet.name, row.size(),
                                    sheet.table->fields.size()));
        }
    }
}

/// The text a cell shows, for fitting the column width.
std::size_t shown_length(const FieldValue& v) {
    switch (v.index()) {
    case 0: return 0;
    case 1: return fmt::format("{}", std::get<std::int64_t>(v)).size() + 2;
    case 2: return std::min<std::size_t>(fmt::format("{:.2f}", std::get<double>(v)).size() + 2, 14);
    default: return display_length(std::get<std::string>(v));
    }
}

class Workbook {
public:
    explicit Workbook(const std::filesystem::path& path) : m_path(path) {
        lxw_workbook_options options{};
        options.constant_memory = LXW_FALSE;
        m_book = workbook_new_opt(path.c_str(), &options);
        if (m_book == nullptr) {
            throw OutputError(fmt::format("cannot create '{}'", path.string()));
        }
        // A fixed date: the workbook says nothing of when it was written (reruns give the same bytes).
        lxw_doc_properties properties{};
        properties.created = 946684800;  // 2000-01-01T00:00:00Z
        workbook_set_properties(m_book, &properties);
        m_header = workbook_add_format(m_book);
        format_set_bold(m_header);
        format_set_text_wrap(m_header);
        format_set_align(m_header, LXW_ALIGN_VERTICAL_TOP);
        format_set_bg_color(m_header, 0xE8ECEF);
        format_set_bottom(m_header, LXW_BORDER_THIN);
    }
    ~Workbook() {
        if (m_book != nullptr) {
            workbook_close(m_book);  // only after a failure: the caller removes the file
        }
    }
    Workbook(const Workbook&) = delete;
    Workbook& operator=(const Workbook&) = delete;

    void add(const XlsxSheet& sheet) {
        lxw_worksheet* ws = workbook_add_worksheet(m_book, sheet.name.c_str());
        if (ws == nullptr) {
            throw Error(fmt::format("xlsx: cannot add the sheet '{}' (a duplicate name?)", sheet.name));
        }
        const OutputLayer& t = *sheet.table;
        std::vector<std::size_t> width(t.fields.size(), 8);
        for (std::size_t j = 0; j < t.fields.size(); ++j) {
            // Headers wrap: a long header needs about half its length, on two lines.
            width[j] = std::max(width[j], std::min<std::size_t>(display_length(t.fields[j].name) / 2 + 2, 40));
            worksheet_write_string(ws, 0, static_cast<lxw_col_t>(j), t.fields[j].name.c_str(), m_header);
        }
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            const auto r = static_cast<lxw_row_t>(i + 1);
            for (std::size_t j = 0; j < t.fields.size(); ++j) {
                const FieldValue& v = t.rows[i][j];
                const auto c = static_cast<lxw_col_t>(j);
                width[j] = std::max(width[j], std::min<std::size_t>(shown_length(v), 60));
                lxw_format* f = number_format(j < sheet.number_formats.size() ? sheet.number_formats[j] : "");
                switch (v.index()) {
                case 0: break;  // NULL: an empty cell, never 0
                case 1: worksheet_write_number(ws, r, c, static_cast<double>(std::get<std::int64_t>(v)), f); break;
                case 2: worksheet_write_number(ws, r, c, std::get<double>(v), f); break;
                default: worksheet_write_string(ws, r, c, std::get<std::string>(v).c_str(), nullptr); break;
                }
            }
        }
        for (std::size_t j = 0; j < width.size(); ++j) {
            worksheet_set_column(ws, static_cast<lxw_col_t>(j), static_cast<lxw_col_t>(j),
                                 static_cast<double>(width[j]) + 1.0, nullptr);
        }
        worksheet_set_row(ws, 0, 45, nullptr);
        worksheet_freeze_panes(ws, 1, 1);  // the header, and the first column (the area's code or name)
        if (!t.fields.empty()) {
            worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(t.rows.size()),
                                 static_cast<lxw_col_t>(t.fields.size() - 1));
        }
    }

    void close() {
        const lxw_error error = workbook_close(m_book);
        m_book = nullptr;
        if (error != LXW_NO_ERROR) {
            throw OutputError(fmt::format("cannot write '{}': {}", m_path.string(), lxw_strerror(error)));
        }
    }

private:
    lxw_format* number_format(const std::string& code) {
        if (code.empty()) {
            return nullptr;
        }
        auto it = m_formats.find(code);
        if (it == m_formats.end()) {
            lxw_format* f = workbook_add_format(m_book);
            format_set_num_format(f, code.c_str());
            it = m_formats.emplace(code, f).first;
        }
        return it->second;
    }

    std::filesystem::path m_path;
    lxw_workbook* m_book = nullptr;
    lxw_format* m_header = nullptr;
    std::map<std::string, lxw_format*> m_formats;
};

} // namespace

void write_xlsx(const std::filesystem::path& path, const std::vector<XlsxSheet>& sheets) {
    for (const auto& sheet : sheets) {
        check_sheet(sheet);
    }
    const std::filesystem::path tmp = path.string() + fmt::format(".tmp-{}", ::getpid());
    try {
        Workbook book(tmp);
        for (const auto& sheet : sheets) {
            book.add(sheet);
        }
        book.close();
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw OutputError(fmt::format("cannot write '{}': {}", path.string(), ec.message()));
    }
}

} // namespace proxima
