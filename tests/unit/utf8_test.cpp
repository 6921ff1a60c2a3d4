// UTF-8 one code point at a time, against byte sequences written out by hand.
#include "core/utf8.hpp"
#include "utf8_text.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;

using test::utf8_of;

TEST_CASE("utf8: encodes one to four bytes at each length's edges") {
    CHECK(utf8_of(U'A') == "A");
    CHECK(utf8_of(0x7F) == "\x7F");
    CHECK(utf8_of(0x80) == "\xC2\x80");
    CHECK(utf8_of(0xE9) == "\xC3\xA9");
    CHECK(utf8_of(0x7FF) == "\xDF\xBF");
    CHECK(utf8_of(0x800) == "\xE0\xA0\x80");
    CHECK(utf8_of(0xFEDF) == "\xEF\xBB\x9F");
    CHECK(utf8_of(0xFFFF) == "\xEF\xBF\xBF");
    CHECK(utf8_of(0x10000) == "\xF0\x90\x80\x80");
    CHECK(utf8_of(0x10FFFF) == "\xF4\x8F\xBF\xBF");
}

TEST_CASE("utf8: decodes what it encodes, with the size read") {
    for (char32_t cp : {U'A', char32_t{0x80}, char32_t{0xE9}, char32_t{0x7FF}, char32_t{0x800}, char32_t{0xFEDF},
                        char32_t{0xFFFF}, char32_t{0x10000}, char32_t{0xF0000}, char32_t{0x10FFFF}}) {
        const std::string text = "x" + utf8_of(cp) + "y";
        const Utf8Char c = decode_utf8(text, 1);
        CHECK(c.cp == cp);
        CHECK(c.size == text.size() - 2);
    }
}

TEST_CASE("utf8: malformed sequences decode to size 0") {
    CHECK(decode_utf8("\x80", 0).size == 0);              // a continuation byte first
    CHECK(decode_utf8("\xC3", 0).size == 0);              // cut short at the end
    CHECK(decode_utf8("\xC3(", 0).size == 0);             // not a continuation byte
    CHECK(decode_utf8("\xC0\x80", 0).size == 0);          // overlong
    CHECK(decode_utf8("\xED\xA0\x80", 0).size == 0);      // a surrogate
    CHECK(decode_utf8("\xF4\x90\x80\x80", 0).size == 0);  // past U+10FFFF
    CHECK(decode_utf8("\xF5\x80\x80\x80", 0).size == 0);  // no such lead byte
}
