#include "core/json.hpp"

#include "core/utf8.hpp"

#include <charconv>
#include <cmath>

namespace cpy2py {
namespace {

constexpr int kMaxDepth = 32;

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    std::optional<JsonValue> document() {
        JsonValue value;
        if (!parse(value, 0)) return std::nullopt;
        skip_space();
        if (i_ != text_.size()) return std::nullopt;
        return value;
    }

private:
    void skip_space() {
        while (i_ < text_.size() && (text_[i_] == ' ' || text_[i_] == '\t' || text_[i_] == '\n' || text_[i_] == '\r'))
            ++i_;
    }

    bool literal(std::string_view word) {
        if (text_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }

    bool parse(JsonValue& out, int depth) {
        if (depth > kMaxDepth) return false;
        skip_space();
        if (i_ >= text_.size()) return false;
        switch (text_[i_]) {
            case '{': return object(out, depth);
            case '[': return array(out, depth);
            case '"': out.kind = JsonValue::Kind::string; return string(out.string);
            case 't': out.kind = JsonValue::Kind::boolean; out.boolean = true; return literal("true");
            case 'f': out.kind = JsonValue::Kind::boolean; return literal("false");
            case 'n': out.kind = JsonValue::Kind::null; return literal("null");
            default: out.kind = JsonValue::Kind::number; return number(out.number);
        }
    }

    bool object(JsonValue& out, int depth) {
        out.kind = JsonValue::Kind::object;
        ++i_;
        skip_space();
        if (literal("}")) return true;
        for (;;) {
            skip_space();
            std::string key;
            if (i_ >= text_.size() || text_[i_] != '"' || !string(key)) return false;
            skip_space();
            if (!literal(":")) return false;
            JsonValue value;
            if (!parse(value, depth + 1)) return false;
            out.members.emplace_back(std::move(key), std::move(value));
            skip_space();
            if (literal("}")) return true;
            if (!literal(",")) return false;
        }
    }

    bool array(JsonValue& out, int depth) {
        out.kind = JsonValue::Kind::array;
        ++i_;
        skip_space();
        if (literal("]")) return true;
        for (;;) {
            JsonValue value;
            if (!parse(value, depth + 1)) return false;
            out.items.push_back(std::move(value));
            skip_space();
            if (literal("]")) return true;
            if (!literal(",")) return false;
        }
    }

    bool number(double& out) {
        // JSON's grammar is a subset of what from_chars accepts, minus a leading '+', "inf", "nan".
        const char* begin = text_.data() + i_;
        const char* end = text_.data() + text_.size();
        if (begin == end || !(*begin == '-' || (*begin >= '0' && *begin <= '9'))) return false;
        const auto [ptr, ec] = std::from_chars(begin, end, out);
        if (ec != std::errc{} || !std::isfinite(out)) return false;
        i_ += static_cast<std::size_t>(ptr - begin);
        return true;
    }

    bool hex4(unsigned long& out) {
        if (i_ + 4 > text_.size()) return false;
        const auto [ptr, ec] = std::from_chars(text_.data() + i_, text_.data() + i_ + 4, out, 16);
        if (ec != std::errc{} || ptr != text_.data() + i_ + 4) return false;
        i_ += 4;
        return true;
    }

    bool string(std::string& out) {
        ++i_;  // the opening quote
        while (i_ < text_.size()) {
            const char c = text_[i_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= text_.size()) return false;
            const char e = text_[i_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned long cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp < 0xDC00 && literal("\\u")) {
                        unsigned long low = 0;
                        if (!hex4(low) || low < 0xDC00 || low >= 0xE000) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, static_cast<char32_t>(cp));
                    break;
                }
                default: return false;
            }
        }
        return false;  // unterminated
    }

    std::string_view text_;
    std::size_t i_ = 0;  ///< next character to read
};

}  // namespace

const JsonValue* JsonValue::get(std::string_view key) const {
    const JsonValue* found = nullptr;
    for (const auto& [name, value] : members) {
        if (name == key) found = &value;
    }
    return found;
}

std::optional<JsonValue> parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace cpy2py
