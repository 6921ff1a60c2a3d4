#include "core/error.hpp"
#include "core/json.hpp"
#include "core/remote_interpreter.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;

namespace {

JsonValue search_of(const std::string& spec) {
    const RemoteInterpreter found = remote_interpreter(spec, false, "t");
    REQUIRE(found.command.empty());
    const auto json = parse_json(found.search);
    REQUIRE(json);
    return *json;
}

}  // namespace

TEST_CASE("remote interpreters: a name, a path or one version is a command run there as written") {
    CHECK(remote_interpreter("python3", false, "t").command == "python3");
    CHECK(remote_interpreter("mypython", false, "t").command == "mypython");
    CHECK(remote_interpreter("/opt/py/bin/python", false, "t").command == "/opt/py/bin/python");
    CHECK(remote_interpreter("3.11", false, "t").command == "python3.11");
    CHECK(remote_interpreter("3", false, "t").command == "python3");
    CHECK(remote_interpreter("py27", false, "t").command == "python2.7");
    CHECK(remote_interpreter("cp311", false, "t").command == "python3.11");
    CHECK(remote_interpreter("pypy3.9", false, "t").command == "pypy3.9");
    CHECK(remote_interpreter("pypy39", false, "t").command == "pypy3.9");
    CHECK(remote_interpreter("py38", true, "t").command == "python3.8");  // looked for in VENV/bin
    CHECK(remote_interpreter("3.11", false, "t").search.empty());
}

TEST_CASE("remote interpreters: ranges, conda: and pyenv: are searched there, parsed here") {
    JsonValue s = search_of(">=3.8,<3.12");
    CHECK(s.get("kind")->string == "version");
    CHECK(s.get("text")->string == ">=3.8,<3.12");
    CHECK(s.get("implementation")->string == "any");
    CHECK(s.get("describe")->string == "Python (any implementation) >=3.8,<3.12");
    const auto& clauses = s.get("clauses")->items;
    REQUIRE(clauses.size() == 2);
    CHECK(clauses[0].get("op")->string == ">=");
    CHECK(clauses[0].get("version")->items.size() == 3);
    CHECK(clauses[0].get("version")->items[1].number == 8);
    CHECK(clauses[0].get("parts")->number == 2);
    CHECK(clauses[0].get("prefix")->kind == JsonValue::Kind::boolean);
    CHECK_FALSE(clauses[0].get("prefix")->boolean);
    CHECK(clauses[1].get("op")->string == "<");

    // written with an operator, one version is a range too: searched, not run as python3.9
    s = search_of("==3.9.*");
    CHECK(s.get("clauses")->items[0].get("op")->string == "==");
    CHECK(s.get("clauses")->items[0].get("prefix")->boolean);
    CHECK(search_of("pypy>=3.9").get("implementation")->string == "PyPy");
    CHECK(search_of("cp~=3.10").get("clauses")->items[0].get("op")->string == "~=");

    s = search_of("pyenv:3.12");
    CHECK(s.get("kind")->string == "pyenv");
    CHECK(s.get("value")->string == "3.12");
    s = search_of("conda:/opt/envs/py39");
    CHECK(s.get("kind")->string == "conda");
    CHECK(s.get("value")->string == "/opt/envs/py39");
}

TEST_CASE("remote interpreters: malformed specs and searches with a venv are usage errors") {
    CHECK_THROWS_AS(remote_interpreter(">=3.8,<", false, "t"), UsageError);
    CHECK_THROWS_AS(remote_interpreter("conda:", false, "t"), UsageError);
    CHECK_THROWS_AS(remote_interpreter(">=3.8", true, "t"), UsageError);
    try {
        remote_interpreter("pyenv:3.12", true, "twin 'far'");
        FAIL("no error");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()).find("twin 'far': interpreter 'pyenv:3.12'") == 0);
        CHECK(std::string(e.what()).find("VENV/bin") != std::string::npos);
    }
}
