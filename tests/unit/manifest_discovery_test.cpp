#include "core/error.hpp"
#include "core/manifest_discovery.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;
using cpy2py::test::ScratchDir;

namespace {

const std::string discovery = std::string(CPY2PY_TEST_DATA) + "/discovery";

/// The WHICH variable of the main in the manifest found from `cwd`; "" when none was found.
std::string which(const std::string& cwd) {
    const auto manifest = discover_manifest(cwd);
    return manifest ? manifest->main.env.at("WHICH") : "";
}

}  // namespace

TEST_CASE("discovery: cpy2py.toml beats pyproject.toml in the same directory") {
    CHECK(which(discovery + "/both") == "cpy2py.toml");
    CHECK(discover_manifest(discovery + "/both")->path == "cpy2py.toml");  // shown relative in the cwd
}

TEST_CASE("discovery: upward to the first directory with a manifest; pyproject's [tool.cpy2py] is the schema") {
    const auto m = discover_manifest(discovery + "/pyproject/sub/deeper");
    REQUIRE(m);
    CHECK(m->path == discovery + "/pyproject/pyproject.toml");  // absolute when above the cwd
    CHECK(m->main.env.at("WHICH") == "pyproject.toml");
    REQUIRE(m->twins.size() == 1);
    CHECK(m->twins[0].id == "helper");
    CHECK(m->twins[0].start == StartMode::lazy);
    CHECK(m->twins[0].interpreter.base_dir == discovery + "/pyproject");  // relative paths from the file
    CHECK(m->supervisor.shutdown_grace == std::chrono::milliseconds(500));
}

TEST_CASE("discovery: a pyproject.toml without [tool.cpy2py] is ignored") {
    CHECK(which(discovery + "/no_table/inner") == "outer cpy2py.toml");
}

TEST_CASE("discovery: errors in pyproject.toml carry FILE:LINE:COLUMN and the [tool.cpy2py...] section") {
    try {
        discover_manifest(discovery + "/bad_pyproject");
        FAIL("no error");
    } catch (const ConfigError& e) {
        const std::string message = e.what();
        CHECK(message.rfind("pyproject.toml:6:1: unknown key 'colour' in [tool.cpy2py.twins.fast]", 0) == 0);
    }
    ScratchDir dir;
    dir.write("pyproject.toml", "[tool.cpy2py]\nmain = 3\n");
    CHECK_THROWS_WITH_AS(discover_manifest(dir.str()), "pyproject.toml:2:8: [tool.cpy2py.main] must be a table, not an integer",
                         ConfigError);
    dir.write("pyproject.toml", "[project\n");
    CHECK_THROWS_AS(discover_manifest(dir.str()), ConfigError);  // a broken pyproject.toml is not silently skipped
}

TEST_CASE("discovery: stops at the repository root") {
    ScratchDir dir;
    dir.write("cpy2py.toml", "[main]\nenv = { WHICH = \"above the repository\" }\n");
    dir.mkdir("repo/.git");
    dir.mkdir("repo/src");
    CHECK_FALSE(discover_manifest(dir.str() + "/repo/src"));
    dir.write("repo/pyproject.toml", "[tool.cpy2py.main]\nenv = { WHICH = \"repository root\" }\n");
    CHECK(which(dir.str() + "/repo/src") == "repository root");
    dir.write("repo/src/.git", "gitdir: elsewhere\n");  // a worktree or submodule marks a root too
    CHECK_FALSE(discover_manifest(dir.str() + "/repo/src"));
    CHECK(which(dir.str()) == "above the repository");
}

TEST_CASE("discovery: explicit pyproject.toml uses its [tool.cpy2py]; without one it is an error") {
    const Manifest m = load_manifest(discovery + "/pyproject/pyproject.toml", "/");
    CHECK(m.main.env.at("WHICH") == "pyproject.toml");
    CHECK_THROWS_WITH_AS(load_manifest("inner/pyproject.toml", discovery + "/no_table"),
                         "inner/pyproject.toml: no [tool.cpy2py] table (a pyproject.toml given with --manifest must "
                         "have one)",
                         ConfigError);
}

TEST_CASE("manifest: [main] script or module with args, and [env]") {
    const Manifest program = load_manifest(discovery + "/program/cpy2py.toml", "/");
    CHECK(program.main.kind == MainKind::script);
    CHECK(program.main.target == discovery + "/program/app.py");
    CHECK(program.main.args == std::vector<std::string>{"--from-file", "two words"});
    const Manifest module = load_manifest(discovery + "/program_module/pyproject.toml", "/");
    CHECK(module.main.kind == MainKind::module);
    CHECK(module.main.target == "pkg.cli");
    const Manifest env = load_manifest(discovery + "/precedence/cpy2py.toml", "/");
    CHECK(env.env.at("EVERYONE") == "file [env]");
    CHECK(env.main.env.at("PER_PROCESS") == "file [main] env");
}

TEST_CASE("manifest: bad [main] program, [env] and version ranges point at the key") {
    const std::string data = CPY2PY_TEST_DATA;
    auto position = [&](const std::string& name) {
        try {
            load_manifest(data + "/" + name, "/");
        } catch (const ConfigError& e) {
            const std::string message = e.what();
            return message.substr(data.size() + name.size() + 2, message.find(": ") - data.size() - name.size() - 2);
        }
        return std::string("no error");
    };
    CHECK(position("bad_script_and_module.toml") == "3:10");
    CHECK(position("bad_args_without_program.toml") == "2:8");
    CHECK(position("bad_env_table.toml") == "3:7");
    CHECK(position("bad_version_range.toml") == "2:15");
    CHECK(position("bad_conda_with_venv.toml") == "3:8");
    CHECK(load_manifest(data + "/good_versions.toml", "/").twins.size() == 4);
}
