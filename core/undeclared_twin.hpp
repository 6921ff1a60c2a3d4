#pragma once
// Twins started on demand that were never declared (docs/DESIGN.md, "Control channel"):
// which executables to try, and what to tell the user when none works. The same rule as a
// standalone main's: the executable a TwinMaster named, else the id itself, `pypy` falling
// back to `pypy3`.
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

/// Executables to try, in order, for undeclared twin `id`; `requested` is what the
/// program named (empty when nothing).
std::vector<std::string> undeclared_twin_candidates(std::string_view id, std::string_view requested);

/// The message for an undeclared twin none of whose `candidates` was found on `path_env`:
/// names the id, what was looked for and where, the declared ids, and how to declare it.
std::string undeclared_twin_message(std::string_view id, const std::vector<std::string>& candidates,
                                    const std::vector<std::string>& declared, std::string_view path_env);

}  // namespace cpy2py
