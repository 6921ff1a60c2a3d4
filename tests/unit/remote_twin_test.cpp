#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/plan_builder.hpp"
#include "core/remote_twin.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;
using Words = std::vector<std::string>;

TEST_CASE("ssh:// twin URLs") {
    auto r = parse_ssh_url("ssh://box/python3", "x");
    CHECK(r.destination == "box");
    CHECK(r.user.empty());
    CHECK(r.port == 0);
    CHECK(r.interpreter == "python3");
    CHECK(r.venv.empty());

    r = parse_ssh_url("ssh://ann@big.example:2222//usr/bin/pypy3", "x");
    CHECK(r.user == "ann");
    CHECK(r.destination == "big.example");
    CHECK(r.port == 2222);
    CHECK(r.interpreter == "/usr/bin/pypy3");

    r = parse_ssh_url("ssh://box/python2.7:~/venv27", "x");
    CHECK(r.interpreter == "python2.7");
    CHECK(r.venv == "~/venv27");
    CHECK(parse_ssh_url("ssh://box/:venv", "x").interpreter == "python");
    CHECK(parse_ssh_url("ssh://box/", "x").interpreter == "python3");
    r = parse_ssh_url("ssh://[::1]:22/python3", "x");
    CHECK(r.destination == "::1");
    CHECK(r.port == 22);
    CHECK(describe_remote(r) == "ssh://[::1]:22/python3");
    r = parse_ssh_url("ssh://[::1]/python3", "x");   // an IPv6 address without a port
    CHECK(r.destination == "::1");
    CHECK(r.port == 0);
    CHECK(describe_remote(r) == "ssh://[::1]/python3");
    CHECK_THROWS_AS(parse_ssh_url("ssh://[::1]:/python3", "x"), UsageError);

    CHECK_THROWS_AS(parse_ssh_url("ssh://box", "x"), UsageError);
    CHECK_THROWS_AS(parse_ssh_url("ssh:///python3", "x"), UsageError);
    CHECK_THROWS_AS(parse_ssh_url("ssh://box:0/python3", "x"), UsageError);
    CHECK_THROWS_AS(parse_ssh_url("ssh://box:ssh/python3", "x"), UsageError);
    CHECK_THROWS_AS(parse_ssh_url("ssh://-oProxyCommand=x/python3", "x"), UsageError);
    CHECK_THROWS_AS(parse_ssh_url("ssh://box//usr/bin/python:venv", "x"), UsageError);
}

TEST_CASE("shell_split splits as a POSIX shell would") {
    CHECK(shell_split("ssh -i 'my key' -o \"A=b c\" x\\ y") == Words{"ssh", "-i", "my key", "-o", "A=b c", "x y"});
    CHECK(shell_split("  ") == Words{});
    CHECK(shell_split("a''b") == Words{"ab"});
    CHECK_FALSE(shell_split("ssh 'open").has_value());
    CHECK_FALSE(shell_split("ssh \"open").has_value());
}

TEST_CASE("the ssh command: defaults or CPY2PY_SSH_COMMAND, then options, port, user, destination") {
    RemoteSpec r;
    r.destination = "box";
    CHECK(ssh_command(r, std::nullopt) == Words{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-T", "box"});
    r.ssh_options = {"-F", "cfg"};
    r.port = 2200;
    r.user = "ann";
    CHECK(ssh_command(r, std::string("/opt/ssh -v")) ==
          Words{"/opt/ssh", "-v", "-T", "-F", "cfg", "-p", "2200", "-l", "ann", "box"});
    CHECK_THROWS_AS(ssh_command(r, std::string("ssh 'x")), UsageError);
}

TEST_CASE("twins with the same ssh command share one link; the stand-in learns who is where") {
    LaunchPlan plan;
    plan.main.interpreter.path = "/usr/bin/python3";
    plan.bootstrap_dir = "/boot";
    for (const char* id : {"a", "local", "b", "c"}) {
        TwinSpec t;
        t.id = id;
        if (std::string(id) != "local") {
            t.remote = RemoteSpec{};
            t.remote->destination = std::string(id) == "c" ? "other" : "box";
        }
        plan.twins.push_back(t);
    }
    plan.twins[0].args = {"-X", "dev"};
    finish_remote_twins(plan, std::nullopt);
    CHECK(plan.twins[0].remote->link == 0);
    CHECK(plan.twins[2].remote->link == 0);
    CHECK(plan.twins[3].remote->link == 1);
    CHECK(plan.twins[0].interpreter.path == "/usr/bin/python3");
    CHECK(plan.twins[0].args.empty());
    CHECK(plan.twins[0].remote->args == Words{"-X", "dev"});
    CHECK(plan.twins[0].remote->standin_script == "/boot/cpy2py_remote.py");
    const std::string& config = plan.twins[0].remote->standin_config;
    CHECK(config.find("\"here\":[\"a\",\"b\"]") != std::string::npos);
    CHECK(config.find("\"elsewhere\":[\"main\",\"local\",\"c\"]") != std::string::npos);
    CHECK(json_string("a\"b\\\n\x01") == "\"a\\\"b\\\\\\n\\u0001\"");
}

TEST_CASE("manifest: host, ssh_options, heartbeat_timeout") {
    const auto m = parse_manifest(
        "[twins.big]\nhost = \"ann@big\"\ninterpreter = \"pypy3\"\nssh_options = [\"-F\", \"cfg\"]\n"
        "heartbeat_timeout = 2.5\n[twins.old]\nhost = \"old\"\n",
        "m.toml", "/base");
    REQUIRE(m.twins.size() == 2);
    REQUIRE(m.twins[0].remote);
    CHECK(m.twins[0].remote->destination == "ann@big");
    CHECK(m.twins[0].remote->ssh_options == Words{"-F", "cfg"});
    CHECK(m.twins[0].remote->heartbeat_timeout.count() == 2500);
    CHECK(m.twins[1].remote);
    CHECK_THROWS_AS(parse_manifest("[twins.x]\ninterpreter = \"p\"\nssh_options = []\n", "m.toml", "/b"), ConfigError);
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"-oX\"\n", "m.toml", "/b"), ConfigError);
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"h\"\nheartbeat_timeout = 0\n", "m.toml", "/b"), ConfigError);
    // a link silent for a millisecond is not dead: the run would fail at once
    CHECK_THROWS_WITH_AS(parse_manifest("[twins.x]\nhost = \"h\"\nheartbeat_timeout = 0.001\n", "m.toml", "/b"),
                         doctest::Contains("at least 0.5 seconds"), ConfigError);
    CHECK(parse_manifest("[twins.x]\nhost = \"h\"\nheartbeat_timeout = 0.5\n", "m.toml", "/b")
              .twins[0].remote->heartbeat_timeout.count() == 500);
}

TEST_CASE("ssh URL: the scheme in any case, one '@' at most") {
    const auto upper = parse_twin_argument("r=SSH://box/python3", "/");
    REQUIRE(upper.remote);
    CHECK(upper.remote->destination == "box");
    CHECK(parse_twin_argument("r=Ssh://ann@box/python3", "/").remote->user == "ann");
    CHECK_THROWS_WITH_AS(parse_twin_argument("r=ssh://a@b@box/python3", "/"),
                         doctest::Contains("more than one '@'"), UsageError);
}

TEST_CASE("manifest: a host with a port, white space or nothing after '@' is refused with what to write") {
    try {
        parse_manifest("[twins.x]\nhost = \"box:2222\"\n", "m.toml", "/b");
        FAIL("no error");
    } catch (const ConfigError& e) {
        const std::string text = e.what();
        CHECK(text.find("m.toml:2:8") != std::string::npos);
        CHECK(text.find("ssh_options = [\"-p\", \"2222\"]") != std::string::npos);
        CHECK(text.find("ssh://box:2222/") != std::string::npos);
    }
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"ann@box:22\"\n", "m.toml", "/b"), ConfigError);
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"big box\"\n", "m.toml", "/b"), ConfigError);
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"ann@\"\n", "m.toml", "/b"), ConfigError);
    // IPv6 addresses and aliases with colons elsewhere stay what ssh makes of them
    CHECK(parse_manifest("[twins.x]\nhost = \"::1\"\n", "m.toml", "/b").twins[0].remote->destination == "::1");
    CHECK(parse_manifest("[twins.x]\nhost = \"fe80::1:22\"\n", "m.toml", "/b").twins[0].remote->destination ==
          "fe80::1:22");
}

TEST_CASE("a remote twin's interpreter spec reaches its host; malformed ones are refused here") {
    CHECK_NOTHROW(parse_twin_argument("r=ssh://box/>=3.8,<3.12", "/"));
    CHECK(parse_twin_argument("r=ssh://box/conda:py39", "/").remote->interpreter == "conda:py39");
    CHECK(parse_twin_argument("r=ssh://box/pyenv:3.12", "/").remote->venv.empty());
    CHECK_THROWS_AS(parse_twin_argument("r=ssh://box/>=3.8,<", "/"), UsageError);
    CHECK_THROWS_AS(parse_twin_argument("r=ssh://box/>=3.8:~/venv", "/"), UsageError);
    CHECK_NOTHROW(parse_manifest("[twins.x]\nhost = \"h\"\ninterpreter = \"conda:base\"\n", "m.toml", "/b"));
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"h\"\ninterpreter = \">=3.8\"\nvenv = \"v\"\n", "m.toml", "/b"),
                    ConfigError);
    CHECK_THROWS_AS(parse_manifest("[twins.x]\nhost = \"h\"\ninterpreter = \">=3.8,<\"\n", "m.toml", "/b"), ConfigError);

    LaunchPlan plan;
    plan.main.interpreter.path = "/usr/bin/python3";
    TwinSpec twin;
    twin.id = "r";
    twin.remote = parse_twin_argument("r=ssh://box/py38:~/venv", "/").remote;
    twin.env = {{"APP_MODE", "test"}};
    plan.twins.push_back(twin);
    finish_remote_twins(plan, std::nullopt);
    const std::string& config = plan.twins[0].remote->standin_config;
    CHECK(config.find("\"interpreter\":\"python3.8\"") != std::string::npos);
    CHECK(config.find("\"venv\":\"~/venv\"") != std::string::npos);
    CHECK(config.find("\"env\":{\"APP_MODE\":\"test\"}") != std::string::npos);
    CHECK(plan.twins[0].interpreter.requested == "ssh://box/py38:~/venv");
    CHECK(config.find("\"search\":null") != std::string::npos);

    plan.twins[0].remote = parse_twin_argument("r=ssh://box/pyenv:3.12", "/").remote;
    finish_remote_twins(plan, std::nullopt);
    const std::string& searched = plan.twins[0].remote->standin_config;
    CHECK(searched.find("\"interpreter\":\"\"") != std::string::npos);
    CHECK(searched.find("\"search\":{\"text\":\"pyenv:3.12\",\"kind\":\"pyenv\",\"value\":\"3.12\"") !=
          std::string::npos);
}
