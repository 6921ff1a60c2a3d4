#include "core/import_check.hpp"

#include "core/captured_run.hpp"
#include "core/exit_status.hpp"

#include <sstream>

namespace cpy2py {
namespace {

constexpr std::string_view kVerdict = "CPY2PY-CHECK ";

/// Undoes the checker's one-line escaping (`\n` newline, `\\` backslash).
std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            ++i;
            out += text[i] == 'n' ? '\n' : text[i];
        } else {
            out += text[i];
        }
    }
    return out;
}

/// Without the variables of a running application: the checker must not take itself for
/// a supervised twin (there is no run directory and no control channel).
std::vector<std::string> without_run_context(std::vector<std::string> environment) {
    std::vector<std::string> out;
    for (auto& entry : environment) {
        if (entry.rfind("CPY2PY_RUN_DIR=", 0) == 0 || entry.rfind("CPY2PY_TOKEN=", 0) == 0 ||
            entry.rfind("CPY2PY_CONTROL_FD=", 0) == 0)
            continue;
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

ImportCheck parse_import_check(const std::string& out, const std::string& err, const std::string& exit_description) {
    std::istringstream lines(out);
    std::string line, verdict;
    while (std::getline(lines, line))
        if (line.rfind(kVerdict, 0) == 0) verdict = line.substr(kVerdict.size());
    if (verdict == "ok") return {true, ""};
    if (verdict.rfind("failed ", 0) == 0) return {false, unescape(std::string_view(verdict).substr(7))};
    const std::string tail = last_lines(err, 2000);
    return {false, "the import checker ended with " + exit_description + (tail.empty() ? "" : ": " + tail)};
}

ImportCheck check_twin_imports(const LaunchPlan& plan, const TwinSpec& twin, std::vector<std::string> environment,
                               std::chrono::milliseconds timeout) noexcept try {
    std::vector<std::string> argv{twin.interpreter.path};
    if (twin.remote) {
        // the checker runs on the twin's host, in its interpreter: the stand-in ships and
        // starts it there (cpy2py_ssh/standin.py, check_import) and relays its verdict
        argv.push_back(twin.remote->standin_script);
        argv.push_back("--check-import");
        environment.push_back("CPY2PY_SSH_TWIN=" + twin.remote->standin_config);
    } else {
        argv.insert(argv.end(), twin.args.begin(), twin.args.end());
        argv.push_back(plan.bootstrap_dir + "/" + kImportChecker);
    }
    const CapturedRun run = run_captured(argv, without_run_context(std::move(environment)), timeout);
    if (!run.started) return {false, run.error};
    if (run.timed_out)
        return {false, "importing took longer than " + std::to_string(timeout.count() / 1000) +
                           " s (killed): does the script's top-level code wait for something?"};
    return parse_import_check(run.out, run.err, ExitStatus::from_wait_status(run.wait_status).describe());
} catch (...) {
    return {false, "out of memory while checking imports"};
}

}  // namespace cpy2py
