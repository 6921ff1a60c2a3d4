// The pre-scan's clear errors for non-ASCII characters outside strings and comments and for
// control characters (what toml++ cannot classify is swapped away: toml_parse_test.cpp).
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/toml_prescan.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;

namespace {

/// The message prescan_toml throws for `text`, or "" when it accepts it.
std::string prescan_error(const std::string& text) {
    try {
        prescan_toml(text, "m.toml");
    } catch (const Error& e) {
        CHECK(e.code() == exit_status::config);
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("prescan: U+FEFE after a key is rejected with its position, before toml++ sees it") {
    const std::string text = "[main]\nid\xEF\xBB\xBE = \"x\"\n";
    CHECK(prescan_error(text).rfind("m.toml:2:3: invalid TOML: the character U+FEFE outside a string", 0) == 0);
    try {
        parse_manifest(text, "m.toml", "/");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).rfind("m.toml:2:3: ", 0) == 0);
    }
    CHECK(prescan_error("a = 1\xEF\xAC\x86\n").rfind("m.toml:1:6: ", 0) == 0);  // U+FB06
}

TEST_CASE("prescan: columns count characters, not bytes") {
    CHECK(prescan_error("a = \"\xC3\xA9\xC3\xA9\" \xC3\xA9").rfind("m.toml:1:10: ", 0) == 0);
}

TEST_CASE("prescan: non-ASCII inside strings and comments is fine") {
    CHECK(prescan_error("# caf\xC3\xA9\na = \"caf\xC3\xA9\"\nb = 'caf\xC3\xA9'\n\"k\xC3\xA9y\" = 1\n") == "");
    CHECK(prescan_error("a = \"\"\"\nline \xEF\xBB\xBE\n\"\"\"\nb = '''\xEF\xBB\xBE'''\n") == "");
    CHECK(prescan_error("a = \"esc \\\" \xC3\xA9\"\n") == "");  // an escaped quote does not end it
}

TEST_CASE("prescan: a multi-line string may end with quotes of its own") {
    CHECK(prescan_error("a = \"\"\"x\"\"\"\"\" # \xC3\xA9\n") == "");
    CHECK(prescan_error("a = '''x'''' \xC3\xA9\n").rfind("m.toml:1:14: ", 0) == 0);
}

TEST_CASE("prescan: invalid UTF-8 outside strings is named as such") {
    CHECK(prescan_error("a = 1 \xFF\n").find("a byte that is not UTF-8") != std::string::npos);
}

TEST_CASE("prescan: a quote inside a broken token opens no string") {
    // Found by the fuzzer: toml++ reads `1"pyp...` as one token and tests every character.
    CHECK(prescan_error("[twins.pypy]\ninterpreter =1\"pyp \xC3\xBB\"\n").rfind("m.toml:2:20: ", 0) == 0);
    CHECK(prescan_error("a = 1.\"\xC3\xA9\"\n").rfind("m.toml:1:8: ", 0) == 0);
    CHECK(prescan_error("a.\"k\xC3\xA9\" = 1\n[b.\"\xC3\xA9\"]\nc = { d.\"\xC3\xA9\" = 1 }\n") == "");
    CHECK(prescan_error("a = [\n  \"\xC3\xA9\",\n  [\"\xC3\xA9\"], { b = \"\xC3\xA9\" } ]\n") == "");
}

TEST_CASE("prescan: non-ASCII right after a backslash is left to toml++ (swapped away before it parses)") {
    CHECK(prescan_error("a = \"\"\"x\\\n   \xC3\xA9t\xC3\xA9\"\"\"\n") == "");
    CHECK(prescan_error("a = \"\\\xC3\xA9\"\n") == "");
    CHECK(prescan_error("a = \"\"\"x\\\n\\\n   \xC3\xA9t\n") == "");
    try {
        parse_manifest("a = \"\\\xC3\xA9\"\n", "m.toml", "/");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).rfind("m.toml:1:", 0) == 0);
        CHECK(std::string(e.what()).find("invalid TOML") != std::string::npos);
    }
}

TEST_CASE("prescan: a byte order mark at the start is fine") {
    CHECK(prescan_error("\xEF\xBB\xBF" "a = 1\n") == "");
}

TEST_CASE("prescan: control characters are refused anywhere, with their position (a fuzzer's find)") {
    const std::string nul_then_string("e=1rt\0\0[[['nw\xD1\xAC", 14);
    CHECK(prescan_error(nul_then_string).rfind("m.toml:1:6: invalid TOML: the control character U+0000", 0) == 0);
    CHECK(prescan_error("# fine\n# \x01 in a comment\n").rfind("m.toml:2:3: invalid TOML: the control character U+0001", 0) == 0);
    CHECK(prescan_error("a = \"tab\there\"\r\nb = 1\n").empty());
}
