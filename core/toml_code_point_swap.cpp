#include "core/toml_code_point_swap.hpp"

#include "core/error.hpp"
#include "core/utf8.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>

namespace cpy2py {
namespace {

struct Range {
    char32_t first;
    char32_t last;
};

/// The unsafe code points, in order; the k-th of them (counting through the ranges) has the
/// k-th placeholder of a block.
constexpr std::array<Range, 4> unsafe_ranges{{{0x00A1, 0x0499}, {0x2C5E, 0x2FFF}, {0x3001, 0x3057}, {0xFB26, 0xFEFE}}};

/// Placeholder blocks: 21 in each of the private-use planes 15 and 16 (65534 code points each).
constexpr char32_t blocks_per_plane = 21;
constexpr std::array<char32_t, 2> plane_starts{0xF0000, 0x100000};
constexpr char32_t block_count = blocks_per_plane * plane_starts.size();

char32_t block_start(char32_t block) {
    return plane_starts[block / blocks_per_plane] + (block % blocks_per_plane) * toml_unsafe_count;
}

/// The block `cp` lies in, if any.
std::optional<char32_t> block_of(char32_t cp) {
    for (char32_t plane = 0; plane < plane_starts.size(); ++plane) {
        const char32_t start = plane_starts[plane];
        if (cp >= start && cp < start + blocks_per_plane * toml_unsafe_count)
            return plane * blocks_per_plane + (cp - start) / toml_unsafe_count;
    }
    return std::nullopt;
}

/// Position of `cp` among the unsafe code points, if it is one.
std::optional<char32_t> unsafe_index(char32_t cp) {
    char32_t before = 0;
    for (const Range& r : unsafe_ranges) {
        if (cp < r.first) return std::nullopt;
        if (cp <= r.last) return before + (cp - r.first);
        before += r.last - r.first + 1;
    }
    return std::nullopt;
}

char32_t unsafe_at(char32_t index) {
    for (const Range& r : unsafe_ranges) {
        if (index <= r.last - r.first) return r.first + index;
        index -= r.last - r.first + 1;
    }
    return 0;  // not reached: index < toml_unsafe_count
}

/// The value of `digits` hex digits at text[i], if they are all there.
std::optional<char32_t> hex_at(std::string_view text, std::size_t i, std::size_t digits) {
    if (i + digits > text.size()) return std::nullopt;
    std::uint_least64_t value = 0;
    for (std::size_t k = i; k < i + digits; ++k) {
        const char c = text[k];
        const int digit = c >= '0' && c <= '9' ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0) return std::nullopt;
        value = value * 16 + static_cast<unsigned>(digit);
    }
    if (value > 0x10FFFF) return std::nullopt;
    return static_cast<char32_t>(value);
}

/// The code point a \u or \U escape starting at text[i] (a backslash) would stand for. Found
/// anywhere, not only in basic strings: erring towards "used" only skips a block.
std::optional<char32_t> escape_at(std::string_view text, std::size_t i) {
    if (i + 1 >= text.size()) return std::nullopt;
    if (text[i + 1] == 'u') return hex_at(text, i + 2, 4);
    if (text[i + 1] == 'U') return hex_at(text, i + 2, 8);
    return std::nullopt;
}

/// `text` with `map` applied to each well-formed code point; other bytes copied.
template <typename Map>
std::string map_code_points(std::string_view text, Map map) {
    std::string out;
    out.reserve(text.size() + text.size() / 2);
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Char d = decode_utf8(text, i);
        if (d.size == 0) {
            out += text[i++];
            continue;
        }
        append_utf8(out, map(d.cp));
        i += d.size;
    }
    return out;
}

}  // namespace

bool is_toml_unsafe(char32_t cp) { return unsafe_index(cp).has_value(); }

CodePointSwap CodePointSwap::for_text(std::string_view text, const std::string& path) {
    bool unsafe = false;
    std::array<bool, block_count> used{};
    for (std::size_t i = 0; i < text.size();) {
        std::optional<char32_t> cp;
        std::size_t size = 1;
        if (text[i] == '\\') {
            cp = escape_at(text, i);
        } else if (static_cast<unsigned char>(text[i]) >= 0x80) {
            const Utf8Char d = decode_utf8(text, i);
            if (d.size > 0) {
                cp = d.cp;
                size = d.size;
                unsafe = unsafe || is_toml_unsafe(d.cp);
            }
        }
        if (cp) {
            if (const auto block = block_of(*cp)) used[*block] = true;
        }
        i += size;
    }
    if (!unsafe) return CodePointSwap(0);
    for (char32_t block = 0; block < block_count; ++block) {
        if (!used[block]) return CodePointSwap(block_start(block));
    }
    throw ConfigError(fmt::format(
        "{}: cannot read this manifest: it uses private-use characters from all of U+F0000-U+FF79D and "
        "U+100000-U+10F79D, where cpy2py-run needs {} unused ones to stand in for other characters while toml++ "
        "reads the file; remove some of them",
        path, static_cast<unsigned>(toml_unsafe_count)));
}

char32_t CodePointSwap::swap(char32_t cp) const {
    if (!active()) return cp;
    if (const auto k = unsafe_index(cp)) return first_ + *k;
    if (cp >= first_ && cp < first_ + toml_unsafe_count) return unsafe_at(cp - first_);
    return cp;
}

std::string CodePointSwap::hide(std::string_view text) const {
    if (!active()) return std::string(text);
    return map_code_points(text, [this](char32_t cp) { return swap(cp); });
}

std::string CodePointSwap::restore(std::string_view s) const {
    if (!active()) return std::string(s);
    return map_code_points(s, [this](char32_t cp) {
        return cp >= first_ && cp < first_ + toml_unsafe_count ? unsafe_at(cp - first_) : cp;
    });
}

std::string CodePointSwap::restore_message(std::string_view message) const {
    const std::string raw = restore(message);
    if (!active()) return raw;
    // toml++ quotes a non-ASCII character as \u plus 4 or \U plus 8 upper-case hex digits;
    // the original is then quoted the same way.
    std::string out;
    for (std::size_t i = 0; i < raw.size();) {
        if (raw.compare(i, 2, "\\U") == 0) {
            const auto cp = hex_at(raw, i + 2, 8);
            if (cp && *cp >= first_ && *cp < first_ + toml_unsafe_count) {
                out += fmt::format("\\u{:04X}", static_cast<unsigned>(unsafe_at(*cp - first_)));
                i += 10;
                continue;
            }
        }
        out += raw[i++];
    }
    return out;
}

}  // namespace cpy2py
