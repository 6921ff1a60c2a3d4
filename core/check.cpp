#include "core/check.hpp"

#include "core/child_env.hpp"
#include "core/conda_env.hpp"
#include "core/error.hpp"
#include "core/import_check.hpp"
#include "core/manifest.hpp"
#include "core/plan_builder.hpp"
#include "core/probe.hpp"
#include "core/remote_interpreter.hpp"
#include "core/text_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace cpy2py {
namespace {

const char* name(StartMode m) { return m == StartMode::eager ? "eager" : "lazy"; }

const char* name(RestartPolicy p) {
    switch (p) {
        case RestartPolicy::never: return "never";
        case RestartPolicy::on_failure: return "on-failure";
        case RestartPolicy::always: return "always";
    }
    return "?";
}

const char* name(OutputMode m) {
    switch (m) {
        case OutputMode::prefixed: return "prefixed";
        case OutputMode::inherit: return "inherit";
        case OutputMode::silent: return "silent";
    }
    return "?";
}

std::string seconds(std::chrono::milliseconds ms) {
    std::ostringstream out;
    out << static_cast<double>(ms.count()) / 1000.0 << "s";
    return out.str();
}

std::string program(const MainSpec& main) {
    switch (main.kind) {
        case MainKind::script: return main.target.empty() ? "(none)" : main.target;
        case MainKind::module: return "-m " + main.target;
        case MainKind::code: return "-c " + main.target;
    }
    return "";
}

using Row = TableRow;

/// Where an interpreter was found and why it won, for the second table.
Row choice_row(const std::string& role, const std::string& id, const Interpreter& interp) {
    if (interp.source == kNotFound) return {role, id, interp.requested, "-", "not found (see the problems below)"};
    std::string found = interp.source.empty() ? "-" : interp.source;
    if (!interp.conda_name.empty()) found += " " + interp.conda_name;
    return {role, id, interp.requested, found, interp.reason.empty() ? "as written" : interp.reason};
}

/// One table row for a process; records a failure in `problems`.
Row probe_row(const std::string& role, const std::string& id, const Interpreter& interp,
              const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              const std::string& start, const std::string& restart, std::vector<std::string>& problems,
              ProbeResult* answer = nullptr, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    if (interp.source == kNotFound) {
        problems.push_back(interp.reason);
        return {role, id, interp.requested, "-", "-", "NOT FOUND", "-", start, restart};
    }
    std::map<std::string, std::string> probe_env = env;
    if (!interp.conda_prefix.empty()) {
        for (auto& [name, value] : conda_activation(interp.conda_name, interp.conda_prefix)) probe_env[name] = value;
        const char* path = std::getenv("PATH");
        probe_env["PATH"] = interp.conda_prefix + "/bin" + (path && *path ? std::string(":") + path : "");
    }
    const ProbeResult r = probe_interpreter(interp.path, args, probe_env, timeout);
    if (answer) *answer = r;
    const bool remote = interp.requested.rfind("ssh://", 0) == 0;
    if (!r.ok) problems.push_back(role + " '" + id + "' (" + (remote ? interp.requested : interp.path) + "): " + r.error);
    return {role,
            id,
            interp.requested,
            !r.location.empty() ? r.location : remote ? "-" : interp.path,
            interp.venv.empty() ? "-" : interp.venv,
            r.ok ? r.implementation + " " + r.version : "FAILED",
            r.ok ? std::to_string(r.pickle_protocol) : "-",
            start,
            restart};
}

/// Whether the main is a script or module that twins would import.
bool importable_main(const MainSpec& main) {
    if (main.target.empty()) return false;
    if (main.kind == MainKind::module) return true;
    return main.kind == MainKind::script && main.target != "-";
}

/// Imports the main module in each twin (guarded code not run) and prints one line per
/// twin; false when any twin failed, with the reasons added to `problems`.
bool check_main_imports(const LaunchPlan& plan, std::vector<std::string>& problems, std::ostream& out) {
    if (!importable_main(plan.main) || plan.twins.empty()) return true;
    const ChildEnvironment environment(plan, "", "", ChildEnvironment::current());
    out << "\nimports of " << program(plan.main)
        << " in each twin, as the runtime imports it (code under `if __name__ == '__main__':` not run):\n";
    bool all_ok = true;
    for (const auto& twin : plan.twins) {
        const ImportCheck result = check_twin_imports(plan, twin, environment.for_twin(twin));
        out << "  twin '" << twin.id << "' (" << twin.interpreter.requested << "): " << (result.ok ? "ok" : "FAILED")
            << "\n";
        if (!result.ok) {
            all_ok = false;
            problems.push_back(result.report);
        }
    }
    return all_ok;
}

}  // namespace

int check_plan(const LaunchPlan& plan, std::ostream& out) {
    std::vector<std::string> problems;
    int status = 0;

    out << "manifest:   " << (plan.manifest_path.empty() ? "(none)" : plan.manifest_path)
        << (is_pyproject(plan.manifest_path) ? " [tool.cpy2py]" : "") << "\n";
    out << "bootstrap:  " << plan.bootstrap_dir << "\n";
    out << "program:    " << program(plan.main) << "\n";
    std::error_code cwd_error;  // (a cwd that vanished: relative paths stay relative)
    if (auto problem = missing_script(plan.main, std::filesystem::current_path(cwd_error).string())) {
        problems.push_back(*problem);
        status = exit_status::usage;
    }
    out << "supervisor: output=" << name(plan.supervisor.output)
        << " shutdown_grace=" << seconds(plan.supervisor.shutdown_grace)
        << " ready_timeout=" << seconds(plan.supervisor.ready_timeout)
        << " restart_backoff=" << seconds(plan.supervisor.restart.backoff_base) << ".."
        << seconds(plan.supervisor.restart.backoff_cap) << " restart_max=" << plan.supervisor.restart.max_restarts
        << " restart_window=" << seconds(plan.supervisor.restart.window)
        << " healthy_after=" << seconds(plan.supervisor.restart.healthy_after) << "\n\n";

    std::vector<Row> rows{{"ROLE", "ID", "REQUESTED", "PATH", "VENV", "PYTHON", "PICKLE", "START", "RESTART"}};
    const size_t before = problems.size();
    rows.push_back(probe_row("main", plan.main.id, plan.main.interpreter, {}, plan.main.env, "-", "-", problems));
    std::map<std::string, ProbeResult> remote_answers;  ///< by twin id: what the remote host found
    for (const auto& twin : plan.twins) {
        if (twin.remote) {
            // connects, ships the runtime and reports what answered, or what the remote's
            // search found (core/remote_interpreter.hpp)
            const std::map<std::string, std::string> env{{"CPY2PY_SSH_TWIN", twin.remote->standin_config},
                                                         {"CPY2PY_BOOTSTRAP", plan.bootstrap_dir}};
            // its link gives up a little before ready_timeout with a message naming the host
            // (cpy2py_ssh/link.py): wait for that message rather than kill it first
            rows.push_back(probe_row("twin", twin.id, twin.interpreter, {twin.remote->standin_script, "--check"}, env,
                                     name(twin.start), name(twin.restart), problems, &remote_answers[twin.id],
                                     plan.supervisor.ready_timeout + std::chrono::seconds(10)));
            continue;
        }
        rows.push_back(probe_row("twin", twin.id, twin.interpreter, twin.args, twin.env, name(twin.start),
                                 name(twin.restart), problems));
    }
    print_table(rows, out);
    if (problems.size() > before) status = exit_status::not_found;

    out << "\n";
    std::vector<Row> choices{{"ROLE", "ID", "REQUESTED", "FOUND IN", "WHY"}};
    choices.push_back(choice_row("main", plan.main.id, plan.main.interpreter));
    for (const auto& twin : plan.twins) {
        if (twin.remote) {
            // resolved by the remote host itself: a command, or its own search
            const RemoteSpec& remote = *twin.remote;
            const RemoteInterpreter how = remote_interpreter(remote.interpreter, !remote.venv.empty(), "twin '" + twin.id + "'");
            const ProbeResult& answer = remote_answers[twin.id];
            std::string where = "host " + remote.destination;
            std::string why;
            if (!how.command.empty()) {
                why = "looked up there: " + (remote.venv.empty() ? how.command : remote.venv + "/bin/" + how.command);
            } else {
                if (!answer.found_in.empty()) where += ": " + answer.found_in;
                why = answer.reason.empty() ? "searched there (its PATH, pyenv, uv and conda)" : answer.reason;
            }
            choices.push_back({"twin", twin.id, twin.interpreter.requested, where, why});
            continue;
        }
        choices.push_back(choice_row("twin", twin.id, twin.interpreter));
    }
    print_table(choices, out);
    if (status == 0 && !check_main_imports(plan, problems, out)) status = exit_status::import_failed;

    out << "\n";
    if (problems.empty()) {
        out << "ok: " << 1 + plan.twins.size() << " interpreter(s) checked\n";
    } else {
        for (const auto& p : problems) out << "problem: " << p << "\n";
    }
    out.flush();
    return status;
}

}  // namespace cpy2py
