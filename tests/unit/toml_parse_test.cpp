// Manifest text through toml++ 3.3 with the characters it cannot classify swapped away:
// strings and keys read back exactly, errors quote the original characters at the right
// column, and the fuzzer's inputs that reached toml++'s unreachable point are clear errors.
#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/toml_parse.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;

namespace {

const std::string e_acute = "\xC3\xA9";       // U+00E9
const std::string st_ligature = "\xEF\xAC\x86";  // U+FB06
const std::string feh = "\xEF\xBB\x9F";          // U+FEDF
const std::string ideographic_space = "\xE3\x80\x80";  // U+3000 (whitespace to toml++)
const std::string glagolitic = "\xE2\xB1\x9E";   // U+2C5E
const std::string all = e_acute + st_ligature + feh + ideographic_space + glagolitic;

/// The ConfigError message for `text`, or "" when it parses.
std::string toml_error(const std::string& text) {
    try {
        parse_toml(text, "m.toml");
    } catch (const Error& e) {
        CHECK(e.code() == exit_status::config);
        return e.what();
    }
    return "";
}

std::string manifest_error(const std::string& text) {
    try {
        parse_manifest(text, "m.toml", "/");
    } catch (const Error& e) {
        CHECK(e.code() == exit_status::config);
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("toml parse: strings and quoted keys read back exactly") {
    const std::string text = "# " + all + "\n"
                             "\"k" + all + "\" = \"v" + all + "\"\n"
                             "lit = '" + all + "' # " + all + "\n"
                             "multi = \"\"\"\n" + all + "\\\n  " + all + "\"\"\"\n"
                             "[t.\"" + all + "\"]\n"
                             "a = [\"" + all + "\", { \"" + feh + "\" = '" + all + "' }]\n"
                             "[[arr]]\n"
                             "x = \"" + st_ligature + "\"\n";
    const toml::table doc = parse_toml(text, "m.toml");
    CHECK(doc["k" + all].value<std::string>() == "v" + all);
    CHECK(doc["lit"].value<std::string>() == all);
    CHECK(doc["multi"].value<std::string>() == all + all);
    const auto t = doc["t"][all];
    CHECK(t["a"][0].value<std::string>() == all);
    CHECK(t["a"][1][feh].value<std::string>() == all);
    CHECK(doc["arr"][0]["x"].value<std::string>() == st_ligature);
    // The keys keep their positions (the manifest reads twins in declaration order by them).
    REQUIRE(doc.get("k" + all));
    CHECK(doc.find("k" + all)->first.source().begin.line == 2);
    CHECK(doc.find("k" + all)->first.source().begin.column == 1);
}

TEST_CASE("toml parse: escapes keep meaning what they say beside swapped characters") {
    const std::string text = "a = \"\\u00e9" + e_acute + "\\U000000E9\"\n"
                             "b = '\\u00e9" + e_acute + "'\n"
                             "c = \"\\\\u00e9\"\n";
    const toml::table doc = parse_toml(text, "m.toml");
    CHECK(doc["a"].value<std::string>() == e_acute + e_acute + e_acute);
    CHECK(doc["b"].value<std::string>() == "\\u00e9" + e_acute);
    CHECK(doc["c"].value<std::string>() == "\\u00e9");
    // The same key once written out and once as an escape: two keys to toml++, one to TOML.
    CHECK(toml_error("\"" + e_acute + "\" = 1\n\"\\u00e9\" = 2\n").rfind("m.toml:", 0) == 0);
    CHECK(toml_error("\"" + e_acute + "\" = 1\n\"\\u00e9\" = 2\n").find("defined twice") != std::string::npos);
}

TEST_CASE("toml parse: the manifest reads back env names and values, args and ids exactly") {
    const Manifest m = parse_manifest("[main]\nscript = \"app" + all + ".py\"\nargs = [\"" + all + "\"]\n"
                                      "env = { \"N" + e_acute + "\" = \"" + all + "\" }\n"
                                      "[twins.x]\ninterpreter = \"python3\"\nenv = { \"" + feh + "\" = \"" + feh + "\" }\n",
                                      "m.toml", "/");
    CHECK(m.main.target == "/app" + all + ".py");
    CHECK(m.main.args == std::vector<std::string>{all});
    CHECK(m.main.env.at("N" + e_acute) == all);
    REQUIRE(m.twins.size() == 1);
    CHECK(m.twins[0].env.at(feh) == feh);
}

TEST_CASE("toml parse: error messages quote the original characters") {
    // Ours, quoting user text.
    CHECK(manifest_error("[main]\n\"" + e_acute + "\" = 1\n").rfind("m.toml:2:1: unknown key '" + e_acute + "'", 0) == 0);
    CHECK(manifest_error("[main]\nid = \"" + feh + "\"\n").rfind("m.toml:2:6: id '" + feh + "' is not a valid id", 0) == 0);
    CHECK(manifest_error("[twins.\"" + st_ligature + "\"]\ninterpreter = \"python3\"\n")
              .rfind("m.toml:1:8: twin id '" + st_ligature + "' is not valid", 0) == 0);
    // toml++'s (its quoting of a character as \UXXXXXXXX: toml_code_point_swap_test.cpp).
    CHECK(toml_error("a = \"\\" + e_acute + "\"\n") ==
          "m.toml:1:7: invalid TOML: Error while parsing string: unknown escape sequence '\\" + e_acute + "'");
}

TEST_CASE("toml parse: columns in toml++'s errors count the original characters") {
    // Same error, same position, whether the string before it holds swapped characters or not.
    const std::string plain = toml_error("a = \"xyz\" b\n");
    CHECK(plain.rfind("m.toml:1:11: invalid TOML: ", 0) == 0);
    CHECK(toml_error("a = \"" + e_acute + feh + glagolitic + "\" b\n") == plain);
}

TEST_CASE("toml parse: the fuzzer's inputs that reached toml++'s unreachable point are clear errors") {
    // A quote inside a broken token: the pre-scan took `"e["-O` for a string, toml++ did not.
    CHECK(toml_error("\nr= -777main7\"e[\"-O" + feh + "\n\"\n").rfind("m.toml:2:", 0) == 0);
    CHECK(toml_error("\nr= -777main7\"e[\"-O" + e_acute + "\n\"\n").find("invalid TOML") != std::string::npos);
    CHECK(toml_error("a = 7\"b[\"" + std::string("\xEF\xAC\xA6") + "\n").find("invalid TOML") != std::string::npos);
    CHECK(toml_error("a= 1x\"[\"\xE3\x80\x81\"\n").find("invalid TOML") != std::string::npos);
}
