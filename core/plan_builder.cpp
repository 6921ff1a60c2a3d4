#include "core/plan_builder.hpp"

#include "core/error.hpp"
#include "core/interpreter_spec.hpp"
#include "core/manifest.hpp"
#include "core/manifest_discovery.hpp"
#include "core/probe_cache.hpp"
#include "core/remote_interpreter.hpp"
#include "core/remote_twin.hpp"
#include "core/twin_id.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace cpy2py {
namespace fs = std::filesystem;

namespace {

constexpr const char* default_main_interpreter = "python3";

using Env = std::map<std::string, std::string>;

std::optional<Manifest> load_selected_manifest(const CommandLine& cl, const Host& host) {
    if (cl.manifest) return load_manifest(*cl.manifest, host.cwd);
    if (cl.no_manifest) return std::nullopt;
    return discover_manifest(host.cwd);
}

/// `base` with every entry of `over` put on top.
Env layered(Env base, const Env& over) {
    for (const auto& [name, value] : over) base[name] = value;
    return base;
}

/// Everything resolution needs: PATH and the places version requests search.
struct Resolver {
    const Host& host;
    InterpreterFinder& finder;
    /// --check: an interpreter that is not found is recorded as such (source "not found",
    /// the error as reason) instead of ending plan building, so every missing one is reported
    bool collect_missing = false;
};

/// Resolves `request`; a failure names the process it was for and, when known, where it was declared.
Interpreter resolve_for(const InterpreterRequest& request, const Resolver& resolver, const std::string& what,
                        const std::string& where) {
    try {
        return resolve_interpreter(request, resolver.finder);
    } catch (const NotFoundError& e) {
        std::string message = (where.empty() ? "" : where + ": ") + "cannot start " + what + ": " + e.what();
        if (!resolver.collect_missing) throw NotFoundError(message);
        Interpreter missing;
        missing.requested = describe(request);
        missing.source = kNotFound;
        missing.reason = std::move(message);
        return missing;
    }
}

/// `python3:`: a VENV separator with nothing after it (a typo, or a variable that expanded
/// to nothing), which would silently mean "no virtualenv".
bool ends_with_empty_venv(std::string_view spec) {
    const auto colon = venv_separator(spec);
    return colon != std::string_view::npos && colon + 1 == spec.size();
}

/// A malformed version range or an empty conda:/pyenv: is a usage error naming `context`.
void check_spec_syntax(const InterpreterRequest& request, const std::string& context) {
    if (!request.venv.empty()) return;
    try {
        parse_interpreter_spec(request.interpreter);
    } catch (const std::invalid_argument& e) {
        throw UsageError(context + ": " + e.what());
    }
}

bool is_bootstrap_dir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "cpy2py", ec);
}

/// What to run: the command line's program, else the manifest's (with its args, unless
/// "--" gave others). Throws UsageError when neither names one (except for --check).
void choose_program(const CommandLine& cl, const std::optional<Manifest>& manifest, MainSpec& main) {
    const bool file_program = manifest && !manifest->main.target.empty();
    const bool cli_program = !cl.target.empty() && !(file_program && cl.separator && cl.kind == MainKind::script);
    if (cli_program) {
        main.kind = cl.kind;
        main.target = cl.target;
        main.args = cl.args;
    } else if (file_program) {
        main.kind = manifest->main.kind;
        main.target = manifest->main.target;
        if (!cl.separator) {
            main.args = manifest->main.args;
        } else {  // `cpy2py-run -- a b`: arguments for the manifest's program, replacing its args
            if (!cl.target.empty()) main.args.push_back(cl.target);
            main.args.insert(main.args.end(), cl.args.begin(), cl.args.end());
        }
    } else if (!cl.check) {
        throw UsageError("nothing to run: give SCRIPT, -m MODULE or -c CODE, or name one in the manifest's [main] "
                         "(script = \"app.py\" or module = \"pkg.cli\") (see --help)");
    }
}

MainSpec build_main(const CommandLine& cl, const std::optional<Manifest>& manifest, const Resolver& resolver,
                    const Env& every, const Env& cli_env) {
    const Host& host = resolver.host;
    MainSpec main;
    choose_program(cl, manifest, main);
    InterpreterRequest request{default_main_interpreter, "", host.cwd};
    std::string where;
    main.env = every;
    if (manifest) {
        main.id = manifest->main.id;
        main.env = layered(main.env, manifest->main.env);
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
        if (ends_with_empty_venv(*cl.main_interpreter))
            throw UsageError("--main-interpreter " + *cl.main_interpreter +
                             " has nothing after its ':' (expected INTERPRETER[:VENV]; drop the ':' for no virtualenv)");
        if (!request.venv.empty() && request.interpreter.find('/') != std::string::npos)
            throw UsageError("--main-interpreter " + *cl.main_interpreter +
                             ": INTERPRETER must be a plain name when VENV is given (it is looked up in VENV/bin)");
    }
    main.env = layered(main.env, cli_env);
    const bool defaulted = where.empty() && !cl.main_interpreter;
    if (defaulted) {
        // The default stays the command python3 on PATH, exactly as typed in a shell: no probe.
        main.interpreter = resolve_interpreter(request, host.path_env);
        main.interpreter.reason = "the default: the command python3 on PATH";
    } else {
        if (cl.main_interpreter) check_spec_syntax(request, "--main-interpreter " + *cl.main_interpreter);
        main.interpreter = resolve_for(request, resolver, "the main (" + main.id + ")", where);
    }
    return main;
}

TwinSpec twin_from_manifest(const ManifestTwin& t, const Resolver& resolver, const Env& every, const Env& cli_env) {
    TwinSpec twin;
    twin.id = t.id;
    if (t.remote) {
        twin.remote = t.remote;  // interpreter and venv name remote things: resolved there, not here
        twin.remote->venv = t.interpreter.venv;
        if (!t.interpreter.interpreter.empty()) twin.remote->interpreter = t.interpreter.interpreter;
        else if (!t.interpreter.venv.empty()) twin.remote->interpreter = "python";
    } else {
        twin.interpreter = resolve_for(t.interpreter, resolver, "twin '" + t.id + "'", t.where);
    }
    twin.args = t.args;
    twin.env = layered(layered(every, t.env), cli_env);
    twin.start = t.start;
    twin.restart = t.restart;
    return twin;
}

TwinSpec twin_from_command_line(const TwinArgument& t, const Resolver& resolver, const Env& every) {
    TwinSpec twin;
    twin.id = t.id;
    if (t.remote) {
        twin.remote = t.remote;  // resolved on its host
    } else {
        twin.interpreter = resolve_for(t.interpreter, resolver, "twin '" + t.id + "'", "");
    }
    twin.env = every;
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

Env parse_env_arguments(const CommandLine& cl) {
    Env env;
    for (const auto& text : cl.env) {
        auto [name, value] = parse_env_argument(text);
        env[name] = value;
    }
    return env;
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
    host.places = SearchPlaces::from(current_variables());
    host.probe_cache_dir = default_probe_cache_dir(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"));
    return host;
}

std::pair<std::string, std::string> parse_env_argument(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw UsageError("--env " + std::string(text) + ": expected NAME=VALUE, e.g. --env APP_MODE=test");
    return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
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
        remote_interpreter(twin.remote->interpreter, !twin.remote->venv.empty(), "--twin " + shown);  // refuses malformed specs
        return twin;
    }
    twin.interpreter = split_interpreter_spec(text.substr(eq + 1), cwd);
    if (twin.interpreter.interpreter.empty() && twin.interpreter.venv.empty())
        throw UsageError("--twin " + shown + ": missing INTERPRETER after '=' (expected ID=INTERPRETER[:VENV])");
    if (ends_with_empty_venv(text.substr(eq + 1)))
        throw UsageError("--twin " + shown + " has nothing after its ':' (expected ID=INTERPRETER[:VENV]; drop "
                         "the ':' for no virtualenv)");
    check_spec_syntax(twin.interpreter, "--twin " + shown);
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
    const std::vector<TwinArgument> cli_twins = parse_twin_arguments(cl, host);
    const Env cli_env = parse_env_arguments(cl);
    const std::optional<Manifest> manifest = load_selected_manifest(cl, host);
    const Env file_env = manifest ? manifest->env : Env{};

    ProbeCache cache(host.probe_cache_dir);
    SearchPlaces places = host.places;
    places.path_env = host.path_env;
    InterpreterFinder finder(std::move(places), cache);
    const Resolver resolver{host, finder, cl.check};
    // Whatever happens below, probes already run are kept for the next run.
    struct SaveCache {
        ProbeCache& cache;
        ~SaveCache() { cache.save(); }
    } save_cache{cache};

    LaunchPlan plan;
    if (manifest) {
        fs::path path{manifest->path};
        plan.manifest_path = (path.is_relative() ? fs::path(host.cwd) / path : path).lexically_normal().string();
    }
    plan.env = layered(file_env, cli_env);
    plan.main = build_main(cl, manifest, resolver, file_env, cli_env);

    for (const auto& t : cli_twins)
        if (t.id == plan.main.id)
            throw UsageError("--twin " + t.id + "=...: '" + t.id + "' is the id of the main; choose another twin id");

    auto from_cli = [&](const std::string& id) {
        return std::find_if(cli_twins.begin(), cli_twins.end(), [&](const TwinArgument& t) { return t.id == id; });
    };
    if (manifest) {
        for (const auto& t : manifest->twins) {
            auto override_it = from_cli(t.id);
            plan.twins.push_back(override_it == cli_twins.end() ? twin_from_manifest(t, resolver, file_env, cli_env)
                                                                : twin_from_command_line(*override_it, resolver, plan.env));
        }
    }
    for (const auto& t : cli_twins) {
        const bool replaced = std::any_of(plan.twins.begin(), plan.twins.end(),
                                          [&](const TwinSpec& spec) { return spec.id == t.id; });
        if (!replaced) plan.twins.push_back(twin_from_command_line(t, resolver, plan.env));
    }

    plan.supervisor = build_supervisor(cl, manifest);
    plan.bootstrap_dir = find_bootstrap_dir(host);
    finish_remote_twins(plan, host.ssh_command_env);
    // checked last, so interpreter and bootstrap errors keep their statuses; before anything
    // starts, so that no eager twin is started for nothing (--check lists it among its problems)
    if (!cl.check) {
        if (auto problem = missing_script(plan.main, host.cwd)) throw UsageError(*problem);
    }
    return plan;
}

std::optional<std::string> missing_script(const MainSpec& main, const std::string& cwd) {
    if (main.kind != MainKind::script || main.target.empty() || main.target == "-") return std::nullopt;
    const fs::path script{main.target};
    std::error_code ec;
    if (fs::exists(script.is_relative() ? fs::path(cwd) / script : script, ec)) return std::nullopt;
    return "cannot open script '" + main.target + "': no such file" +
           (script.is_relative() ? " (relative to " + cwd + ")" : std::string()) +
           "; give the path of an existing .py file, or -m MODULE / -c CODE";
}

}  // namespace cpy2py
