#include "proxima/core/text_encoding.hpp"

#include <array>

#include <fmt/format.h>

namespace proxima {

namespace {

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace

/// CP1252 → UTF-8. Bytes 0xA0-0xFF are Latin-1; 0x80-0x9F are CP1252's extra characters (€, œ,
/// typographic quotes...). The five bytes CP1252 leaves undefined map to the C1 control of the
/// same value, as Windows does, so the conversion never fails and the result is always UTF-8.
std::string cp1252_to_utf8(std::string_view text) {
    static constexpr std::array<char32_t, 32> high_controls = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
        } else if (c < 0xA0) {
            append_utf8(out, high_controls[c - 0x80]);
        } else {
            append_utf8(out, c);
        }
    }
    return out;
}



bool Utf8Validator::feed(unsigned char b) noexcept {
    if (m_need == 0) {
        m_lo = 0x80;
        m_hi = 0xBF;
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            m_need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            m_need = 2;
            if (b == 0xE0) {
                m_lo = 0xA0;  // no overlong 3-byte forms
            } else if (b == 0xED) {
                m_hi = 0x9F;  // no UTF-16 surrogates
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            m_need = 3;
            if (b == 0xF0) {
                m_lo = 0x90;
            } else if (b == 0xF4) {
                m_hi = 0x8F;  // nothing above U+10FFFF
            }
        } else {
            return false;
        }
        return true;
    }
    if (b < m_lo || b > m_hi) {
        m_need = 0;
        return false;
    }
    m_lo = 0x80;
    m_hi = 0xBF;
    --m_need;
    return true;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept {
    Utf8Validator v;
    std::size_t start = 0;  // first byte of the character being read
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool inside = v.incomplete();
        if (!inside) {
            start = i;
        }
        if (!v.feed(static_cast<unsigned char>(text[i]))) {
            return inside ? start : i;
        }
    }
    if (v.incomplete()) {
        return start;
    }
    return std::nullopt;
}

std::string not_utf8_message(const std::filesystem::path& path, const std::string& what, std::uint64_t line,
                             std::uint64_t column, unsigned char byte) {
    const auto converted = path.parent_path() / (path.stem().string() + "-utf8" + path.extension().string());
    return fmt::format("{} '{}' is not UTF-8 (line {}, byte {}: 0x{:02X}): read as Windows-1252 (Latin-1), as "
                       "Excel and older INSEE files write it. Check its accents in the outputs; to convert it once "
                       "and silence this warning: iconv -f WINDOWS-1252 -t UTF-8 '{}' > '{}'",
                       what, path.string(), line, column, byte, path.string(), converted.string());
}

} // namespace proxima
