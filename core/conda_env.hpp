#pragma once
// Conda environments without conda: where they live, and what `conda activate` would put in
// the environment. `conda run` loses signals and output, so cpy2py-run runs the
// environment's own bin/python with the activation variables set instead (activate.d
// scripts are not run).
#include "core/variables.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cpy2py {

/// Where conda environments are looked for, in this order (first match of a name wins).
struct CondaPlaces {
    std::string active_prefix;             ///< $CONDA_PREFIX: the active environment
    std::string active_name;               ///< $CONDA_DEFAULT_ENV: its name
    std::vector<std::string> envs_dirs;    ///< $CONDA_ENVS_PATH entries: directories of environments
    std::string environments_txt;          ///< ~/.conda/environments.txt: one prefix per line
    std::vector<std::string> roots;        ///< base installations ($CONDA_EXE's, ~/miniconda3, ...): base + root/envs/*

    /// From environment variables (`env`) and the home directory.
    static CondaPlaces from(const Variables& env, const std::string& home);
    /// "CONDA_PREFIX=..., ~/.conda/environments.txt, ..." for messages.
    std::string describe() const;
};

struct CondaEnv {
    std::string name;    ///< "base" for a root installation, else the directory name
    std::string prefix;  ///< absolute directory holding conda-meta/ and bin/
};

/// Every environment found (a directory with conda-meta/), without duplicates, in search order.
std::vector<CondaEnv> list_conda_envs(const CondaPlaces& places);

/// The environment `name`, or a prefix when `name` contains '/' (relative to `base_dir`).
std::optional<CondaEnv> find_conda_env(const std::string& name, const CondaPlaces& places, const std::string& base_dir);

/// What activation sets: CONDA_PREFIX, CONDA_DEFAULT_ENV, CONDA_SHLVL, CONDA_PROMPT_MODIFIER
/// (PATH gets <prefix>/bin in front, done by the caller that knows the PATH).
std::map<std::string, std::string> conda_activation(const std::string& name, const std::string& prefix);

}  // namespace cpy2py
