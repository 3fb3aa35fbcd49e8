#pragma once
// Excel workbooks (.xlsx, with Debian's libxlsxwriter) of result tables, for the people who write
// the schéma: one sheet per table, a bold frozen header with filters, column widths fitted to the
// content, numbers as numbers with Excel format codes (a French Excel shows "3 063" and "3,8 %").
// Deterministic: the same tables give the same bytes (fixed document date).

#include <filesystem>
#include <string>
#include <vector>

#include "proxima/report/layer_writer.hpp"

namespace proxima {

struct XlsxSheet {
    std::string name;                          ///< at most 31 characters, none of []:*?/\ .
    const OutputLayer* table = nullptr;        ///< fields and rows (geometry ignored)
    std::vector<std::string> number_formats;   ///< per field, an Excel format code ("#,##0", "0.0",
                                               ///< "0.0%"); empty or missing: General
};

/// Writes the workbook at `path` (temporary name, then rename: never a partial file).
/// Throws Error for a malformed sheet (bad name, rows not matching the fields), OutputError if the
/// file cannot be written.
void write_xlsx(const std::filesystem::path& path, const std::vector<XlsxSheet>& sheets);

} // namespace proxima
