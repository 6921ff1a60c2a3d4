#pragma once
// --check: probe every interpreter of a checked plan and print the plan as a table.
#include "core/plan.hpp"

#include <iosfwd>

namespace cpy2py {

/// Probes the main and every twin interpreter, prints the plan with what each interpreter
/// reported to `out`; with a script or module, has every twin import it the way the runtime
/// would (see core/import_check.hpp). Returns the exit status of `cpy2py-run --check`: 0 when
/// everything works, 127 when an interpreter does not run, 2 when the main script does not
/// exist, 1 when a twin cannot import the main script.
int check_plan(const LaunchPlan& plan, std::ostream& out);

}  // namespace cpy2py
