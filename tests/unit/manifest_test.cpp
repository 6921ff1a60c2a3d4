#include "core/error.hpp"
#include "core/manifest.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;
using namespace std::chrono_literals;

namespace {

const std::string data_dir = CPY2PY_TEST_DATA;

Manifest load(const std::string& name) { return load_manifest(data_dir + "/" + name, "/"); }

/// Loads a bad fixture and returns "LINE:COLUMN" of the error (checking file and exit code).
std::string error_position(const std::string& name) {
    const std::string path = data_dir + "/" + name;
    try {
        load_manifest(path, "/");
    } catch (const Error& e) {
        CHECK(e.code() == 78);
        const std::string message = e.what();
        REQUIRE(message.rfind(path + ":", 0) == 0);
        const std::string rest = message.substr(path.size() + 1);
        const auto second_colon = rest.find(':', rest.find(':') + 1);
        CHECK(rest.substr(second_colon, 2) == ": ");
        return rest.substr(0, second_colon);
    }
    FAIL("no error for " << name);
    return "";
}

}  // namespace

TEST_CASE("manifest: every key is read") {
    const Manifest m = load("good_full.toml");
    CHECK(m.main.id == "app");
    REQUIRE(m.main.interpreter);
    CHECK(m.main.interpreter->interpreter == "python3");
    CHECK(m.main.interpreter->base_dir == data_dir);
    CHECK(m.main.env.at("APP_MODE") == "test");

    REQUIRE(m.twins.size() == 3);
    CHECK(m.twins[0].id == "pypy");  // declaration order, not key order
    CHECK(m.twins[1].id == "legacy");
    CHECK(m.twins[2].id == "plain");

    CHECK(m.twins[0].interpreter.interpreter == "pypy3");
    CHECK(m.twins[0].args == std::vector<std::string>{"-X", "faulthandler"});
    CHECK(m.twins[0].env.at("PYPY_GC_MAX") == "1GB");
    CHECK(m.twins[0].restart == RestartPolicy::on_failure);
    CHECK(m.twins[0].start == StartMode::eager);
    CHECK(m.twins[0].where == data_dir + "/good_full.toml:7:1");

    CHECK(m.twins[1].interpreter.interpreter == "python2.7");
    CHECK(m.twins[1].interpreter.venv == "venv27");
    CHECK(m.twins[1].restart == RestartPolicy::always);
    CHECK(m.twins[1].start == StartMode::lazy);

    CHECK(m.twins[2].interpreter.interpreter.empty());
    CHECK(m.twins[2].interpreter.venv == "./venv-plain");

    CHECK(m.supervisor.shutdown_grace == 1500ms);
    CHECK(m.supervisor.ready_timeout == 10s);
    CHECK(m.supervisor.output == OutputMode::inherit);
    CHECK(m.supervisor.restart.backoff_base == 250ms);
    CHECK(m.supervisor.restart.backoff_cap == 4s);
    CHECK(m.supervisor.restart.max_restarts == 3);
    CHECK(m.supervisor.restart.window == 30s);
    CHECK(m.supervisor.restart.healthy_after == 5s);
}

TEST_CASE("manifest: defaults") {
    const Manifest m = load("good_minimal.toml");
    CHECK(m.main.id == "main");
    CHECK_FALSE(m.main.interpreter);
    REQUIRE(m.twins.size() == 1);
    CHECK(m.twins[0].start == StartMode::eager);
    CHECK(m.twins[0].restart == RestartPolicy::never);
    CHECK(m.twins[0].args.empty());
    const SupervisorSettings defaults;
    CHECK(m.supervisor.shutdown_grace == defaults.shutdown_grace);
    CHECK(m.supervisor.output == OutputMode::prefixed);

    const Manifest empty = load("good_empty.toml");
    CHECK(empty.twins.empty());
}

TEST_CASE("manifest: relative paths are taken from the manifest's directory") {
    const Manifest m = load_manifest("good_full.toml", data_dir);
    CHECK(m.path == "good_full.toml");
    CHECK(m.twins[1].interpreter.base_dir == data_dir);
}

TEST_CASE("manifest: errors name file, line and column") {
    CHECK(error_position("bad_unknown_key.toml") == "3:1");
    CHECK(error_position("bad_restart_value.toml") == "3:11");
    CHECK(error_position("bad_start_value.toml") == "3:11");
    CHECK(error_position("bad_args_type.toml") == "3:8");
    CHECK(error_position("bad_args_item.toml") == "3:15");
    CHECK(error_position("bad_twin_id.toml") == "1:8");
    CHECK(error_position("bad_missing_interpreter.toml") == "1:1");
    CHECK(error_position("bad_env_value.toml") == "2:17");
    CHECK(error_position("bad_negative_grace.toml") == "2:18");
    CHECK(error_position("bad_grace_type.toml") == "2:18");
    CHECK(error_position("bad_backoff_cap.toml") == "3:23");
    CHECK(error_position("bad_output.toml") == "2:10");
    CHECK(error_position("bad_top_key.toml") == "4:2");
    CHECK(error_position("bad_main_id_clash.toml") == "4:8");
    CHECK(error_position("bad_twin_not_table.toml") == "2:8");
    CHECK(error_position("bad_venv_interpreter_path.toml") == "2:15");
    CHECK(error_position("bad_empty_interpreter.toml") == "2:15");
    CHECK(error_position("bad_restart_max.toml") == "2:15");
}

TEST_CASE("manifest: unparsable files and duplicate twins are TOML errors with a position") {
    CHECK(error_position("bad_syntax.toml").rfind("2:", 0) == 0);
    CHECK(error_position("bad_duplicate_twin.toml").rfind("4:", 0) == 0);
}

TEST_CASE("manifest: a NUL written as \\u0000 is an error, not a string cut short") {
    CHECK(error_position("bad_env_nul.toml") == "2:5");
    CHECK(error_position("bad_args_nul.toml") == "3:15");
    CHECK(error_position("bad_env_name_nul.toml") == "3:9");
    try {
        load("bad_env_nul.toml");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("env.A must not contain a NUL character") != std::string::npos);
    }
    CHECK_THROWS_AS(parse_manifest("[main]\nscript = \"a\\u0000.py\"\n", "m.toml", "/"), ConfigError);
    CHECK_THROWS_AS(parse_manifest("[twins.t]\ninterpreter = \"py\\u0000\"\n", "m.toml", "/"), ConfigError);
}

TEST_CASE("manifest: messages say what is allowed") {
    auto message = [](const std::string& name) {
        try {
            load(name);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(message("bad_restart_value.toml").find("never, on-failure, always") != std::string::npos);
    CHECK(message("bad_unknown_key.toml").find("'restrat'") != std::string::npos);
    CHECK(message("bad_unknown_key.toml").find("interpreter, venv, env, args, restart, start") != std::string::npos);
    CHECK(message("bad_output.toml").find("prefixed, inherit, silent") != std::string::npos);
}

TEST_CASE("manifest: an unquoted version as interpreter says to quote it") {
    for (const char* text : {"[twins.t]\ninterpreter = 3.10\n", "[main]\ninterpreter = 3\n"}) {
        try {
            parse_manifest(text, "m.toml", "/");
            FAIL("no error");
        } catch (const ConfigError& e) {
            const std::string message = e.what();
            CHECK(message.find("m.toml:2:15: interpreter must be a string") != std::string::npos);
            CHECK(message.find("interpreter = \"3.10\"") != std::string::npos);
        }
    }
}

TEST_CASE("manifest: a missing file is a config error") {
    try {
        load_manifest("no-such-manifest.toml", "/nonexistent");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == 78);
        CHECK(std::string(e.what()).find("no-such-manifest.toml") != std::string::npos);
    }
}

TEST_CASE("manifest: parse_manifest works on text") {
    const Manifest m = parse_manifest("[twins.a]\ninterpreter = \"x\"\n[twins.b]\nvenv = \"v\"\n", "t.toml", "/base");
    REQUIRE(m.twins.size() == 2);
    CHECK(m.twins[1].interpreter.venv == "v");
    CHECK(m.twins[1].interpreter.base_dir == "/base");
    CHECK_THROWS_AS(parse_manifest("[main]\nid = \"\"\n", "t.toml", "/"), ConfigError);
    CHECK_THROWS_AS(parse_manifest("[main]\nid = \"a b\"\n", "t.toml", "/"), ConfigError);
}

TEST_CASE("manifest: a file that fails to read is an error, not an empty manifest") {
    // /proc/self/mem opens, but reading at offset 0 fails with EIO
    CHECK_THROWS_WITH_AS(load_manifest("/proc/self/mem", "/"), doctest::Contains("Input/output error"), ConfigError);
}
