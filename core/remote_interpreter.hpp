#pragma once
// How the host of a remote twin finds its interpreter (docs/DESIGN.md, "Twins on other
// hosts"). A name, a path or one version (`3.11` -> `python3.11`) is a command the remote
// shell runs as written; a range, `conda:ENV` or `pyenv:VERSION` is sent, parsed, to the
// agent, which searches that host exactly as core/interpreter_search.hpp searches this one
// (bootstrap/cpy2py_ssh/interpreters.py).
#include "core/interpreter_spec.hpp"

#include <string>

namespace cpy2py {

/// What a remote twin's host is told about its interpreter: exactly one member is set.
struct RemoteInterpreter {
    std::string command;  ///< run as written (a name on the remote PATH or in VENV/bin, or a path)
    std::string search;   ///< JSON of the parsed spec, searched by the agent on that host
};

/// Classifies `interpreter` for a remote twin (`with_venv`: a VENV was given, so it must
/// name a command in VENV/bin). Throws UsageError naming `shown` for a malformed spec or a
/// search spec with a VENV.
RemoteInterpreter remote_interpreter(const std::string& interpreter, bool with_venv, const std::string& shown);

/// The search JSON of a version request, `conda:` or `pyenv:` spec: {"text", "kind",
/// "value", "implementation", "clauses": [{"op", "version": [major, minor, micro], "parts",
/// "prefix"}], "describe"}.
std::string search_json(const InterpreterSpec& spec);

}  // namespace cpy2py
