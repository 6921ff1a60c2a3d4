// The swap that keeps the code points toml++ 3.3 cannot classify away from it.
#include "core/error.hpp"
#include "core/toml_code_point_swap.hpp"
#include "utf8_text.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace cpy2py;

using test::utf8_of;

namespace {

const std::string e_acute = "\xC3\xA9";  // U+00E9, unsafe

}  // namespace

TEST_CASE("code point swap: the unsafe code points are exactly toml++ 3.3's four ranges") {
    char32_t count = 0;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) count += is_toml_unsafe(cp) ? 1 : 0;
    CHECK(count == toml_unsafe_count);
    CHECK_FALSE(is_toml_unsafe(0xA0));  // no-break space: whitespace to toml++, answered
    CHECK(is_toml_unsafe(0xA1));
    CHECK(is_toml_unsafe(0x499));
    CHECK_FALSE(is_toml_unsafe(0x49A));
    CHECK_FALSE(is_toml_unsafe(0x2C5D));
    CHECK(is_toml_unsafe(0x2C5E));
    CHECK(is_toml_unsafe(0x2FFF));
    CHECK_FALSE(is_toml_unsafe(0x3000));  // ideographic space: answered
    CHECK(is_toml_unsafe(0x3001));
    CHECK(is_toml_unsafe(0x3057));
    CHECK_FALSE(is_toml_unsafe(0x3058));
    CHECK_FALSE(is_toml_unsafe(0xFB25));
    CHECK(is_toml_unsafe(0xFB26));
    CHECK(is_toml_unsafe(0xFEDF));
    CHECK(is_toml_unsafe(0xFEFE));
    CHECK_FALSE(is_toml_unsafe(0xFEFF));  // byte order mark: answered
}

TEST_CASE("code point swap: an involution between the unsafe code points and a private-use block") {
    const CodePointSwap swap = CodePointSwap::for_text("a = \"" + e_acute + "\"", "m.toml");
    REQUIRE(swap.active());
    const char32_t first = swap.first_placeholder();
    CHECK(first == 0xF0000);
    std::set<char32_t> placeholders;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const char32_t other = swap.swap(cp);
        CHECK(swap.swap(other) == cp);
        const bool placeholder = cp >= first && cp < first + toml_unsafe_count;
        if (is_toml_unsafe(cp)) {
            CHECK(other >= first);
            CHECK(other < first + toml_unsafe_count);
            placeholders.insert(other);
        } else if (placeholder) {
            CHECK(is_toml_unsafe(other));
        } else {
            CHECK(other == cp);
        }
    }
    CHECK(placeholders.size() == toml_unsafe_count);
    CHECK(swap.swap(0xA1) == first);
    CHECK(swap.swap(0xFEFE) == first + toml_unsafe_count - 1);
}

TEST_CASE("code point swap: nothing to do without unsafe code points") {
    CHECK_FALSE(CodePointSwap::for_text("a = 1\n", "m.toml").active());
    const std::string safe = "a = \"" + utf8_of(0xA0) + utf8_of(0x3000) + utf8_of(0xFEFF) + utf8_of(0x1F600) + utf8_of(0xF0000) + "\"";
    const CodePointSwap swap = CodePointSwap::for_text(safe, "m.toml");
    CHECK_FALSE(swap.active());
    CHECK(swap.hide(safe) == safe);
    CHECK(swap.restore(safe) == safe);
}

TEST_CASE("code point swap: hide replaces one code point by one, restore undoes it") {
    const std::string text = "# " + e_acute + "\na = \"" + utf8_of(0xFB26) + "x" + utf8_of(0xFEDF) + utf8_of(0x2C5E) + utf8_of(0x3000) + "\"\n";
    const CodePointSwap swap = CodePointSwap::for_text(text, "m.toml");
    const std::string hidden = swap.hide(text);
    CHECK(hidden == "# " + utf8_of(swap.swap(0xE9)) + "\na = \"" + utf8_of(swap.swap(0xFB26)) + "x" + utf8_of(swap.swap(0xFEDF)) +
                        utf8_of(swap.swap(0x2C5E)) + utf8_of(0x3000) + "\"\n");
    CHECK(swap.restore(hidden) == text);
    // Unsafe code points in what toml++ hands back came from escapes: they stay.
    CHECK(swap.restore(e_acute + utf8_of(swap.swap(0xE9))) == e_acute + e_acute);
}

TEST_CASE("code point swap: bytes that are not UTF-8 pass through") {
    const std::string text = e_acute + "\xFF \xC3 \xC1\xA9 \xED\xA0\x80 \xF8\x88\x80\x80\x80 \xE2\xB1";
    const CodePointSwap swap = CodePointSwap::for_text(text, "m.toml");
    REQUIRE(swap.active());
    CHECK(swap.hide(text) == utf8_of(swap.swap(0xE9)) + text.substr(2));
}

TEST_CASE("code point swap: a block the text uses, written out or as an escape, is not taken") {
    CHECK(CodePointSwap::for_text(e_acute + utf8_of(0xF0005), "m.toml").first_placeholder() == 0xF0000 + toml_unsafe_count);
    CHECK(CodePointSwap::for_text(e_acute + "\\U000F0005", "m.toml").first_placeholder() == 0xF0000 + toml_unsafe_count);
    CHECK(CodePointSwap::for_text(e_acute + "\\U000f0000 \\uF000", "m.toml").first_placeholder() ==
          0xF0000 + toml_unsafe_count);
    std::string every_block = e_acute;
    for (char32_t k = 0; k < 21; ++k) every_block += utf8_of(0xF0000 + k * toml_unsafe_count) + utf8_of(0x100000 + k * toml_unsafe_count);
    try {
        CodePointSwap::for_text(every_block, "m.toml");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).rfind("m.toml: cannot read this manifest: it uses private-use characters", 0) == 0);
    }
    CHECK(CodePointSwap::for_text(every_block.substr(2), "m.toml").active() == false);  // no unsafe one: fine
}

TEST_CASE("code point swap: toml++'s quoting of a placeholder in a message quotes the original") {
    const CodePointSwap swap = CodePointSwap::for_text(e_acute, "m.toml");
    CHECK(swap.restore_message("unexpected character '\\U000F0048'") == "unexpected character '\\u00E9'");
    CHECK(swap.restore_message("saw '" + utf8_of(0xF0048) + "' and '\\U0001F600'") == "saw '" + e_acute + "' and '\\U0001F600'");
}
