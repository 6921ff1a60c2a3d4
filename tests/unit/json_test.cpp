// The small JSON reader behind the STATS line.
#include "core/json.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;

TEST_CASE("json: objects, arrays, strings, numbers and literals") {
    const auto v = parse_json(R"( {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"\\\n\u00e9\ud83d\ude00"}} )");
    REQUIRE(v);
    REQUIRE(v->kind == JsonValue::Kind::object);
    const JsonValue* a = v->get("a");
    REQUIRE(a);
    REQUIRE(a->items.size() == 5);
    CHECK(a->items[0].number == 1);
    CHECK(a->items[1].number == -2500);
    CHECK(a->items[2].boolean);
    CHECK(a->items[4].kind == JsonValue::Kind::null);
    CHECK(v->get("b")->get("c")->string == "x\"\\\n\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(v->get("missing") == nullptr);
}

TEST_CASE("json: anything else is refused") {
    for (const char* bad : {"", "{", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "+1", "nan", "01x", "\"\x01\"", "tru",
                            "{} x", "\"\\q\"", "\"\\u12\""}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_json(bad));
    }
    CHECK_FALSE(parse_json(std::string(100, '[') + std::string(100, ']')));  // too deep
    CHECK(parse_json(std::string(20, '[') + std::string(20, ']')));
}
