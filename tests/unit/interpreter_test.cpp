#include "core/error.hpp"
#include "core/interpreter.hpp"
#include "core/probe.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace cpy2py;
using cpy2py::test::ScratchDir;
namespace fs = std::filesystem;

namespace {

const char* fake_python = "#!/bin/sh\necho CPython 3.99.0 5\n";

/// Resolves and returns the NotFoundError message; fails the test if it resolves.
std::string not_found(const InterpreterRequest& request, const std::string& path_env) {
    try {
        resolve_interpreter(request, path_env);
    } catch (const Error& e) {
        CHECK(e.code() == 127);
        return e.what();
    }
    FAIL("resolved unexpectedly: " << describe(request));
    return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("interpreter: INTERPRETER[:VENV] is split at the first colon") {
    auto r = split_interpreter_spec("python2.7:./venv:odd", "/base");
    CHECK(r.interpreter == "python2.7");
    CHECK(r.venv == "./venv:odd");
    CHECK(r.base_dir == "/base");
    CHECK(split_interpreter_spec("pypy3", "/").venv.empty());
    CHECK(split_interpreter_spec(":venv", "/").interpreter.empty());
    CHECK(describe(split_interpreter_spec("python2.7:./v", "/")) == "python2.7:./v");
}

TEST_CASE("interpreter: names are searched on PATH in order") {
    ScratchDir dir;
    dir.write("a/other", fake_python, true);
    dir.write("b/mypython", fake_python, true);
    dir.write("c/mypython", fake_python, true);
    dir.write("a/mypython", "not executable");
    const std::string path_env = dir.str() + "/a:" + dir.str() + "/b:" + dir.str() + "/c";
    const Interpreter i = resolve_interpreter({"mypython", "", "/"}, path_env);
    CHECK(i.path == dir.str() + "/b/mypython");
    CHECK(i.requested == "mypython");
    CHECK(i.venv.empty());
    CHECK(find_on_path("mypython", path_env) == dir.str() + "/b/mypython");
    CHECK_FALSE(find_on_path("nothing-here", path_env));
}

TEST_CASE("interpreter: a missing name reports the PATH searched") {
    const std::string message = not_found({"no-such-python-9", "", "/"}, "/nonexistent/bin:/also/missing");
    CHECK(contains(message, "no-such-python-9 not found on PATH"));
    CHECK(contains(message, "/nonexistent/bin:/also/missing"));
}

TEST_CASE("interpreter: an empty PATH is said as such, with what helps") {
    // before: "python3 not found on PATH (searched: )"
    const std::string message = not_found({"python3", "", "/"}, "");
    CHECK(contains(message, "python3 not found on PATH (searched: nothing: PATH is empty"));
    CHECK(contains(message, "name the interpreter by its path"));
}

TEST_CASE("interpreter: paths are relative to the base directory") {
    ScratchDir dir;
    dir.write("tools/py", fake_python, true);
    const Interpreter i = resolve_interpreter({"./tools/py", "", dir.str()}, "");
    CHECK(i.path == dir.str() + "/tools/py");
    CHECK(fs::path(i.path).is_absolute());

    CHECK(contains(not_found({"./tools/none", "", dir.str()}, ""), "does not exist"));
    dir.write("tools/plain", "x");
    CHECK(contains(not_found({"tools/plain", "", dir.str()}, ""), "not executable"));
}

TEST_CASE("interpreter: a venv means its bin/python, or the named interpreter inside it") {
    ScratchDir dir;
    dir.write("venv/bin/python", fake_python, true);
    dir.write("venv/bin/python2.7", fake_python, true);
    const Interpreter plain = resolve_interpreter({"", "venv", dir.str()}, "");
    CHECK(plain.path == dir.str() + "/venv/bin/python");
    CHECK(plain.venv == dir.str() + "/venv");
    CHECK(plain.requested == ":venv");

    const Interpreter named = resolve_interpreter({"python2.7", "./venv", dir.str()}, "");
    CHECK(named.path == dir.str() + "/venv/bin/python2.7");

    const Interpreter by_path = resolve_interpreter({"./venv", "", dir.str()}, "");  // a directory path is a venv
    CHECK(by_path.path == dir.str() + "/venv/bin/python");
    CHECK(by_path.venv == dir.str() + "/venv");
}

TEST_CASE("interpreter: a venv's symlinked python is not resolved") {
    ScratchDir dir;
    const auto real = dir.write("real/python3", fake_python, true);
    dir.mkdir("venv/bin");
    fs::create_symlink(real, dir.path() / "venv/bin/python");
    const Interpreter i = resolve_interpreter({"", "venv", dir.str()}, "");
    CHECK(i.path == dir.str() + "/venv/bin/python");
}

TEST_CASE("interpreter: missing venvs and interpreters in venvs say where they looked") {
    ScratchDir dir;
    dir.write("venv/bin/python", fake_python, true);
    const std::string no_venv = not_found({"", "missing-venv", dir.str()}, "");
    CHECK(contains(no_venv, "venv 'missing-venv' not found"));
    CHECK(contains(no_venv, dir.str() + "/missing-venv"));

    const std::string no_interp = not_found({"pypy3", "venv", dir.str()}, "");
    CHECK(contains(no_interp, "pypy3 not found in venv 'venv'"));
    CHECK(contains(no_interp, dir.str() + "/venv/bin/pypy3"));

    dir.mkdir("notavenv");
    CHECK(contains(not_found({"", "notavenv", dir.str()}, ""), "virtualenv"));
}

TEST_CASE("probe: a real interpreter reports implementation, version and pickle protocol") {
    const auto python = find_on_path("python3", current_path_env());
    if (!python) {
        MESSAGE("skipped: python3 not on PATH");
        return;
    }
    const ProbeResult r = probe_interpreter(*python, {}, {});
    CHECK(r.ok);
    CHECK(r.implementation == "CPython");
    CHECK(r.version.rfind("3.", 0) == 0);
    CHECK(r.pickle_protocol >= 4);
    CHECK(r.error.empty());
}

TEST_CASE("probe: extra args and environment reach the interpreter") {
    ScratchDir dir;
    const auto script = dir.write("py", "#!/bin/sh\necho \"$PROBE_IMPL $1 7\"\n", true);
    const ProbeResult r = probe_interpreter(script.string(), {"9.9"}, {{"PROBE_IMPL", "Fake"}});
    CHECK(r.ok);
    CHECK(r.implementation == "Fake");
    CHECK(r.version == "9.9");
    CHECK(r.pickle_protocol == 7);
}

TEST_CASE("probe: failures carry the exit status and stderr tail") {
    ScratchDir dir;
    const auto failing = dir.write("fail", "#!/bin/sh\necho 'pyenv: python2.7: command not found' >&2\nexit 3\n", true);
    const ProbeResult r = probe_interpreter(failing.string(), {}, {});
    CHECK_FALSE(r.ok);
    CHECK(contains(r.error, "exited with status 3"));
    CHECK(contains(r.error, "command not found"));

    const auto garbage = dir.write("garbage", "#!/bin/sh\necho hello\n", true);
    CHECK(contains(probe_interpreter(garbage.string(), {}, {}).error, "not a Python interpreter? "));
    CHECK(contains(probe_interpreter(garbage.string(), {}, {}).error, "it printed 'hello'"));
    const auto quiet = dir.write("quiet", "#!/bin/sh\nexit 0\n", true);
    CHECK(contains(probe_interpreter(quiet.string(), {}, {}).error, "it printed nothing"));

    const auto hanging = dir.write("hang", "#!/bin/sh\nexec sleep 30\n", true);
    const ProbeResult slow = probe_interpreter(hanging.string(), {}, {}, std::chrono::milliseconds(200));
    CHECK_FALSE(slow.ok);
    CHECK(contains(slow.error, "no answer"));

    CHECK_FALSE(probe_interpreter("/nonexistent/python", {}, {}).ok);
}
