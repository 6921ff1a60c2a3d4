#pragma once
// The environment every child gets (docs/DESIGN.md, "Processes and environment"): the
// supervisor's own environment, minus any stale CPY2PY_* context, plus the application's.
#include "core/plan.hpp"

#include <map>
#include <string>
#include <vector>

namespace cpy2py {

/// The fd number at which every child finds its control socket.
inline constexpr int kControlFd = 3;
/// The fd number at which the main finds the write end of its signal report pipe
/// (core/main_signal_reports.hpp), when it gets one.
inline constexpr int kSignalReportFd = 4;

class ChildEnvironment {
public:
    /// `inherited` is the supervisor's environment ("NAME=value" entries).
    ChildEnvironment(const LaunchPlan& plan, const std::string& run_dir, const std::string& token,
                     const std::vector<std::string>& inherited);

    /// `signal_reports`: the main gets the signal report pipe at kSignalReportFd.
    std::vector<std::string> for_main(bool signal_reports = false) const;
    std::vector<std::string> for_twin(const TwinSpec& twin) const;

    /// The supervisor's environment as "NAME=value" entries.
    static std::vector<std::string> current();

private:
    using Vars = std::map<std::string, std::string>;
    std::vector<std::string> finish(Vars vars, const std::string& twin_id, const Interpreter& interpreter,
                                    const std::map<std::string, std::string>& extra) const;

    Vars common_;                ///< inherited variables plus the application-wide CPY2PY_* ones
    std::string bootstrap_dir_;  ///< goes in front of PYTHONPATH
    MainSpec main_;              ///< the main's id, interpreter and extra environment
};

}  // namespace cpy2py
