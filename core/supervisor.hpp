#pragma once
// Executes a checked LaunchPlan: spawns the main and the twins, supervises them and returns
// the exit status cpy2py-run must exit with (the main's code, or 128+N for signal N).
#include "core/plan.hpp"

namespace cpy2py {

/// Runs the application described by `plan` to completion. Never throws: failures that
/// happen after the plan was checked are logged and mapped to an exit status.
int run_application(const LaunchPlan& plan) noexcept;

}  // namespace cpy2py
