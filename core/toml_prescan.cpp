#include "core/toml_prescan.hpp"

#include "core/error.hpp"

#include <fmt/format.h>


namespace cpy2py {
namespace {

/// The code point starting at `text[i]` (a non-ASCII lead byte), or -1 for invalid UTF-8.
long decode(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned lead = byte(i);
    const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
    if (extra < 0 || lead > 0xF4 || i + static_cast<std::size_t>(extra) >= text.size()) return -1;
    long cp = static_cast<long>(lead & (0x3Fu >> extra));
    for (int k = 1; k <= extra; ++k) {
        const unsigned next = byte(i + static_cast<std::size_t>(k));
        if ((next & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | static_cast<long>(next & 0x3F);
    }
    return cp;
}

/// Walks the text as TOML's lexer would for strings and comments; everything else is
/// "outside". Invalid TOML may desynchronise us only after toml++ would stop anyway.
class Scanner {
public:
    Scanner(std::string_view text, const std::string& path) : text_(text), path_(path) {}

    void run() {
        while (i_ < text_.size()) {
            const char c = text_[i_];
            if (c == '#') {
                skip_to_line_end();
            } else if (c == '"' || c == '\'') {
                string(c);
            } else if (static_cast<unsigned char>(c) >= 0x80) {
                reject();
            } else {
                advance();
            }
        }
    }

private:
    void advance() {
        if (text_[i_] == '\n') {
            ++line_;
            line_start_ = i_ + 1;
        }
        ++i_;
    }

    bool at(std::string_view s) const { return text_.substr(i_, s.size()) == s; }

    void skip_to_line_end() {
        while (i_ < text_.size() && text_[i_] != '\n') ++i_;
    }

    /// From an opening quote to after the closing one; a single-line string also ends at a
    /// newline (invalid TOML: toml++ reports it).
    void string(char quote) {
        const std::string triple(3, quote);
        const bool multi = at(triple);
        const bool escapes = quote == '"';
        i_ += multi ? 3 : 1;
        while (i_ < text_.size()) {
            const char c = text_[i_];
            if (escapes && c == '\\') {
                advance();
                if (i_ < text_.size()) advance();
                continue;
            }
            if (!multi && c == '\n') return;
            if (c == quote && (!multi || at(triple))) {
                std::size_t run = 0;
                while (i_ + run < text_.size() && text_[i_ + run] == quote) ++run;
                // A multi-line string may end with up to two quotes of its own before the delimiter.
                i_ += multi ? (run <= 5 ? run : 3) : 1;
                return;
            }
            advance();
        }
    }

    [[noreturn]] void reject() const {
        const long cp = decode(text_, i_);
        // Columns count characters, as toml++ does: continuation bytes are not columns.
        std::size_t column = 1;
        for (std::size_t k = line_start_; k < i_; ++k) {
            if ((static_cast<unsigned char>(text_[k]) & 0xC0) != 0x80) ++column;
        }
        const std::string what = cp < 0 ? std::string("a byte that is not UTF-8")
                                         : fmt::format("the character U+{:04X}", cp);
        throw ConfigError(fmt::format("{}:{}:{}: invalid TOML: {} outside a string or comment (only ASCII is "
                                      "allowed there; quote keys and values that need other characters)",
                                      path_, line_, column, what));
    }

    std::string_view text_;
    const std::string& path_;
    std::size_t i_ = 0;           ///< next byte to look at
    std::size_t line_ = 1;        ///< 1-based line of i_
    std::size_t line_start_ = 0;  ///< offset of the first byte of line_
};

}  // namespace

void prescan_toml(std::string_view text, const std::string& path) { Scanner(text, path).run(); }

}  // namespace cpy2py
