#pragma once
// --check: probe every interpreter of a checked plan and print the plan as a table.
#include "core/plan.hpp"

#include <iosfwd>

namespace cpy2py {

/// Probes the main and every twin interpreter, prints the plan with what each interpreter
/// reported to `out`, and returns the exit status of `cpy2py-run --check`: 0 when everything
/// works, 127 when an interpreter does not run, 2 when the main script does not exist.
int check_plan(const LaunchPlan& plan, std::ostream& out);

}  // namespace cpy2py
