#pragma once
// toml++ 3.3's "is this non-ASCII whitespace?" (impl::is_non_ascii_horizontal_whitespace)
// reaches __builtin_unreachable, undefined behaviour, for 3019 code points: U+00A1-U+0499,
// U+2C5E-U+2FFF, U+3001-U+3057 and U+FB26-U+FEFE (found by calling it for every code point;
// no other classification in 3.3 has such points). Which characters toml++ asks about on
// broken input is hard to predict, so it never sees these: before parsing, each is swapped
// for a private-use placeholder, one code point for one (line and column in toml++'s errors
// stay right, and no placeholder is whitespace or ends a token), and the placeholders in
// every string read back are swapped back. Pure logic.
#include <string>
#include <string_view>

namespace cpy2py {

/// Whether toml++ 3.3 cannot classify `cp` (see above).
bool is_toml_unsafe(char32_t cp);

/// How many code points is_toml_unsafe() holds: the size of a placeholder block.
inline constexpr char32_t toml_unsafe_count = 3019;

/// The swap for one manifest text.
class CodePointSwap {
public:
    /// Inactive when `text` holds no unsafe code point (then nothing is copied). Otherwise the
    /// placeholders are the first block of private-use code points (planes 15 and 16) that
    /// `text` uses neither written out nor as a \u or \U escape, so that every placeholder
    /// toml++ hands back came from the swap. Throws ConfigError naming `path` when every
    /// block is used.
    static CodePointSwap for_text(std::string_view text, const std::string& path);

    bool active() const { return first_ != 0; }
    /// The placeholder of U+00A1; 0 when inactive.
    char32_t first_placeholder() const { return first_; }

    /// The involution: the k-th unsafe code point <-> the k-th placeholder; others unchanged.
    char32_t swap(char32_t cp) const;

    /// `text` with swap() applied to every code point; bytes that are not UTF-8 pass through
    /// unchanged (toml++ rejects them).
    std::string hide(std::string_view text) const;

    /// A string toml++ read back with its placeholders swapped back. Unsafe code points in it
    /// stay as they are: toml++ decoded them from escapes such as \u00e9 itself.
    std::string restore(std::string_view s) const;

    /// A toml++ error description restored, also where it quotes a placeholder as \UXXXXXXXX.
    std::string restore_message(std::string_view message) const;

private:
    explicit CodePointSwap(char32_t first) : first_(first) {}

    char32_t first_ = 0;  ///< placeholder of the first unsafe code point; 0: inactive
};

}  // namespace cpy2py
