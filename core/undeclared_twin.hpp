#pragma once
// Twins started on demand that were never declared (docs/DESIGN.md, "Control channel"):
// which executables to try, and what to tell the user when none works. The same rule as a
// standalone main's: the executable a TwinMaster named, else the id itself, `pypy` falling
// back to `pypy3`.
#include "core/plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

class InterpreterFinder;

/// Executables to try, in order, for undeclared twin `id`; `requested` is what the
/// program named (empty when nothing).
std::vector<std::string> undeclared_twin_candidates(std::string_view id, std::string_view requested);

/// The first of `candidates` that resolves the way `--twin ID=CANDIDATE` would (a path, a
/// command on PATH, or a version-like name such as python2.7 through the interpreter search,
/// which passes over a pyenv shim that does not run), relative paths from `base_dir`.
struct UndeclaredResolution {
    std::optional<Interpreter> found;
    std::vector<std::string> why_not;  ///< one reason per candidate tried in vain
};
UndeclaredResolution resolve_undeclared_twin(const std::vector<std::string>& candidates, InterpreterFinder& finder,
                                             const std::string& base_dir);

/// The message for an undeclared twin none of whose `candidates` was found on `path_env`:
/// names the id, what was looked for and where (`why_not` from resolve_undeclared_twin()
/// when given, else PATH), the declared ids, and how to declare it.
std::string undeclared_twin_message(std::string_view id, const std::vector<std::string>& candidates,
                                    const std::vector<std::string>& declared, std::string_view path_env,
                                    const std::vector<std::string>& why_not = {});

}  // namespace cpy2py
