#pragma once
// Internal: the HTML report's own stylesheet and script, data/report/report.css and report.js compiled
// in (proxima_embed_text in CMakeLists.txt): report.html must open without any file beside it.

#include <string_view>

namespace proxima::detail {

/// The text of data/report/report.css, byte for byte (static storage).
extern const std::string_view report_page_css;
/// The text of data/report/report.js, byte for byte (static storage); it reads the page's data from
/// the JSON element with id "proxima-data".
extern const std::string_view report_page_js;

} // namespace proxima::detail
