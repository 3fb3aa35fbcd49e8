// Numbers for people and escaped markup: the helpers every output shares (core/number_format.hpp,
// core/markup.hpp).

#include <catch2/catch.hpp>

#include "proxima/core/markup.hpp"
#include "proxima/core/number_format.hpp"

using namespace proxima;

TEST_CASE("numbers are grouped by three in the style of each output", "[core]") {
    CHECK(format_number(0, 0, console_numbers) == "0");
    CHECK(format_number(999, 0, console_numbers) == "999");
    CHECK(format_number(1000, 0, console_numbers) == "1 000");
    CHECK(format_number(81362, 0, console_numbers) == "81 362");
    CHECK(format_number(1234567.4, 0, console_numbers) == "1 234 567");
    CHECK(format_number(-1234567, 0, console_numbers) == "-1 234 567");  // no separator after the sign
    CHECK(format_number(-123, 0, console_numbers) == "-123");
    CHECK(format_number(3063.46, 1, map_numbers) == "3\u00a0063,5");
    CHECK(format_number(-2914, 0, html_numbers) == "\u22122\u202f914");
    CHECK(format_number(0.5, 2, html_numbers) == "0,50");
    // A value that rounds to zero has no sign: "-0" would read as a loss.
    CHECK(format_number(-0.004, 2, console_numbers) == "0,00");  // the console writes the decimal comma too
    CHECK(console_percent(3.7647) == "3,8 %");
    CHECK(console_minutes(9.6999) == "9,7");
    CHECK(format_number(-0.4, 0, console_numbers) == "0");
}

TEST_CASE("markup escaping is safe in XML and HTML text and attributes", "[core]") {
    CHECK(escape_markup("Service d'urgences") == "Service d&#39;urgences");
    CHECK(escape_markup("a<b & \"c\">") == "a&lt;b &amp; &quot;c&quot;&gt;");
    CHECK(escape_markup("Pôle — été") == "Pôle — été");  // UTF-8 passes through
    CHECK(escape_markup("") == "");
}
