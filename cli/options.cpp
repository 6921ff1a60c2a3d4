#include "cli/options.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace cpy2py::cli {
namespace {

/// CLI11's usage line cannot express "everything after SCRIPT is the script's".
class Formatter : public CLI::Formatter {
public:
    std::string make_usage(const CLI::App*, std::string name) const override {
        return "Usage: " + name + " [OPTIONS] SCRIPT [ARGS...]\n" +
               "       " + name + " [OPTIONS] -m MODULE [ARGS...]\n" +
               "       " + name + " [OPTIONS] -c CODE [ARGS...]\n" +
               "       " + name + " [OPTIONS] [-- ARGS...]   (the program named in the manifest's [main])\n" +
               "       " + name + " --check [OPTIONS] [SCRIPT [ARGS...]]\n" +
               "       " + name + " --list-interpreters\n";
    }
};

/// Accepts one of `choices`; otherwise says so in words ("'loud' is not one of: prefixed,
/// inherit, silent") instead of CLI11's "loud not in {prefixed,inherit,silent}".
CLI::Validator one_of(std::vector<std::string> choices, const std::string& what) {
    return CLI::Validator(
        [choices](const std::string& text) -> std::string {
            if (std::find(choices.begin(), choices.end(), text) != choices.end()) return {};
            std::string listed;
            for (const auto& choice : choices) listed += (listed.empty() ? "" : ", ") + choice;
            return "'" + text + "' is not one of: " + listed;
        },
        "", what);
}

}  // namespace

void declare_options(CLI::App& app, Options& options) {
    CommandLine& cl = options.command_line;
    app.formatter(std::make_shared<Formatter>());
    // Every other error of ours reads "cpy2py-run: error: ..."; CLI11's own do too.
    app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
        return "cpy2py-run: error: " + CLI::FailureMessage::simple(failed, e);
    });
    app.prefix_command();  // stop at SCRIPT (or MODULE/CODE): the rest belongs to the program
    app.footer(
        "Everything after SCRIPT, MODULE or CODE is passed to the program untouched, except\n"
        "--twin ID=... options directly after SCRIPT (`cpy2py-run app.py --twin pypy=pypy3 ARGS`);\n"
        "write `cpy2py-run [OPTIONS] -- SCRIPT ARGS...` to pass even those to the script.\n"
        "INTERPRETER: a name on PATH, a path, a version (3.8, py27, cp311, pypy3.9, >=3.8,<3.12),\n"
        "conda:ENV or pyenv:VERSION. The manifest is the first cpy2py.toml, or pyproject.toml with\n"
        "[tool.cpy2py], from the current directory up to the repository root (see --manifest).\n"
        "When its [main] names script or module, `cpy2py-run -- ARGS` runs that with ARGS.\n"
        "Exit status: the main's own, 128+N if it died of signal N, 2 usage error, 78 bad\n"
        "manifest, 127 interpreter, venv or bootstrap files not found. See cpy2py-run(1).");
    app.set_version_flag("--version", std::string("cpy2py-run ") + CPY2PY_VERSION, "Print the version and exit");

    app.add_option("--twin", cl.twins,
                   "Declare a twin: ID=INTERPRETER[:VENV]; INTERPRETER is a name on PATH, a path, a version "
                   "request (3.8, py27, pypy3, >=3.8,<3.12), conda:ENV or pyenv:VERSION; VENV a virtualenv "
                   "directory (its bin/INTERPRETER, or bin/python for ID=:VENV); "
                   "ID=ssh://[USER@]HOST[:PORT]/INTERPRETER[:VENV] runs it on another host. Repeatable; "
                   "replaces a manifest twin with the same ID")
        ->type_name("ID=INTERPRETER[:VENV]")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    auto* manifest = app.add_option("--manifest", cl.manifest,
                                    "Read this manifest: a cpy2py.toml, or a pyproject.toml's [tool.cpy2py] (default: "
                                    "the first found from the current directory up to the repository root)")
                         ->type_name("FILE");
    app.add_flag("--no-manifest", cl.no_manifest, "Read no manifest")->excludes(manifest);
    app.add_option("--env", cl.env,
                   "Set NAME=VALUE in the environment of the main and every twin (repeatable; wins over the "
                   "manifest's [env] and per-process env)")
        ->type_name("NAME=VALUE")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--main-interpreter", cl.main_interpreter,
                   "Interpreter of the main program (default: python3, or [main] of the manifest)")
        ->type_name("INTERPRETER[:VENV]");
    app.add_option("--twin-output", options.twin_output,
                   "Twin stdout/stderr: prefixed (default: each line marked with the twin id), inherit or silent")
        ->type_name("MODE")
        ->check(one_of({"prefixed", "inherit", "silent"}, "MODE"));
    app.add_option("--shutdown-grace", cl.shutdown_grace,
                   "Seconds to wait after asking twins to stop, and again after SIGTERM (default 2)")
        ->type_name("SECONDS")
        ->check(CLI::Validator(
            [](const std::string& text) -> std::string {
                // CLI11's NonNegativeNumber names its upper bound: a 309-digit number.
                double seconds = 0;
                if (CLI::detail::lexical_cast(text, seconds) && std::isfinite(seconds) && seconds >= 0) return {};
                return "'" + text + "' is not a number of seconds (0 or more, e.g. 2 or 0.5)";
            },
            "", "SECONDS"));
    app.add_option("--log-level", options.log_level,
                   "trace, debug, info, warn (default; CPY2PY_DEBUG set means debug), error or off")
        ->type_name("LEVEL")
        ->check(one_of({"trace", "debug", "info", "warn", "error", "off"}, "LEVEL"));
    app.add_flag("--stats", options.stats,
                 "At exit, print calls, errors, p50/p99 latency, bytes and restarts per twin to stderr "
                 "(sets CPY2PY_STATS=1 for every process)");
    app.add_flag("--check", cl.check,
                 "Resolve and run every interpreter once, print the plan as a table and exit without running "
                 "the program");
    app.add_flag("--list-interpreters", options.list_interpreters,
                 "Print every interpreter found on PATH, in pyenv, uv and conda (implementation, version, "
                 "source, location) and exit");
    auto* module = app.add_flag("-m", options.module, "Run library module MODULE as the main (like python -m)")
                       ->option_text("MODULE [ARGS...]");
    app.add_flag("-c", options.code, "Run CODE as the main (like python -c)")
        ->option_text("CODE [ARGS...]")
        ->excludes(module);
}

void finish_command_line(const CLI::App& app, Options& options) {
    CommandLine& cl = options.command_line;
    std::vector<std::string> rest = app.remaining();
    auto first = rest.begin();
    const bool separated = first != rest.end() && *first == "--";
    cl.separator = separated;
    if (separated) {
        ++first;  // after "--" the next word is the program, even if it starts with '-'
    } else if (first != rest.end() && first->size() > 1 && first->front() == '-') {
        throw UsageError("unknown option '" + *first + "' (see --help)");
    }

    if (options.twin_output) {
        const std::string& mode = *options.twin_output;
        cl.output = mode == "inherit" ? OutputMode::inherit : mode == "silent" ? OutputMode::silent : OutputMode::prefixed;
    }
    cl.kind = options.module ? MainKind::module : options.code ? MainKind::code : MainKind::script;
    if (first == rest.end()) {
        if (options.module) throw UsageError("-m needs a MODULE");
        if (options.code) throw UsageError("-c needs CODE");
        return;
    }
    cl.target = *first;
    // `cpy2py-run app.py --twin pypy=pypy3 ARGS...`: --twin options right after the program
    // are still ours (the documented short form); "--" before the program turns this off.
    auto arg = first + 1;
    const bool short_form = !separated && cl.kind == MainKind::script;
    while (short_form && arg != rest.end()) {
        if (*arg == "--twin" && arg + 1 != rest.end() && (arg + 1)->find('=') != std::string::npos) {
            cl.twins.push_back(*(arg + 1));
            arg += 2;
        } else if (arg->rfind("--twin=", 0) == 0 && arg->find('=', 7) != std::string::npos) {
            cl.twins.emplace_back(arg->begin() + 7, arg->end());  // after "--twin="
            ++arg;
        } else {
            break;
        }
    }
    cl.args.assign(arg, rest.end());
}

}  // namespace cpy2py::cli
