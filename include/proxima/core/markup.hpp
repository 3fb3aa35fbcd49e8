#pragma once
// Escaping text for XML and HTML (QGIS styles, report.html): one rule for both.

#include <string>
#include <string_view>

namespace proxima {

/// `s` with & < > " ' replaced by entity or character references, safe in element content and
/// in attribute values of XML 1.0 and HTML alike ("'" becomes "&#39;", which both read).
[[nodiscard]] std::string escape_markup(std::string_view s);

} // namespace proxima
