#pragma once
// --list-interpreters: every interpreter the version search finds, probed, as a table.
#include "core/plan_builder.hpp"

#include <iosfwd>

namespace cpy2py {

/// Prints implementation, version, source (PATH, pyenv, uv, conda) and location of every
/// candidate of core/interpreter_search.hpp, in search order, then where it looked.
/// Returns the exit status (0).
int list_interpreters(const Host& host, std::ostream& out);

}  // namespace cpy2py
