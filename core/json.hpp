#pragma once
// A small JSON reader for the STATS control line (docs/DESIGN.md, "Call statistics"):
// objects, arrays, strings, numbers, true/false/null; nesting limited. Pure logic.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpy2py {

struct JsonValue {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;                                       ///< Kind::boolean
    double number = 0;                                          ///< Kind::number
    std::string string;                                         ///< Kind::string (UTF-8)
    std::vector<JsonValue> items;                               ///< Kind::array
    std::vector<std::pair<std::string, JsonValue>> members;     ///< Kind::object, in order

    /// The member named `key` of an object (the last one if repeated), or null.
    const JsonValue* get(std::string_view key) const;
};

/// Parses one JSON text (surrounding whitespace allowed); nullopt when it is not valid
/// JSON or nests deeper than 32 levels.
std::optional<JsonValue> parse_json(std::string_view text);

}  // namespace cpy2py
