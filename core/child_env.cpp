#include "core/child_env.hpp"

#include "core/conda_env.hpp"

#include <filesystem>
#include <unistd.h>

extern char** environ;

namespace cpy2py {
namespace {

/// Variables we own: an outer cpy2py-run (a nested application) must not leak them.
constexpr const char* kOwned[] = {
    "CPY2PY_RUN_DIR", "CPY2PY_TOKEN", "CPY2PY_TWIN_ID", "CPY2PY_MAIN_ID", "CPY2PY_CONTROL_FD",
    "CPY2PY_TWINS", "CPY2PY_MAIN_FILE", "CPY2PY_MAIN_MODULE", "CPY2PY_BOOTSTRAP", "CPY2PY_TWIN_SCRIPT",
    "CPY2PY_SSH_TWIN", "CPY2PY_SIGNAL_FD",
};

std::string absolute_path(const std::string& path) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    if (ec) return path;
    return abs.lexically_normal().string();
}

}  // namespace

ChildEnvironment::ChildEnvironment(const LaunchPlan& plan, const std::string& run_dir, const std::string& token,
                                   const std::vector<std::string>& inherited)
    : bootstrap_dir_(plan.bootstrap_dir), main_(plan.main) {
    for (const auto& entry : inherited) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        common_.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const char* name : kOwned) common_.erase(name);

    common_["CPY2PY_RUN_DIR"] = run_dir;
    common_["CPY2PY_TOKEN"] = token;
    common_["CPY2PY_MAIN_ID"] = plan.main.id;
    common_["CPY2PY_BOOTSTRAP"] = plan.bootstrap_dir;
    std::string twins;
    for (const auto& twin : plan.twins) {
        if (!twins.empty()) twins += ' ';
        twins += twin.id;
    }
    common_["CPY2PY_TWINS"] = twins;
    if (plan.main.kind == MainKind::script) common_["CPY2PY_MAIN_FILE"] = absolute_path(plan.main.target);
    if (plan.main.kind == MainKind::module) common_["CPY2PY_MAIN_MODULE"] = plan.main.target;
    common_["CPY2PY_CONTROL_FD"] = std::to_string(kControlFd);
}

std::vector<std::string> ChildEnvironment::finish(Vars vars, const std::string& twin_id,
                                                  const Interpreter& interpreter,
                                                  const std::map<std::string, std::string>& extra) const {
    for (const auto& [name, value] : extra) vars[name] = value;
    vars["CPY2PY_TWIN_ID"] = twin_id;
    auto& pythonpath = vars["PYTHONPATH"];
    pythonpath = pythonpath.empty() ? bootstrap_dir_ : bootstrap_dir_ + ":" + pythonpath;
    if (!interpreter.venv.empty()) {
        // What `activate` would do, so the application's own subprocesses find the venv's tools.
        vars["VIRTUAL_ENV"] = interpreter.venv;
        auto& path = vars["PATH"];
        path = path.empty() ? interpreter.venv + "/bin" : interpreter.venv + "/bin:" + path;
    }
    if (!interpreter.conda_prefix.empty()) {
        // What `conda activate` sets (its activate.d scripts are not run).
        for (auto& [name, value] : conda_activation(interpreter.conda_name, interpreter.conda_prefix)) vars[name] = value;
        auto& path = vars["PATH"];
        path = path.empty() ? interpreter.conda_prefix + "/bin" : interpreter.conda_prefix + "/bin:" + path;
    }
    std::vector<std::string> out;
    out.reserve(vars.size());
    for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
    return out;
}

std::vector<std::string> ChildEnvironment::for_main(bool signal_reports) const {
    Vars vars = common_;
    if (signal_reports) vars["CPY2PY_SIGNAL_FD"] = std::to_string(kSignalReportFd);
    return finish(std::move(vars), main_.id, main_.interpreter, main_.env);
}

std::vector<std::string> ChildEnvironment::for_twin(const TwinSpec& twin) const {
    return finish(common_, twin.id, twin.interpreter, twin.env);
}

std::vector<std::string> ChildEnvironment::current() {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
    return out;
}

}  // namespace cpy2py
