// The environment children get (docs/DESIGN.md, "Processes and environment").
#include "core/child_env.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace cpy2py;

namespace {

/// Value of `name` in a "NAME=value" list; "<unset>" when absent.
std::string get(const std::vector<std::string>& env, const std::string& name) {
    const auto found = std::find_if(env.begin(), env.end(),
                                    [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
    return found == env.end() ? "<unset>" : found->substr(name.size() + 1);
}

LaunchPlan plan() {
    LaunchPlan p;
    p.bootstrap_dir = "/opt/cpy2py/bootstrap";
    p.main.id = "app";
    p.main.kind = MainKind::script;
    p.main.target = "/srv/app.py";
    p.main.env = {{"APP_MODE", "test"}};
    TwinSpec pypy;
    pypy.id = "pypy";
    pypy.interpreter.path = "/venvs/pp/bin/pypy3";
    pypy.interpreter.venv = "/venvs/pp";
    pypy.env = {{"PYTHONPATH", "/twin/extra"}};
    TwinSpec legacy;
    legacy.id = "legacy";
    p.twins = {pypy, legacy};
    return p;
}

const std::vector<std::string> inherited = {
    "PATH=/usr/bin:/bin", "HOME=/root", "PYTHONPATH=/user/lib", "CPY2PY_TOKEN=stale",
    "CPY2PY_CONTROL_FD=9", "CPY2PY_MAIN_MODULE=old", "CPY2PY_TWIN_SCRIPT=/t.py", "CPY2PY_DEBUG=1",
    "CPY2PY_SIGNAL_FD=8"};

}  // namespace

TEST_CASE("the main gets the application context and its own extra variables") {
    const ChildEnvironment environment(plan(), "/tmp/cpy2py-abc", "f00d", inherited);
    const auto env = environment.for_main();
    CHECK(get(env, "CPY2PY_RUN_DIR") == "/tmp/cpy2py-abc");
    CHECK(get(env, "CPY2PY_TOKEN") == "f00d");
    CHECK(get(env, "CPY2PY_TWIN_ID") == "app");
    CHECK(get(env, "CPY2PY_MAIN_ID") == "app");
    CHECK(get(env, "CPY2PY_CONTROL_FD") == "3");
    CHECK(get(env, "CPY2PY_TWINS") == "pypy legacy");
    CHECK(get(env, "CPY2PY_MAIN_FILE") == "/srv/app.py");
    CHECK(get(env, "CPY2PY_MAIN_MODULE") == "<unset>");
    CHECK(get(env, "CPY2PY_BOOTSTRAP") == "/opt/cpy2py/bootstrap");
    CHECK(get(env, "CPY2PY_TWIN_SCRIPT") == "<unset>");
    CHECK(get(env, "CPY2PY_DEBUG") == "1");
    CHECK(get(env, "PYTHONPATH") == "/opt/cpy2py/bootstrap:/user/lib");
    CHECK(get(env, "APP_MODE") == "test");
    CHECK(get(env, "HOME") == "/root");
    CHECK(get(env, "VIRTUAL_ENV") == "<unset>");
    CHECK(get(env, "CPY2PY_SIGNAL_FD") == "<unset>");
}

TEST_CASE("only a main handed the signal report pipe is told its fd; twins never are") {
    const auto p = plan();
    const ChildEnvironment environment(p, "/tmp/r", "t", inherited);
    CHECK(get(environment.for_main(true), "CPY2PY_SIGNAL_FD") == "4");
    CHECK(get(environment.for_twin(p.twins[0]), "CPY2PY_SIGNAL_FD") == "<unset>");
}

TEST_CASE("a twin gets its id, its venv and the bootstrap in front of its own PYTHONPATH") {
    const auto p = plan();
    const ChildEnvironment environment(p, "/tmp/r", "t", inherited);
    const auto env = environment.for_twin(p.twins[0]);
    CHECK(get(env, "CPY2PY_TWIN_ID") == "pypy");
    CHECK(get(env, "CPY2PY_MAIN_ID") == "app");
    CHECK(get(env, "PYTHONPATH") == "/opt/cpy2py/bootstrap:/twin/extra");
    CHECK(get(env, "VIRTUAL_ENV") == "/venvs/pp");
    CHECK(get(env, "PATH") == "/venvs/pp/bin:/usr/bin:/bin");
    CHECK(get(env, "APP_MODE") == "<unset>");
    const auto legacy = environment.for_twin(p.twins[1]);
    CHECK(get(legacy, "PYTHONPATH") == "/opt/cpy2py/bootstrap:/user/lib");
    CHECK(get(legacy, "PATH") == "/usr/bin:/bin");
}

TEST_CASE("module mains name their module, code mains neither file nor module") {
    auto p = plan();
    p.main.kind = MainKind::module;
    p.main.target = "pkg.tool";
    auto env = ChildEnvironment(p, "/r", "t", {}).for_main();
    CHECK(get(env, "CPY2PY_MAIN_MODULE") == "pkg.tool");
    CHECK(get(env, "CPY2PY_MAIN_FILE") == "<unset>");
    CHECK(get(env, "PYTHONPATH") == "/opt/cpy2py/bootstrap");
    p.main.kind = MainKind::code;
    env = ChildEnvironment(p, "/r", "t", {}).for_main();
    CHECK(get(env, "CPY2PY_MAIN_MODULE") == "<unset>");
    CHECK(get(env, "CPY2PY_MAIN_FILE") == "<unset>");
}

TEST_CASE("child environment: a conda twin gets what `conda activate` sets") {
    LaunchPlan p = plan();
    p.twins[1].interpreter.path = "/conda/envs/py39/bin/python";
    p.twins[1].interpreter.conda_prefix = "/conda/envs/py39";
    p.twins[1].interpreter.conda_name = "py39";
    const ChildEnvironment env(p, "/run/x", "tok", inherited);
    const auto twin = env.for_twin(p.twins[1]);
    CHECK(get(twin, "CONDA_PREFIX") == "/conda/envs/py39");
    CHECK(get(twin, "CONDA_DEFAULT_ENV") == "py39");
    CHECK(get(twin, "PATH") == "/conda/envs/py39/bin:/usr/bin:/bin");
    CHECK(get(env.for_main(), "CONDA_PREFIX") == "<unset>");
}
