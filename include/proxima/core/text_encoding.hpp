#pragma once
// Text encoding of the files users bring. Proxima writes UTF-8 only. Decided once, at reading:
// CSV text that is not UTF-8 is Windows-1252 / Latin-1 (Excel exports, older INSEE files) and is
// converted with a warning naming the file; vector layers (GDAL) must give UTF-8 strings, or the
// feature is refused with the fix. Nothing reaches the outputs undecoded.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace proxima {

/// Incremental UTF-8 check over a byte stream (strict: no overlong forms, no surrogates, nothing
/// above U+10FFFF).
class Utf8Validator {
public:
    /// Feeds one byte; false if the stream is not valid UTF-8 at this byte.
    bool feed(unsigned char byte) noexcept;
    /// True if the stream ended in the middle of a character.
    [[nodiscard]] bool incomplete() const noexcept { return m_need > 0; }

private:
    int m_need = 0;              ///< continuation bytes still expected
    unsigned char m_lo = 0x80;   ///< allowed range of the next continuation byte
    unsigned char m_hi = 0xBF;
};

/// Offset of the first byte of `text` that breaks UTF-8, or nullopt if it is valid.
[[nodiscard]] std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

/// CP1252 (Windows-1252, a superset of Latin-1's printable characters) to UTF-8. Never fails:
/// the five bytes CP1252 leaves undefined become the C1 control of the same value, as Windows does.
[[nodiscard]] std::string cp1252_to_utf8(std::string_view text);

/// The warning for a text file that is not UTF-8 and is read as Windows-1252: where, the byte,
/// and the iconv command that converts it once for all.
[[nodiscard]] std::string not_utf8_message(const std::filesystem::path& path, const std::string& what,
                                           std::uint64_t line, std::uint64_t column, unsigned char byte);

} // namespace proxima
