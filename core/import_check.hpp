#pragma once
// --check SCRIPT: does each twin import the main script (or -m module) the way the runtime
// would, with the code under `if __name__ == '__main__':` not run? Runs the checker
// <bootstrap>/cpy2py_check.py in the twin's interpreter with the twin's environment; for a
// twin on another host, on that host (through its stand-in, `cpy2py_remote.py --check-import`).
#include "core/plan.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace cpy2py {

/// What one twin's import of the main module did.
struct ImportCheck {
    bool ok = false;
    std::string report;  ///< the checker's explanation of the failure (may span lines); empty when ok
};

/// The name of the checker script inside the bootstrap directory.
inline constexpr const char* kImportChecker = "cpy2py_check.py";

/// Runs the checker for `twin`; `environment` is what the twin would get ("NAME=value").
ImportCheck check_twin_imports(const LaunchPlan& plan, const TwinSpec& twin, std::vector<std::string> environment,
                               std::chrono::milliseconds timeout = std::chrono::seconds(60)) noexcept;

/// Reads the checker's verdict from its output: the last stdout line `CPY2PY-CHECK ok` or
/// `CPY2PY-CHECK failed <message, newlines escaped as \n>`; anything else is a failure
/// explained by `exit_description` and the stderr tail.
ImportCheck parse_import_check(const std::string& out, const std::string& err, const std::string& exit_description);

}  // namespace cpy2py
