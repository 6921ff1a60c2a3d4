#include "core/interpreter_spec.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;

namespace {

using Kind = InterpreterSpec::Kind;

PythonVersion v(const std::string& text) { return parse_python_version(text).value(); }

/// True when `spec` (a version request) accepts implementation `impl` at `version`.
bool accepts(const std::string& spec, const std::string& impl, const std::string& version) {
    const InterpreterSpec s = parse_interpreter_spec(spec);
    REQUIRE(s.kind == Kind::version);
    return s.request.accepts(impl, v(version));
}

struct Case {
    const char* spec;
    const char* implementation;
    const char* version;
    bool accepted;
};

void check_table(std::initializer_list<Case> cases) {
    for (const auto& c : cases) {
        CAPTURE(c.spec);
        CAPTURE(c.version);
        CHECK(accepts(c.spec, c.implementation, c.version) == c.accepted);
    }
}

}  // namespace

TEST_CASE("interpreter spec: versions parse and compare") {
    CHECK(v("3.8.18").str() == "3.8.18");
    CHECK(v("3").parts == 1);
    CHECK(v("3.13.0rc1").micro == 0);
    CHECK_FALSE(parse_python_version("3..8"));
    CHECK_FALSE(parse_python_version("x3"));
    CHECK(compare_versions(v("3.10"), v("3.9.18")) > 0);
    CHECK(compare_versions(v("3.9"), v("3.9.0")) == 0);
}

TEST_CASE("interpreter spec: the grammar people know from tox, virtualenv and uv") {
    for (const char* text : {"2.7", "3", "3.13", "3.8.18", "py27", "py313", "python3.6", "cpython3.11", "cp311",
                             "pypy3", "pypy3.9", "pypy39", "python", "py", ">=3.8,<3.12", "!=3.9.*", "==3.9.*",
                             "cpython>=3.9", "~=3.8"}) {
        CAPTURE(text);
        CHECK(parse_interpreter_spec(text).kind == Kind::version);
    }
    check_table({
        {"py27", "CPython", "2.7.18", true},
        {"py27", "PyPy", "2.7.13", true},  // py/python: any implementation
        {"py27", "CPython", "3.7.1", false},
        {"py313", "CPython", "3.13.0", true},
        {"3.1", "CPython", "3.13.0", false},  // 3.1 is not a prefix of 3.13
        {"3", "CPython", "3.6.15", true},
        {"3.8.18", "CPython", "3.8.18", true},
        {"3.8.18", "CPython", "3.8.17", false},
        {"cp311", "CPython", "3.11.7", true},
        {"cp311", "PyPy", "3.11.7", false},
        {"cpython3.11", "PyPy", "3.11.0", false},
        {"pypy39", "PyPy", "3.9.16", true},
        {"pypy3", "PyPy", "3.10.14", true},
        {"pypy3.9", "CPython", "3.9.18", false},
    });
}

TEST_CASE("interpreter spec: PEP 440 ranges") {
    check_table({
        {">=3.8,<3.12", "CPython", "3.8.0", true},
        {">=3.8,<3.12", "PyPy", "3.11.7", true},
        {">=3.8,<3.12", "CPython", "3.12.0", false},
        {">=3.8,<3.12", "CPython", "3.7.16", false},
        {">= 3.8 , < 3.12", "CPython", "3.10.1", true},
        {"==3.9.*", "CPython", "3.9.18", true},
        {"==3.9", "CPython", "3.9.18", false},  // PEP 440: ==3.9 is 3.9.0
        {"==3.9", "CPython", "3.9.0", true},
        {"!=3.9.*", "CPython", "3.9.1", false},
        {"!=3.9.*", "CPython", "3.10.1", true},
        {"~=3.8", "CPython", "3.12.1", true},
        {"~=3.8.1", "CPython", "3.9.0", false},
        {"<=3.7", "CPython", "2.7.18", true},
        {">3.12", "CPython", "3.13.0", true},
        {"cpython>=3.9", "PyPy", "3.9.16", false},
    });
    for (const char* bad : {">=3.x", ">=", "=>3.8", ">=3.8,", "~=3", ">=3.9.*"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_interpreter_spec(bad), std::invalid_argument);
    }
}

TEST_CASE("interpreter spec: command names are tried on PATH first, other forms are not") {
    for (const char* text : {"python3", "python3.6", "pypy3", "pypy3.9", "python", "pypy"})
        CHECK(parse_interpreter_spec(text).request.command_form);
    for (const char* text : {"3.8", "py27", "cp311", "pypy39", "cpython3.11", ">=3.8"})
        CHECK_FALSE(parse_interpreter_spec(text).request.command_form);
}

TEST_CASE("interpreter spec: schemes, paths and plain names") {
    auto conda = parse_interpreter_spec("conda:py39");
    CHECK(conda.kind == Kind::conda);
    CHECK(conda.value == "py39");
    CHECK(parse_interpreter_spec("conda:/opt/envs/x").value == "/opt/envs/x");  // scheme before path
    auto pyenv = parse_interpreter_spec("pyenv:3.8");
    CHECK(pyenv.kind == Kind::pyenv);
    CHECK(pyenv.value == "3.8");
    CHECK_THROWS_AS(parse_interpreter_spec("conda:"), std::invalid_argument);
    CHECK_THROWS_AS(parse_interpreter_spec("pyenv:"), std::invalid_argument);
    CHECK_THROWS_AS(parse_interpreter_spec("pyenv:3.8:./venv"), std::invalid_argument);
    CHECK_THROWS_AS(parse_interpreter_spec("conda:base:venv"), std::invalid_argument);
    CHECK(parse_interpreter_spec("./bin/python3.8").kind == Kind::path);
    CHECK(parse_interpreter_spec("/usr/bin/python3").kind == Kind::path);
    for (const char* name : {"python3.13t", "ipython", "mypython", "python3-dbg", "3.8.18.1", "27x"}) {
        CAPTURE(name);
        CHECK(parse_interpreter_spec(name).kind == Kind::name);
    }
}

TEST_CASE("interpreter spec: SPEC[:VENV] splits at the first colon, except after conda: and pyenv:") {
    CHECK(venv_separator("python3:venv") == 7);
    CHECK(venv_separator(":venv") == 0);
    CHECK(venv_separator("python3") == std::string_view::npos);
    CHECK(venv_separator("conda:py39") == std::string_view::npos);
    CHECK(venv_separator("pyenv:3.8") == std::string_view::npos);
}

TEST_CASE("interpreter spec: descriptions name implementation and versions") {
    CHECK(parse_interpreter_spec("cp311").request.describe() == "CPython 3.11");
    CHECK(parse_interpreter_spec("pypy").request.describe() == "PyPy of any version");
    CHECK(parse_interpreter_spec(">=3.8,<3.12").request.describe() == "Python (any implementation) >=3.8,<3.12");
}

TEST_CASE("interpreter spec: uv's forms, implementation names in any case, a bare VERSION.*") {
    check_table({
        {"cpython@3.11", "CPython", "3.11.7", true},
        {"cpython@3.11", "PyPy", "3.11.7", false},
        {"pypy@3.9", "PyPy", "3.9.16", true},
        {"pypy@3.9", "CPython", "3.9.18", false},
        {"cpython@>=3.9", "CPython", "3.13.0", true},
        {"cpython-3.12.3-linux-x86_64-gnu", "CPython", "3.12.3", true},
        {"cpython-3.12.3-linux-x86_64-gnu", "CPython", "3.12.1", false},
        {"pypy-3.9", "PyPy", "3.9.16", true},
        {"CPython>=3.9", "CPython", "3.11.7", true},
        {"CPython>=3.9", "PyPy", "3.11.7", false},
        {"PyPy3.9", "PyPy", "3.9.16", true},
        {"3.11.*", "CPython", "3.11.7", true},
        {"3.11.*", "CPython", "3.12.1", false},
        {"3.*", "PyPy", "3.9.16", true},
        {"py3.11.*", "CPython", "3.11.2", true},
    });
    // only the exact command names are tried on PATH as they are
    CHECK_FALSE(parse_interpreter_spec("PyPy3").request.command_form);
    CHECK_FALSE(parse_interpreter_spec("cpython@3.11").request.command_form);
    CHECK(parse_interpreter_spec("pypy3").request.command_form);
    // still command names: a free-threaded build's name, anything with other characters
    CHECK(parse_interpreter_spec("3.13t").kind == Kind::name);
    CHECK(parse_interpreter_spec("cpython@").kind == Kind::name);
    CHECK_THROWS_AS(parse_interpreter_spec("cpython@>=3."), std::invalid_argument);
}
