#pragma once
// Step two of parse -> plan -> execute: a plain command line (no CLI11 types) plus the
// optional manifest become a fully checked LaunchPlan. Nothing is spawned here.
#include "core/interpreter.hpp"
#include "core/interpreter_search.hpp"
#include "core/plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

/// What the user typed, already split by the CLI parser.
struct CommandLine {
    std::vector<std::string> twins;               ///< raw --twin values, ID=INTERPRETER[:VENV], in order
    std::optional<std::string> manifest;          ///< --manifest FILE (cpy2py.toml or pyproject.toml)
    bool no_manifest = false;                     ///< --no-manifest: read no manifest at all
    std::optional<std::string> main_interpreter;  ///< --main-interpreter INTERPRETER[:VENV]
    std::optional<OutputMode> output;             ///< --twin-output
    std::optional<double> shutdown_grace;         ///< --shutdown-grace, seconds >= 0
    MainKind kind = MainKind::script;             ///< script, -m or -c
    std::string target;                           ///< script path, module or code; empty only with check
    std::vector<std::string> args;                ///< the program's arguments, untouched
    bool separator = false;                       ///< "--" came before the program part
    std::vector<std::string> env;                 ///< raw --env values, NAME=VALUE, in order
    bool check = false;                           ///< --check: plan and probe, do not run
};

/// Facts about this process that the plan depends on (injectable for tests).
struct Host {
    std::string cwd;                              ///< absolute current directory
    std::string path_env;                         ///< PATH (the system default when unset)
    std::string exe_path;                         ///< absolute path of the running cpy2py-run
    std::optional<std::string> bootstrap_env;     ///< CPY2PY_BOOTSTRAP_DIR when set and non-empty
    std::optional<std::string> ssh_command_env;   ///< CPY2PY_SSH_COMMAND when set and not blank
    SearchPlaces places;                          ///< where version requests look (its path_env is ignored: PATH above)
    std::string probe_cache_dir;                  ///< empty: probe results are not kept across runs

    /// The running process's values.
    static Host current();
};

/// A `--twin` value split into id and interpreter request.
struct TwinArgument {
    std::string id;                               ///< valid twin id
    InterpreterRequest interpreter;               ///< relative paths from the cwd; unused when remote
    std::optional<RemoteSpec> remote;             ///< set for ID=ssh://...
};

/// Parses `ID=INTERPRETER[:VENV]` (also `ID=:VENV` and `ID=VENV_DIR/`). Throws UsageError.
TwinArgument parse_twin_argument(std::string_view text, const std::string& cwd);

/// Splits a --env value NAME=VALUE. Throws UsageError.
std::pair<std::string, std::string> parse_env_argument(std::string_view text);

/// The bootstrap directory: $CPY2PY_BOOTSTRAP_DIR, else <exe_dir>/../share/cpy2py/bootstrap,
/// else the source tree's bootstrap/. Throws NotFoundError naming every place looked at.
std::string find_bootstrap_dir(const Host& host);

/// Builds and checks the plan. The manifest is --manifest, else the one discover_manifest()
/// finds (unless no_manifest). Command-line twins replace manifest twins with the same id; a
/// program on the command line replaces the manifest's, and `-- ARGS` (or any arguments after
/// "--") replace the manifest program's args. Environment, later wins: inherited, [env],
/// [main]/[twins.ID] env, --env. Throws UsageError (2), ConfigError (78) or NotFoundError (127).
LaunchPlan build_plan(const CommandLine& command_line, const Host& host);

/// Why the main's SCRIPT cannot be run ("cannot open script 'x.py': no such file ..."), or
/// nullopt: it exists, or the main is no script file (-m, -c, stdin). Relative paths are
/// taken from `cwd`; a directory or zip application is left to Python. build_plan throws it
/// as a UsageError (not with --check, which lists it among its problems).
std::optional<std::string> missing_script(const MainSpec& main, const std::string& cwd);

}  // namespace cpy2py
