#pragma once
// UTF-8 one code point at a time, for the manifest's checks and the JSON reader. Pure logic.
#include <cstddef>
#include <string>
#include <string_view>

namespace cpy2py {

/// One code point read from UTF-8; `size` 0 when the bytes at the position are not
/// well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
struct Utf8Char {
    char32_t cp = 0;
    std::size_t size = 0;
};

/// The code point starting at `text[i]` (`i` < `text.size()`).
Utf8Char decode_utf8(std::string_view text, std::size_t i);

/// Appends the UTF-8 encoding of `cp` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace cpy2py
