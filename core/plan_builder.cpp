#include "core/plan_builder.hpp"

#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/remote_twin.hpp"
#include "core/twin_id.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace cpy2py {
namespace fs = std::filesystem;

namespace {

constexpr const char* default_main_interpreter = "python3";
constexpr const char* default_manifest = "cpy2py.toml";

std::optional<Manifest> load_selected_manifest(const CommandLine& cl, const Host& host) {
    if (cl.manifest) return load_manifest(*cl.manifest, host.cwd);
    if (cl.no_manifest) return std::nullopt;
    std::error_code ec;
    if (!fs::exists(fs::path(host.cwd) / default_manifest, ec)) return std::nullopt;
    return load_manifest(default_manifest, host.cwd);
}

/// Resolves `request`; a failure names the process it was for and, when known, where it was declared.
Interpreter resolve_for(const InterpreterRequest& request, const Host& host, const std::string& what,
                        const std::string& where) {
    try {
        return resolve_interpreter(request, host.path_env);
    } catch (const NotFoundError& e) {
        throw NotFoundError((where.empty() ? "" : where + ": ") + "cannot start " + what + ": " + e.what());
    }
}

bool is_bootstrap_dir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "cpy2py", ec);
}

MainSpec build_main(const CommandLine& cl, const std::optional<Manifest>& manifest, const Host& host) {
    MainSpec main;
    main.kind = cl.kind;
    main.target = cl.target;
    main.args = cl.args;
    InterpreterRequest request{default_main_interpreter, "", host.cwd};
    std::string where;
    if (manifest) {
        main.id = manifest->main.id;
        main.env = manifest->main.env;
        if (manifest->main.interpreter) {
            request = *manifest->main.interpreter;
            where = manifest->main.where;
        }
    }
    if (cl.main_interpreter) {
        request = split_interpreter_spec(*cl.main_interpreter, host.cwd);
        where.clear();
        if (request.interpreter.empty() && request.venv.empty())
            throw UsageError("--main-interpreter needs INTERPRETER[:VENV], got '" + *cl.main_interpreter + "'");
        if (!request.venv.empty() && request.interpreter.find('/') != std::string::npos)
            throw UsageError("--main-interpreter " + *cl.main_interpreter +
                             ": INTERPRETER must be a plain name when VENV is given (it is looked up in VENV/bin)");
    }
    main.interpreter = resolve_for(request, host, "the main (" + main.id + ")", where);
    return main;
}

TwinSpec twin_from_manifest(const ManifestTwin& t, const Host& host) {
    TwinSpec twin;
    twin.id = t.id;
    if (t.remote) {
        twin.remote = t.remote;  // interpreter and venv name remote things: nothing to resolve here
        twin.remote->venv = t.interpreter.venv;
        if (!t.interpreter.interpreter.empty()) twin.remote->interpreter = t.interpreter.interpreter;
        else if (!t.interpreter.venv.empty()) twin.remote->interpreter = "python";
    } else {
        twin.interpreter = resolve_for(t.interpreter, host, "twin '" + t.id + "'", t.where);
    }
    twin.args = t.args;
    twin.env = t.env;
    twin.start = t.start;
    twin.restart = t.restart;
    return twin;
}

TwinSpec twin_from_command_line(const TwinArgument& t, const Host& host) {
    TwinSpec twin;
    twin.id = t.id;
    if (t.remote) {
        twin.remote = t.remote;
    } else {
        twin.interpreter = resolve_for(t.interpreter, host, "twin '" + t.id + "'", "");
    }
    twin.start = StartMode::eager;
    twin.restart = RestartPolicy::never;
    return twin;
}

std::vector<TwinArgument> parse_twin_arguments(const CommandLine& cl, const Host& host) {
    std::vector<TwinArgument> twins;
    std::set<std::string> seen;
    for (const auto& text : cl.twins) {
        TwinArgument twin = parse_twin_argument(text, host.cwd);
        if (!seen.insert(twin.id).second)
            throw UsageError("--twin " + text + ": twin '" + twin.id + "' is given twice on the command line");
        twins.push_back(std::move(twin));
    }
    return twins;
}

SupervisorSettings build_supervisor(const CommandLine& cl, const std::optional<Manifest>& manifest) {
    SupervisorSettings s = manifest ? manifest->supervisor : SupervisorSettings{};
    if (cl.output) s.output = *cl.output;
    if (cl.shutdown_grace) {
        const double seconds = *cl.shutdown_grace;
        if (!std::isfinite(seconds) || seconds < 0 || seconds > 365.0 * 24 * 3600)
            throw UsageError("--shutdown-grace must be between 0 and 31536000 seconds");
        s.shutdown_grace = std::chrono::milliseconds(std::llround(seconds * 1000.0));
    }
    return s;
}

}  // namespace

Host Host::current() {
    Host host;
    host.cwd = fs::current_path().string();
    host.path_env = current_path_env();
    std::error_code ec;
    host.exe_path = fs::read_symlink("/proc/self/exe", ec).string();
    if (const char* dir = std::getenv("CPY2PY_BOOTSTRAP_DIR"); dir && *dir) host.bootstrap_env = dir;
    if (const char* ssh = std::getenv("CPY2PY_SSH_COMMAND");
        ssh && std::string_view(ssh).find_first_not_of(" \t\n") != std::string_view::npos)
        host.ssh_command_env = ssh;
    return host;
}

TwinArgument parse_twin_argument(std::string_view text, const std::string& cwd) {
    const std::string shown(text);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos)
        throw UsageError("--twin " + shown + ": expected ID=INTERPRETER[:VENV], e.g. --twin pypy=pypy3");
    TwinArgument twin;
    twin.id = std::string(text.substr(0, eq));
    if (!is_valid_twin_id(twin.id))
        throw UsageError("--twin " + shown + ": twin id '" + twin.id + "' is not valid: use " +
                         std::string(twin_id_rule));
    if (is_ssh_url(text.substr(eq + 1))) {
        twin.remote = parse_ssh_url(text.substr(eq + 1), "--twin " + shown);
        return twin;
    }
    twin.interpreter = split_interpreter_spec(text.substr(eq + 1), cwd);
    if (twin.interpreter.interpreter.empty() && twin.interpreter.venv.empty())
        throw UsageError("--twin " + shown + ": missing INTERPRETER after '=' (expected ID=INTERPRETER[:VENV])");
    if (!twin.interpreter.venv.empty() && twin.interpreter.interpreter.find('/') != std::string::npos)
        throw UsageError("--twin " + shown +
                         ": INTERPRETER must be a plain name when VENV is given (it is looked up in VENV/bin)");
    return twin;
}

std::string find_bootstrap_dir(const Host& host) {
    if (host.bootstrap_env) {
        fs::path dir = fs::path(*host.bootstrap_env);
        if (dir.is_relative()) dir = fs::path(host.cwd) / dir;
        dir = dir.lexically_normal();
        if (!is_bootstrap_dir(dir))
            throw NotFoundError("cannot find the bootstrap files: CPY2PY_BOOTSTRAP_DIR=" + *host.bootstrap_env +
                                " has no cpy2py/ package (looked for " + (dir / "cpy2py").string() + ")");
        return dir.string();
    }
    std::vector<fs::path> candidates;
    if (!host.exe_path.empty())
        candidates.push_back((fs::path(host.exe_path).parent_path() / ".." / CPY2PY_INSTALL_BOOTSTRAP_REL).lexically_normal());
    candidates.push_back(fs::path(CPY2PY_SOURCE_BOOTSTRAP).lexically_normal());
    std::string looked;
    for (const auto& dir : candidates) {
        if (is_bootstrap_dir(dir)) return dir.string();
        looked += (looked.empty() ? "" : ", ") + dir.string();
    }
    throw NotFoundError("cannot find the bootstrap files (looked in " + looked +
                        "); reinstall cpy2py-run or set CPY2PY_BOOTSTRAP_DIR");
}

LaunchPlan build_plan(const CommandLine& cl, const Host& host) {
    // Usage errors first, then the manifest, then everything that needs the file system.
    if (cl.target.empty() && !cl.check)
        throw UsageError("nothing to run: give SCRIPT, -m MODULE or -c CODE (see --help)");
    const std::vector<TwinArgument> cli_twins = parse_twin_arguments(cl, host);
    const std::optional<Manifest> manifest = load_selected_manifest(cl, host);

    LaunchPlan plan;
    if (manifest) {
        fs::path path{manifest->path};
        plan.manifest_path = (path.is_relative() ? fs::path(host.cwd) / path : path).lexically_normal().string();
    }
    plan.main = build_main(cl, manifest, host);

    for (const auto& t : cli_twins)
        if (t.id == plan.main.id)
            throw UsageError("--twin " + t.id + "=...: '" + t.id + "' is the id of the main; choose another twin id");

    auto from_cli = [&](const std::string& id) {
        return std::find_if(cli_twins.begin(), cli_twins.end(), [&](const TwinArgument& t) { return t.id == id; });
    };
    if (manifest) {
        for (const auto& t : manifest->twins) {
            auto override_it = from_cli(t.id);
            plan.twins.push_back(override_it == cli_twins.end() ? twin_from_manifest(t, host)
                                                                : twin_from_command_line(*override_it, host));
        }
    }
    for (const auto& t : cli_twins) {
        const bool replaced = std::any_of(plan.twins.begin(), plan.twins.end(),
                                          [&](const TwinSpec& spec) { return spec.id == t.id; });
        if (!replaced) plan.twins.push_back(twin_from_command_line(t, host));
    }

    plan.supervisor = build_supervisor(cl, manifest);
    plan.bootstrap_dir = find_bootstrap_dir(host);
    finish_remote_twins(plan, host.ssh_command_env);
    return plan;
}

}  // namespace cpy2py
