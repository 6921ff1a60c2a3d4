#include "core/error.hpp"
#include "core/plan_builder.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;
using cpy2py::test::ScratchDir;
using namespace std::chrono_literals;

namespace {

/// A cwd with fake python3/pypy3 on its own PATH and a bootstrap directory.
struct World {
    ScratchDir dir;
    Host host;

    World() {
        dir.write("bin/python3", "#!/bin/sh\n", true);
        dir.write("bin/pypy3", "#!/bin/sh\n", true);
        dir.write("venv/bin/python", "#!/bin/sh\n", true);
        dir.mkdir("boot/cpy2py");
        dir.mkdir("work");
        dir.write("work/app.py", "");  // the SCRIPT most plans name: it must exist
        host.cwd = dir.str() + "/work";
        host.path_env = dir.str() + "/bin";
        host.exe_path = dir.str() + "/nowhere/cpy2py-run";
        host.bootstrap_env = dir.str() + "/boot";
    }

    std::string bin(const std::string& name) const { return dir.str() + "/bin/" + name; }
    void manifest(const std::string& text) const { dir.write("work/cpy2py.toml", text); }
};

CommandLine script(std::vector<std::string> twins = {}) {
    CommandLine cl;
    cl.target = "app.py";
    cl.args = {"--twin", "x y", "-"};
    cl.twins = std::move(twins);
    return cl;
}

int error_code(const CommandLine& cl, const Host& host) {
    try {
        build_plan(cl, host);
    } catch (const Error& e) {
        return e.code();
    }
    return 0;
}

std::string error_message(const CommandLine& cl, const Host& host) {
    try {
        build_plan(cl, host);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("twin argument: ID=INTERPRETER[:VENV]") {
    const auto a = parse_twin_argument("pypy=pypy3", "/cwd");
    CHECK(a.id == "pypy");
    CHECK(a.interpreter.interpreter == "pypy3");
    CHECK(a.interpreter.venv.empty());
    CHECK(a.interpreter.base_dir == "/cwd");

    const auto b = parse_twin_argument("legacy=python2.7:./venv27", "/cwd");
    CHECK(b.interpreter.interpreter == "python2.7");
    CHECK(b.interpreter.venv == "./venv27");

    const auto c = parse_twin_argument("v=:./venv", "/cwd");
    CHECK(c.interpreter.interpreter.empty());
    CHECK(c.interpreter.venv == "./venv");

    const auto d = parse_twin_argument("p=/opt/pypy/bin/pypy3", "/cwd");
    CHECK(d.interpreter.interpreter == "/opt/pypy/bin/pypy3");
}

TEST_CASE("twin argument: malformed values are usage errors") {
    for (const char* bad : {"pypy3", "=pypy3", "pypy=", "pypy=:", "bad id=pypy3", "x=/usr/bin/python:venv",
                            "a/b=pypy3"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parse_twin_argument(bad, "/"), UsageError);
    }
    CHECK_THROWS_AS(parse_twin_argument(std::string(65, 'a') + "=pypy3", "/"), UsageError);
    CHECK_NOTHROW(parse_twin_argument(std::string(64, 'a') + "=pypy3", "/"));
}

TEST_CASE("twin argument: a ':' with no VENV after it is refused, not taken as no virtualenv") {
    CHECK_THROWS_WITH_AS(parse_twin_argument("tw=python3:", "/"),
                         doctest::Contains("has nothing after its ':'"), UsageError);
    CHECK_NOTHROW(parse_twin_argument("tw=conda:base", "/"));  // a scheme's colon is no VENV separator
    CHECK_NOTHROW(parse_twin_argument("tw=python3:./venv", "/"));
}

TEST_CASE("plan: script, arguments untouched, twins eager, defaults") {
    World w;
    const LaunchPlan plan = build_plan(script({"pypy=pypy3", "v=:../venv"}), w.host);
    CHECK(plan.main.id == "main");
    CHECK(plan.main.kind == MainKind::script);
    CHECK(plan.main.target == "app.py");
    CHECK(plan.main.args == std::vector<std::string>{"--twin", "x y", "-"});
    CHECK(plan.main.interpreter.path == w.bin("python3"));
    REQUIRE(plan.twins.size() == 2);
    CHECK(plan.twins[0].id == "pypy");
    CHECK(plan.twins[0].interpreter.path == w.bin("pypy3"));
    CHECK(plan.twins[0].start == StartMode::eager);
    CHECK(plan.twins[0].restart == RestartPolicy::never);
    CHECK(plan.twins[1].interpreter.path == w.dir.str() + "/venv/bin/python");
    CHECK(plan.twins[1].interpreter.venv == w.dir.str() + "/venv");
    CHECK(plan.manifest_path.empty());
    CHECK(plan.bootstrap_dir == w.dir.str() + "/boot");
    CHECK(plan.supervisor.output == OutputMode::prefixed);
}

TEST_CASE("plan: -m and -c keep their kind and target") {
    World w;
    CommandLine cl;
    cl.kind = MainKind::module;
    cl.target = "http.server";
    cl.args = {"8000"};
    const LaunchPlan plan = build_plan(cl, w.host);
    CHECK(plan.main.kind == MainKind::module);
    CHECK(plan.main.target == "http.server");
    CHECK(plan.main.args == std::vector<std::string>{"8000"});
}

TEST_CASE("plan: usage errors") {
    World w;
    CHECK(error_code(CommandLine{}, w.host) == 2);  // nothing to run
    CHECK(error_code(script({"a=pypy3", "a=python3"}), w.host) == 2);
    CHECK(error_code(script({"main=pypy3"}), w.host) == 2);
    CommandLine grace = script();
    grace.shutdown_grace = -1;
    CHECK(error_code(grace, w.host) == 2);
    CommandLine bad_main = script();
    bad_main.main_interpreter = "/usr/bin/python3:venv";
    CHECK(error_code(bad_main, w.host) == 2);

    CommandLine check_only;
    check_only.check = true;
    CHECK_NOTHROW(build_plan(check_only, w.host));  // --check needs no program
}

TEST_CASE("plan: a SCRIPT that does not exist is a usage error, except for --check") {
    World w;
    CommandLine cl = script({"pypy=pypy3"});
    cl.target = "gone.py";
    CHECK(error_code(cl, w.host) == 2);
    CHECK(error_message(cl, w.host).find("cannot open script 'gone.py': no such file (relative to " + w.host.cwd + ")") !=
          std::string::npos);
    cl.check = true;
    CHECK_NOTHROW(build_plan(cl, w.host));  // --check lists it among its problems
    CommandLine directory = script();
    directory.target = ".";  // a directory (or zip) application is Python's business
    CHECK_NOTHROW(build_plan(directory, w.host));
}

TEST_CASE("plan: missing interpreters and venvs exit 127 naming them") {
    World w;
    CHECK(error_code(script({"pypy=pypy9"}), w.host) == 127);
    const std::string message = error_message(script({"pypy=pypy9"}), w.host);
    CHECK(message.find("cannot start twin 'pypy': pypy9 not found on PATH (searched: " + w.host.path_env + ")") !=
          std::string::npos);
    CHECK(error_code(script({"v=:nope"}), w.host) == 127);

    CommandLine main = script();
    main.main_interpreter = "python9";
    CHECK(error_code(main, w.host) == 127);
}

TEST_CASE("plan: ./cpy2py.toml is read when present, unless --no-manifest") {
    World w;
    w.manifest("[main]\nid = \"app\"\n[twins.pypy]\ninterpreter = \"pypy3\"\nstart = \"lazy\"\nrestart = \"always\"\n"
               "[supervisor]\noutput = \"silent\"\nshutdown_grace = 5\n");
    const LaunchPlan plan = build_plan(script(), w.host);
    CHECK(plan.manifest_path == w.host.cwd + "/cpy2py.toml");
    CHECK(plan.main.id == "app");
    REQUIRE(plan.twins.size() == 1);
    CHECK(plan.twins[0].start == StartMode::lazy);
    CHECK(plan.twins[0].restart == RestartPolicy::always);
    CHECK(plan.supervisor.output == OutputMode::silent);
    CHECK(plan.supervisor.shutdown_grace == 5s);

    CommandLine overrides = script();
    overrides.output = OutputMode::inherit;
    overrides.shutdown_grace = 0.25;
    const LaunchPlan o = build_plan(overrides, w.host);
    CHECK(o.supervisor.output == OutputMode::inherit);
    CHECK(o.supervisor.shutdown_grace == 250ms);

    CommandLine none = script();
    none.no_manifest = true;
    const LaunchPlan n = build_plan(none, w.host);
    CHECK(n.manifest_path.empty());
    CHECK(n.twins.empty());
    CHECK(n.main.id == "main");
}

TEST_CASE("plan: command-line twins replace manifest twins of the same id, in place") {
    World w;
    w.manifest("[twins.a]\ninterpreter = \"python3\"\nrestart = \"always\"\n"
               "[twins.b]\ninterpreter = \"python3\"\nstart = \"lazy\"\n");
    const LaunchPlan plan = build_plan(script({"c=pypy3", "a=pypy3"}), w.host);
    REQUIRE(plan.twins.size() == 3);
    CHECK(plan.twins[0].id == "a");
    CHECK(plan.twins[0].interpreter.path == w.bin("pypy3"));
    CHECK(plan.twins[0].restart == RestartPolicy::never);  // the whole entry is replaced
    CHECK(plan.twins[1].id == "b");
    CHECK(plan.twins[1].start == StartMode::lazy);
    CHECK(plan.twins[2].id == "c");
}

TEST_CASE("plan: manifest paths are relative to the manifest, errors carry its position") {
    World w;
    w.dir.write("conf/venv/bin/python", "#!/bin/sh\n", true);
    w.dir.write("conf/m.toml", "[main]\nvenv = \"venv\"\n\n[twins.p]\ninterpreter = \"pypy9\"\n");
    CommandLine cl = script();
    cl.manifest = "../conf/m.toml";
    CHECK(error_code(cl, w.host) == 127);
    const std::string message = error_message(cl, w.host);
    CHECK(message.rfind("../conf/m.toml:4:1: cannot start twin 'p': pypy9 not found on PATH", 0) == 0);

    w.dir.write("conf/m.toml", "[main]\nvenv = \"venv\"\n");
    const LaunchPlan plan = build_plan(cl, w.host);
    CHECK(plan.main.interpreter.path == w.dir.str() + "/conf/venv/bin/python");
    CHECK(plan.manifest_path == w.dir.str() + "/conf/m.toml");

    cl.main_interpreter = "pypy3";  // the command line wins
    CHECK(build_plan(cl, w.host).main.interpreter.path == w.bin("pypy3"));
}

TEST_CASE("plan: a bad or missing --manifest exits 78") {
    World w;
    CommandLine cl = script();
    cl.manifest = "missing.toml";
    CHECK(error_code(cl, w.host) == 78);
    w.manifest("[twins.a]\ninterpreter = 3\n");
    CHECK(error_code(script(), w.host) == 78);
    CHECK(error_message(script(), w.host).rfind("cpy2py.toml:2:15: ", 0) == 0);
}

TEST_CASE("plan: bootstrap directory") {
    World w;
    w.host.bootstrap_env = w.dir.str() + "/nope";
    CHECK(error_code(script(), w.host) == 127);
    CHECK(error_message(script(), w.host).find("CPY2PY_BOOTSTRAP_DIR") != std::string::npos);

    w.host.bootstrap_env.reset();
    w.dir.mkdir("prefix/share/cpy2py/bootstrap/cpy2py");
    w.host.exe_path = w.dir.str() + "/prefix/bin/cpy2py-run";
    CHECK(find_bootstrap_dir(w.host) == w.dir.str() + "/prefix/share/cpy2py/bootstrap");

    w.host.exe_path = w.dir.str() + "/elsewhere/cpy2py-run";  // build tree: the source bootstrap/
    CHECK(find_bootstrap_dir(w.host) == std::string(CPY2PY_SOURCE_BOOTSTRAP));
}

TEST_CASE("plan: environment precedence, later wins: [env] < per-process env < --env") {
    World w;
    w.manifest("[env]\nA = \"env\"\nB = \"env\"\nC = \"env\"\n"
               "[main]\nenv = { B = \"main\", C = \"main\" }\n"
               "[twins.t]\ninterpreter = \"pypy3\"\nenv = { B = \"twin\" }\n");
    CommandLine cl = script({"cli=python3"});
    cl.env = {"C=cli", "D=cli=with=equals"};
    const LaunchPlan plan = build_plan(cl, w.host);
    CHECK(plan.main.env == std::map<std::string, std::string>{{"A", "env"}, {"B", "main"}, {"C", "cli"}, {"D", "cli=with=equals"}});
    REQUIRE(plan.twins.size() == 2);
    CHECK(plan.twins[0].env == std::map<std::string, std::string>{{"A", "env"}, {"B", "twin"}, {"C", "cli"}, {"D", "cli=with=equals"}});
    CHECK(plan.twins[1].env == std::map<std::string, std::string>{{"A", "env"}, {"B", "env"}, {"C", "cli"}, {"D", "cli=with=equals"}});
    CHECK(plan.env == std::map<std::string, std::string>{{"A", "env"}, {"B", "env"}, {"C", "cli"}, {"D", "cli=with=equals"}});
    for (const char* bad : {"NOEQUALS", "=value"}) {
        CommandLine b = script();
        b.env = {bad};
        CHECK(error_code(b, w.host) == 2);
    }
}

TEST_CASE("plan: the manifest's program runs without arguments; `--` replaces its args; a program given wins") {
    World w;
    w.manifest("[main]\nscript = \"../app.py\"\nargs = [\"a\", \"b\"]\n");
    w.dir.write("app.py", "");
    CommandLine none;
    LaunchPlan plan = build_plan(none, w.host);
    CHECK(plan.main.target == w.dir.str() + "/app.py");
    CHECK(plan.main.args == std::vector<std::string>{"a", "b"});

    CommandLine dashes;  // cpy2py-run -- x y
    dashes.separator = true;
    dashes.target = "x";
    dashes.args = {"y"};
    plan = build_plan(dashes, w.host);
    CHECK(plan.main.target == w.dir.str() + "/app.py");
    CHECK(plan.main.args == std::vector<std::string>{"x", "y"});

    CommandLine empty;  // cpy2py-run --
    empty.separator = true;
    CHECK(build_plan(empty, w.host).main.args.empty());

    plan = build_plan(script(), w.host);  // cpy2py-run app.py ...: the command line's program
    CHECK(plan.main.target == "app.py");
    CHECK(plan.main.args == std::vector<std::string>{"--twin", "x y", "-"});

    CommandLine code;
    code.kind = MainKind::code;
    code.target = "pass";
    code.separator = true;
    CHECK(build_plan(code, w.host).main.kind == MainKind::code);

    w.manifest("[main]\nmodule = \"pkg.cli\"\n");
    plan = build_plan(none, w.host);
    CHECK(plan.main.kind == MainKind::module);
    CHECK(plan.main.target == "pkg.cli");
}

TEST_CASE("plan: nothing to run names the manifest's [main] as a way out") {
    World w;
    CHECK(error_code(CommandLine{}, w.host) == 2);
    CHECK(error_message(CommandLine{}, w.host).find("script = ") != std::string::npos);
    CommandLine dashes;
    dashes.separator = true;
    CHECK(error_code(dashes, w.host) == 2);
}

TEST_CASE("plan: version requests in --twin, --main-interpreter and the manifest") {
    World w;
    w.dir.write("bin/python3.8", "#!/bin/sh\necho CPython 3.8.18 5\n", true);
    w.dir.write("bin/pypy3.9", "#!/bin/sh\necho PyPy 3.9.16 5\n", true);
    CommandLine cl = script({"old=py38", "range=>=3.8,<3.9"});
    cl.main_interpreter = "pypy39";
    const LaunchPlan plan = build_plan(cl, w.host);
    CHECK(plan.main.interpreter.path == w.bin("pypy3.9"));
    CHECK(plan.twins[0].interpreter.path == w.bin("python3.8"));
    CHECK(plan.twins[1].interpreter.reason.find("highest version of 1") == 0);
    CHECK(error_code(script({"x=>=3.x"}), w.host) == 2);
    CHECK(error_code(script({"x=conda:"}), w.host) == 2);
    CHECK(error_code(script({"x=py26"}), w.host) == 127);
    cl = script();
    cl.main_interpreter = "==3";
    CHECK(error_code(cl, w.host) == 127);
    w.manifest("[twins.t]\ninterpreter = \"<2\"\n");
    CHECK(error_message(script(), w.host).rfind("cpy2py.toml:1:1: cannot start twin 't': no interpreter matches '<2'", 0) == 0);
}
