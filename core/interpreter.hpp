#pragma once
// Interpreter resolution: a name on PATH, a path, or a virtualenv directory -> an absolute
// executable path; version requests and conda/pyenv specs go to core/interpreter_search.hpp.
#include "core/plan.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

/// An interpreter as the user wrote it, before resolution.
struct InterpreterRequest {
    std::string interpreter;  ///< name on PATH, or a path when it contains '/'; empty: "python" in `venv`
    std::string venv;         ///< virtualenv directory; empty when none
    std::string base_dir;     ///< absolute directory that relative paths are taken from
};

/// The request as one string, `INTERPRETER[:VENV]` ("pypy3", "python2.7:./venv27", ":./venv").
std::string describe(const InterpreterRequest& request);

/// Splits `INTERPRETER[:VENV]` at the first ':' (no ':' means no venv), except that a
/// `conda:ENV` or `pyenv:VERSION` spec is whole (see venv_separator()).
InterpreterRequest split_interpreter_spec(std::string_view spec, std::string base_dir);

/// True when `p` leads to a regular file we may execute (symlinks followed).
bool is_executable_file(const std::filesystem::path& p);

/// The directories of a ':'-separated PATH, in order (an empty entry is ".").
std::vector<std::filesystem::path> path_directories(std::string_view path_env);

/// What "searched: ..." says for `path_env`: the PATH itself, or, when it is empty, that
/// nothing was searched and what helps (a name alone finds nothing then).
std::string searched_path(std::string_view path_env);

/// The first executable regular file `name` in the ':'-separated `path_env`, made absolute.
std::optional<std::string> find_on_path(std::string_view name, std::string_view path_env);

/// Resolves `request` without following symlinks (a venv's bin/python must stay a venv's).
/// A path naming a directory is taken as a venv. `path_env` is the PATH to search; an unset
/// PATH is passed as the system default. Throws NotFoundError saying what was looked for and
/// where, e.g. "pypy3 not found on PATH (searched: /usr/bin:/bin)".
Interpreter resolve_interpreter(const InterpreterRequest& request, std::string_view path_env);

class InterpreterFinder;

/// Like the above, and also resolves version requests, `conda:ENV` and `pyenv:VERSION`
/// (core/interpreter_spec.hpp) through `finder`. A plain name that is not a version request,
/// a path and a venv resolve exactly as above, without running anything.
Interpreter resolve_interpreter(const InterpreterRequest& request, InterpreterFinder& finder);

/// PATH of this process, or the system default search path when PATH is unset.
std::string current_path_env();

}  // namespace cpy2py
