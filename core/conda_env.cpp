#include "core/conda_env.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace cpy2py {
namespace fs = std::filesystem;

namespace {

/// Base installations people get from the installers' defaults.
constexpr const char* home_roots[] = {"miniconda3", "anaconda3", "miniforge3", "mambaforge", "micromamba"};

bool is_env(const fs::path& prefix) {
    std::error_code ec;
    return fs::is_directory(prefix / "conda-meta", ec);
}

/// Children of `dir` that are environments, by name.
std::vector<fs::path> envs_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (is_env(it->path())) out.push_back(it->path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

CondaPlaces CondaPlaces::from(const Variables& env, const std::string& home) {
    CondaPlaces places;
    places.active_prefix = variable(env, "CONDA_PREFIX");
    places.active_name = variable(env, "CONDA_DEFAULT_ENV");
    const std::string envs_path = variable(env, "CONDA_ENVS_PATH");
    for (std::size_t start = 0; start < envs_path.size();) {
        auto colon = envs_path.find(':', start);
        if (colon == std::string::npos) colon = envs_path.size();
        if (colon > start) places.envs_dirs.push_back(envs_path.substr(start, colon - start));
        start = colon + 1;
    }
    // $CONDA_EXE is <root>/bin/conda (or condabin/conda) once conda's shell hook ran.
    if (const std::string exe = variable(env, "CONDA_EXE"); !exe.empty())
        places.roots.push_back(fs::path(exe).parent_path().parent_path().string());
    if (const std::string mamba = variable(env, "MAMBA_ROOT_PREFIX"); !mamba.empty()) places.roots.push_back(mamba);
    if (!home.empty()) {
        places.environments_txt = home + "/.conda/environments.txt";
        places.envs_dirs.push_back(home + "/.conda/envs");
        for (const char* root : home_roots) places.roots.push_back(home + "/" + root);
    }
    places.roots.push_back("/opt/conda");
    return places;
}

std::string CondaPlaces::describe() const {
    std::string out;
    auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
    if (!active_prefix.empty()) add("CONDA_PREFIX=" + active_prefix);
    for (const auto& d : envs_dirs) add(d);
    if (!environments_txt.empty()) add(environments_txt);
    for (const auto& r : roots) add(r + " (and its envs/)");
    return out;
}

std::vector<CondaEnv> list_conda_envs(const CondaPlaces& places) {
    std::vector<CondaEnv> out;
    std::set<std::string> seen;
    auto add = [&](const fs::path& prefix, const std::string& name) {
        if (!is_env(prefix)) return;
        std::error_code ec;
        fs::path canonical = fs::canonical(prefix, ec);
        const std::string key = ec ? prefix.lexically_normal().string() : canonical.string();
        if (!seen.insert(key).second) return;
        out.push_back(CondaEnv{name, (ec ? prefix.lexically_normal() : canonical).string()});
    };
    // A root installation is "base"; it is recognised by its envs/ directory or by being a root.
    std::set<std::string> root_paths;
    for (const auto& r : places.roots) {
        std::error_code ec;
        root_paths.insert(fs::weakly_canonical(r, ec).string());
    }
    // A base installation is a known root, or any prefix holding conda's own condabin/.
    auto name_of = [&](const fs::path& prefix) {
        std::error_code ec;
        const bool base = root_paths.count(fs::weakly_canonical(prefix, ec).string()) ||
                          fs::is_directory(prefix / "condabin", ec);
        return base ? std::string("base") : prefix.filename().string();
    };

    if (!places.active_prefix.empty())
        add(places.active_prefix,
            places.active_name.empty() || places.active_name.find('/') != std::string::npos
                ? name_of(places.active_prefix)
                : places.active_name);
    for (const auto& dir : places.envs_dirs)
        for (const auto& prefix : envs_in(dir)) add(prefix, prefix.filename().string());
    if (!places.environments_txt.empty()) {
        std::ifstream in(places.environments_txt);
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
            if (!line.empty() && line.front() == '/') add(line, name_of(line));
        }
    }
    for (const auto& root : places.roots) {
        add(root, "base");
        for (const auto& prefix : envs_in(fs::path(root) / "envs")) add(prefix, prefix.filename().string());
    }
    return out;
}

std::optional<CondaEnv> find_conda_env(const std::string& name, const CondaPlaces& places,
                                       const std::string& base_dir) {
    if (name.find('/') != std::string::npos) {
        fs::path prefix{name};
        if (prefix.is_relative()) prefix = fs::path(base_dir) / prefix;
        prefix = prefix.lexically_normal();
        if (prefix.filename().empty()) prefix = prefix.parent_path();  // "envs/py39/"
        std::error_code ec;
        if (!fs::is_directory(prefix, ec)) return std::nullopt;
        return CondaEnv{prefix.filename().string(), prefix.string()};
    }
    for (auto& env : list_conda_envs(places))
        if (env.name == name) return env;
    return std::nullopt;
}

std::map<std::string, std::string> conda_activation(const std::string& name, const std::string& prefix) {
    return {{"CONDA_PREFIX", prefix},
            {"CONDA_DEFAULT_ENV", name},
            {"CONDA_SHLVL", "1"},
            {"CONDA_PROMPT_MODIFIER", "(" + name + ") "}};
}

}  // namespace cpy2py
