#pragma once
// The cpy2py.toml manifest: [main], [twins.ID], [supervisor] and [env], checked key by key;
// the same schema under [tool.cpy2py] in pyproject.toml.
// Every problem is a ConfigError "FILE:LINE:COLUMN: what is wrong and what is allowed".
// (toml++ stays inside manifest.cpp.)
#include "core/interpreter.hpp"
#include "core/plan.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

struct ManifestMain {
    std::string id = "main";                        ///< valid twin id
    std::optional<InterpreterRequest> interpreter;  ///< set when [main] names interpreter or venv
    std::map<std::string, std::string> env;         ///< extra environment for the main
    MainKind kind = MainKind::script;               ///< with target: script = "..." or module = "..."
    std::string target;                             ///< absolute script path or module name; empty: none named
    std::vector<std::string> args;                  ///< args = [...]: the program's default arguments
    std::string where;                              ///< "FILE:LINE:COLUMN" of [main], empty without one
};

struct ManifestTwin {
    std::string id;                                 ///< valid twin id, unique in the manifest
    InterpreterRequest interpreter;                 ///< interpreter or venv is set; paths relative to the manifest
    std::vector<std::string> args;                  ///< extra interpreter arguments
    std::map<std::string, std::string> env;         ///< extra environment
    StartMode start = StartMode::eager;             ///< twins start with the main unless start = "lazy"
    RestartPolicy restart = RestartPolicy::never;
    std::string where;                              ///< "FILE:LINE:COLUMN" of [twins.ID]
    std::optional<RemoteSpec> remote;               ///< set by `host`; interpreter and venv then name remote things
};

struct Manifest {
    std::string path;                               ///< as given by the user; prefixes every message
    ManifestMain main;
    std::vector<ManifestTwin> twins;                ///< in declaration order
    SupervisorSettings supervisor;                  ///< defaults for every key not set
    std::map<std::string, std::string> env;         ///< [env]: for the main and every twin
};

/// Parses manifest text. `path` names it in messages; relative interpreter and venv paths are
/// taken from `base_dir` (absolute). Throws ConfigError.
Manifest parse_manifest(std::string_view text, const std::string& path, const std::string& base_dir);

/// Parses pyproject.toml text: its [tool.cpy2py] table holds the manifest schema. nullopt when
/// there is no such table (the file is someone else's). Throws ConfigError.
std::optional<Manifest> parse_pyproject(std::string_view text, const std::string& path, const std::string& base_dir);

/// The text of the manifest `file` (`path` as shown in messages). Throws ConfigError.
std::string read_manifest_file(const std::string& path, const std::filesystem::path& file);

/// True when `path` names a pyproject.toml (read with parse_pyproject).
bool is_pyproject(const std::string& path);

/// Reads and parses the manifest file `path` (relative to `cwd`), a cpy2py.toml or a
/// pyproject.toml (which must then have [tool.cpy2py]); relative paths inside it are taken from
/// the manifest's own directory. Throws ConfigError, also when it cannot be read.
Manifest load_manifest(const std::string& path, const std::string& cwd);

}  // namespace cpy2py
