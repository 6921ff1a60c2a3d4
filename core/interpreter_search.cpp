#include "core/interpreter_search.hpp"

#include "core/error.hpp"
#include "core/interpreter.hpp"
#include "core/probe_cache.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

namespace cpy2py {
namespace fs = std::filesystem;

namespace {

/// Executables of an installation's bin/, most general name first.
constexpr const char* install_executables[] = {"python", "python3", "pypy3", "pypy", "python2"};

std::vector<fs::path> sorted_children(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(it->path());
    std::sort(out.begin(), out.end());
    return out;
}

/// The interpreter of an installation directory (a pyenv version, a uv install, a conda env).
std::optional<fs::path> install_executable(const fs::path& prefix) {
    for (const char* name : install_executables)
        if (is_executable_file(prefix / "bin" / name)) return prefix / "bin" / name;
    return std::nullopt;
}

/// Two paths that lead to the same file from the same directory are one interpreter; a venv's
/// bin/python (a symlink into the base installation) stays distinct from its target.
std::string identity(const fs::path& path) {
    std::error_code ec;
    const fs::path dir = fs::canonical(path.parent_path(), ec);
    if (ec) return path.string();
    const fs::path file = fs::canonical(path, ec);
    return (dir / (ec ? path.filename() : file.filename())).string();
}

class CandidateList {
public:
    void add(const fs::path& path, const std::string& source, const std::string& label,
             const std::string& conda_prefix = "") {
        if (!seen_.insert(identity(path)).second) return;
        out.push_back(Candidate{path.string(), source, label, conda_prefix, {}});
    }
    std::vector<Candidate> out;  ///< in the order added

private:
    std::set<std::string> seen_;  ///< identities added
};

/// A pyenv version directory for `version`: the exact name, else the highest "VERSION.*"/"VERSION-*".
std::optional<fs::path> pyenv_version_dir(const fs::path& versions, const std::string& version,
                                          std::vector<std::string>& installed) {
    std::optional<fs::path> best;
    PythonVersion best_version;
    for (const auto& dir : sorted_children(versions)) {
        const std::string name = dir.filename().string();
        installed.push_back(name);
        if (name == version) return dir;
        const bool prefix = name.size() > version.size() && name.compare(0, version.size(), version) == 0 &&
                            (name[version.size()] == '.' || name[version.size()] == '-');
        if (!prefix) continue;
        const auto v = parse_python_version(name).value_or(PythonVersion{});
        if (!best || compare_versions(v, best_version) > 0) {
            best = dir;
            best_version = v;
        }
    }
    return best;
}

/// The start of a long error (a shim's stderr can be a paragraph).
std::string brief(const std::string& error) {
    const auto colon = error.find(": ");
    return colon == std::string::npos || colon > 80 ? error.substr(0, 80) : error.substr(0, colon);
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "none" : out;
}

}  // namespace

SearchPlaces SearchPlaces::from(const Variables& env) {
    SearchPlaces places;
    places.path_env = env.count("PATH") ? variable(env, "PATH") : "/usr/local/bin:/usr/bin:/bin";
    std::string home = variable(env, "HOME");
    if (!home.empty() && home.front() != '/') home.clear();
    places.pyenv_root = variable(env, "PYENV_ROOT");
    if (places.pyenv_root.empty() && !home.empty()) places.pyenv_root = home + "/.pyenv";
    // uv's documented order for managed Python installations.
    places.uv_python_dir = variable(env, "UV_PYTHON_INSTALL_DIR");
    if (places.uv_python_dir.empty()) {
        const std::string data = variable(env, "XDG_DATA_HOME");
        if (!data.empty() && data.front() == '/') places.uv_python_dir = data + "/uv/python";
        else if (!home.empty()) places.uv_python_dir = home + "/.local/share/uv/python";
    }
    places.conda = CondaPlaces::from(env, home);
    return places;
}

std::string SearchPlaces::describe() const {
    std::string out = "PATH (" + path_env + ")";
    if (!pyenv_root.empty()) out += ", pyenv (" + pyenv_root + "/versions)";
    if (!uv_python_dir.empty()) out += ", uv (" + uv_python_dir + ")";
    out += ", conda (" + conda.describe() + ")";
    return out;
}

std::string Candidate::describe() const {
    std::string where = source + (label.empty() ? "" : " " + label);
    if (!probe.ok) return path + " (" + where + "; does not run: " + probe.error + ")";
    return probe.implementation + " " + probe.version + " at " + path + " (" + where + ")";
}

std::vector<Candidate> list_candidates(const SearchPlaces& places) {
    static const std::regex python_name{R"((python|pypy)([23](\.[0-9]+)?)?)"};
    CandidateList list;
    for (const auto& dir : path_directories(places.path_env)) {
        if (dir.filename() == "shims") continue;  // pyenv's: its versions are found directly below
        for (const auto& entry : sorted_children(dir))
            if (std::regex_match(entry.filename().string(), python_name) && is_executable_file(entry))
                list.add(entry, "PATH", "");
    }
    if (!places.pyenv_root.empty()) {
        auto versions = sorted_children(fs::path(places.pyenv_root) / "versions");
        // 3.6.15 before 3.10.13: by version where the name is one, else by name
        std::stable_sort(versions.begin(), versions.end(), [](const fs::path& a, const fs::path& b) {
            const auto va = parse_python_version(a.filename().string());
            const auto vb = parse_python_version(b.filename().string());
            if (va && vb) return compare_versions(*va, *vb) < 0;
            return va && !vb;
        });
        for (const auto& version : versions)
            if (auto exe = install_executable(version)) list.add(*exe, "pyenv", version.filename().string());
    }
    if (!places.uv_python_dir.empty()) {
        for (const auto& install : sorted_children(places.uv_python_dir)) {
            if (install.filename().string().front() == '.') continue;  // uv's .lock, .cache, .temp
            if (auto exe = install_executable(install)) list.add(*exe, "uv", install.filename().string());
        }
    }
    for (const auto& env : list_conda_envs(places.conda)) {
        const fs::path exe = fs::path(env.prefix) / "bin" / "python";
        if (is_executable_file(exe)) list.add(exe, "conda", env.name, env.prefix);
    }
    return std::move(list.out);
}

Choice choose_candidate(const VersionRequest& request, const std::vector<Candidate>& candidates) {
    std::vector<std::pair<const Candidate*, PythonVersion>> matching;
    for (const auto& c : candidates) {
        if (!c.probe.ok) continue;
        const auto version = parse_python_version(c.probe.version);
        if (version && request.accepts(c.probe.implementation, *version)) matching.emplace_back(&c, *version);
    }
    if (matching.empty()) return {};
    const bool prefer_cpython = request.implementation == Implementation::any;
    // stable_sort keeps search order among equals: PATH before pyenv before uv before conda.
    std::stable_sort(matching.begin(), matching.end(), [&](const auto& a, const auto& b) {
        if (prefer_cpython) {
            const bool a_cp = a.first->probe.implementation == "CPython";
            const bool b_cp = b.first->probe.implementation == "CPython";
            if (a_cp != b_cp) return a_cp;
        }
        return compare_versions(a.second, b.second) > 0;
    });
    Choice choice;
    choice.winner = matching.front().first;
    choice.reason = "highest version of " + std::to_string(matching.size()) + " interpreter(s) matching " +
                    request.describe() + (prefer_cpython ? ", CPython preferred" : "") + ", among " +
                    std::to_string(candidates.size()) + " found";
    return choice;
}

const std::vector<Candidate>& InterpreterFinder::candidates() {
    if (!candidates_) {
        candidates_ = list_candidates(places_);
        std::vector<std::string> paths;
        for (const auto& c : *candidates_) paths.push_back(c.path);
        const auto results = cache_.probe_all(paths);
        for (std::size_t i = 0; i < results.size(); ++i) (*candidates_)[i].probe = results[i];
    }
    return *candidates_;
}

Interpreter InterpreterFinder::find(const InterpreterSpec& spec, const std::string& base_dir) {
    switch (spec.kind) {
        case InterpreterSpec::Kind::conda: return find_conda(spec, base_dir);
        case InterpreterSpec::Kind::pyenv: return find_pyenv(spec);
        default: return find_version(spec);
    }
}

Interpreter InterpreterFinder::find_version(const InterpreterSpec& spec) {
    const VersionRequest& request = spec.request;
    std::string note;
    if (request.command_form) {
        // `python3` means what it means in the user's shell when that command exists and works.
        if (auto path = find_on_path(spec.value, places_.path_env)) {
            if (!is_shim(*path)) return Interpreter{spec.text, *path, "", "PATH", "the command " + spec.value + " on PATH", "", ""};
            const ProbeResult probe = cache_.probe(*path);
            const auto version = parse_python_version(probe.version);
            if (probe.ok && version && request.accepts(probe.implementation, *version))
                return Interpreter{spec.text, *path, "", "PATH",
                                   "the shim " + spec.value + " on PATH runs " + probe.implementation + " " +
                                       probe.version,
                                   "", ""};
            note = "the shim " + *path + (probe.ok ? " runs " + probe.implementation + " " + probe.version
                                                   : " does not run (" + brief(probe.error) + ")");
        } else {
            note = spec.value + " not found on PATH (searched: " + searched_path(places_.path_env) + ")";
        }
    }
    const Choice choice = choose_candidate(request, candidates());
    if (choice.winner) {
        const Candidate& c = *choice.winner;
        Interpreter found{spec.text, c.path, "", c.source, (note.empty() ? "" : note + "; ") + choice.reason, "", ""};
        if (c.source == "conda") {
            found.conda_prefix = c.conda_prefix;
            found.conda_name = c.label;
        }
        return found;
    }
    std::vector<std::string> found;
    for (const auto& c : candidates()) found.push_back(c.describe());
    const std::string what = note.empty() ? "no interpreter matches '" + spec.text + "'"
                                          : note + ", and no interpreter found matches it";
    throw NotFoundError(what + " (" + request.describe() + "); found: " + joined(found) +
                        "; looked in: " + places_.describe());
}

Interpreter InterpreterFinder::find_pyenv(const InterpreterSpec& spec) {
    if (places_.pyenv_root.empty())
        throw NotFoundError("'" + spec.text + "': no pyenv root (set PYENV_ROOT or HOME)");
    const fs::path versions = fs::path(places_.pyenv_root) / "versions";
    std::vector<std::string> installed;
    const auto dir = pyenv_version_dir(versions, spec.value, installed);
    if (!dir)
        throw NotFoundError("'" + spec.text + "': no pyenv version " + spec.value + " in " + versions.string() +
                            " (installed: " + joined(installed) + ")");
    const auto exe = install_executable(*dir);
    if (!exe) throw NotFoundError("'" + spec.text + "': " + dir->string() + " has no bin/python");
    const ProbeResult probe = cache_.probe(exe->string());
    if (!probe.ok) throw NotFoundError("'" + spec.text + "': " + exe->string() + " does not run: " + probe.error);
    const std::string name = dir->filename().string();
    return Interpreter{spec.text, exe->string(), "", "pyenv",
                       name == spec.value ? "pyenv version " + name
                                          : "pyenv version " + name + ", the highest installed matching " + spec.value,
                       "", ""};
}

Interpreter InterpreterFinder::find_conda(const InterpreterSpec& spec, const std::string& base_dir) {
    const auto env = find_conda_env(spec.value, places_.conda, base_dir);
    if (!env) {
        std::vector<std::string> found;
        for (const auto& e : list_conda_envs(places_.conda)) found.push_back(e.name + " (" + e.prefix + ")");
        throw NotFoundError("conda environment '" + spec.value + "' not found; found: " + joined(found) +
                            "; looked in: " + places_.conda.describe());
    }
    const fs::path exe = fs::path(env->prefix) / "bin" / "python";
    if (!is_executable_file(exe))
        throw NotFoundError("conda environment '" + env->name + "' (" + env->prefix +
                            ") has no bin/python: is python installed in it?");
    const ProbeResult probe = cache_.probe(exe.string());
    if (!probe.ok) throw NotFoundError("'" + spec.text + "': " + exe.string() + " does not run: " + probe.error);
    return Interpreter{spec.text, exe.string(), "", "conda", "conda environment " + env->name + " at " + env->prefix,
                       env->prefix, env->name};
}

}  // namespace cpy2py
