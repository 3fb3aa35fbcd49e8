#include "proxima/core/error.hpp"

#include <string_view>

namespace proxima {

Error::Error(const std::string& message, std::source_location where)
    : std::runtime_error(message), m_where(where) {}

std::string Error::where() const {
    std::string_view file = m_where.file_name();
    // Project-relative path: keep from "src/" or "include/" on.
    for (std::string_view marker : {"/src/", "/include/", "/apps/"}) {
        if (auto pos = file.rfind(marker); pos != std::string_view::npos) {
            file = file.substr(pos + 1);
            break;
        }
    }
    return std::string(file) + ":" + std::to_string(m_where.line());
}

std::string library_message(std::string_view message) {
    while (!message.empty() && (message.back() == '.' || message.back() == ' ' || message.back() == '\n' ||
                                message.back() == '\r' || message.back() == '\t')) {
        message.remove_suffix(1);
    }
    return message.empty() ? std::string("no detail given") : std::string(message);
}

} // namespace proxima
