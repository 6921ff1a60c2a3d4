#include "core/toml_prescan.hpp"

#include "core/error.hpp"
#include "core/utf8.hpp"

#include <fmt/format.h>

#include <vector>


namespace cpy2py {
namespace {

/// Walks the text as TOML's lexer would, just enough to know what is inside a string or a
/// comment. A quote opens a string only where toml++ would parse one (after `=`, `[`, `{`,
/// `,`, at a line start, or after a dot within a key); elsewhere it is part of a broken
/// token, and so is what follows it. Exact on valid TOML; on broken input it may disagree
/// with toml++, which then reports an error of its own (the characters toml++ cannot
/// classify are swapped away in any case: core/toml_code_point_swap.hpp).
class Scanner {
public:
    Scanner(std::string_view text, const std::string& path) : text_(text), path_(path) {}

    void run() {
        if (at("\xEF\xBB\xBF")) i_ = 3;  // a byte order mark: the reader skips it
        while (i_ < text_.size()) {
            const char c = text_[i_];
            if (static_cast<unsigned char>(c) >= 0x80) reject("outside a string or comment (only ASCII is allowed "
                                                               "there; quote keys and values that need other characters)");
            if (c == '#') {
                skip_to_line_end();
                continue;
            }
            if ((c == '"' || c == '\'') && opens_string()) {
                string(c);
                prev_ = '"';
                continue;
            }
            token(c);
            advance();
        }
    }

private:
    bool opens_string() const {
        return prev_ == '\n' || prev_ == '=' || prev_ == '[' || prev_ == '{' || prev_ == ',' ||
               (prev_ == '.' && (in_key_ || in_header_));
    }

    /// Tracks key/value context and brackets for one character outside strings and comments.
    void token(char c) {
        switch (c) {
            case ' ':
            case '\t':
            case '\r':
                return;  // prev_ stays
            case '\n':
                if (brackets_.empty()) {
                    in_key_ = true;
                    in_header_ = false;
                }
                break;
            case '=':
                in_key_ = false;
                break;
            case '[':
                if (prev_ == '\n' && brackets_.empty() && in_key_) {
                    in_header_ = true;  // [table] or [[array of tables]]
                } else if (!in_header_) {
                    brackets_.push_back('[');
                    in_key_ = false;
                }
                break;
            case '{':
                brackets_.push_back('{');
                in_key_ = true;
                break;
            case ',':
                in_key_ = !brackets_.empty() && brackets_.back() == '{';
                break;
            case ']':
            case '}':
                if (!in_header_ && !brackets_.empty()) brackets_.pop_back();
                in_key_ = false;
                break;
            default:
                break;
        }
        prev_ = c;
    }

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

    /// A backslash in a basic string and the character it escapes (an escaped quote does not
    /// end the string).
    void escape() {
        advance();
        if (i_ < text_.size()) advance();
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
                escape();
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

    [[noreturn]] void reject(std::string_view where) const {
        const Utf8Char c = decode_utf8(text_, i_);
        // Columns count characters, as toml++ does: continuation bytes are not columns.
        std::size_t column = 1;
        for (std::size_t k = line_start_; k < i_; ++k) {
            if ((static_cast<unsigned char>(text_[k]) & 0xC0) != 0x80) ++column;
        }
        const std::string what = c.size == 0 ? std::string("a byte that is not UTF-8")
                                              : fmt::format("the character U+{:04X}", static_cast<unsigned>(c.cp));
        throw ConfigError(fmt::format("{}:{}:{}: invalid TOML: {} {}", path_, line_, column, what, where));
    }

    std::string_view text_;
    const std::string& path_;
    std::size_t i_ = 0;           ///< next byte to look at
    std::size_t line_ = 1;        ///< 1-based line of i_
    std::size_t line_start_ = 0;  ///< offset of the first byte of line_
    char prev_ = '\n';           ///< last character outside strings, comments and blanks; '\n' at a line start
    bool in_key_ = true;          ///< a key is expected or being read (not a value)
    bool in_header_ = false;      ///< inside a [table] or [[array]] header line
    std::vector<char> brackets_;  ///< open '[' (arrays) and '{' (inline tables) of the current value
};

/// TOML allows no control character but tab, LF and CR (of CRLF) anywhere, not even in
/// strings or comments; said here with the character's position, and before the scan above
/// (a NUL can make it read strings differently from toml++).
void reject_control_characters(std::string_view text, const std::string& path) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) {
            throw ConfigError(fmt::format("{}:{}:{}: invalid TOML: the control character U+{:04X} is not allowed "
                                          "(only tab and line ends are)",
                                          path, line, column, static_cast<unsigned>(byte)));
        }
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((byte & 0xC0) != 0x80) {
            ++column;
        }
    }
}

}  // namespace

void prescan_toml(std::string_view text, const std::string& path) {
    reject_control_characters(text, path);
    Scanner(text, path).run();
}

}  // namespace cpy2py
