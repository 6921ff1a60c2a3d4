#pragma once
// Finding interpreters by version. Candidates come, in this order, from PATH (python,
// python3, python3.N, pypy, pypy3, pypy3.N; pyenv's shims directory is skipped since every
// pyenv version is found directly), every pyenv version ($PYENV_ROOT/versions/*), uv-managed
// interpreters ($UV_PYTHON_INSTALL_DIR/*) and conda environments (core/conda_env.hpp). Each
// is probed once (core/probe_cache.hpp); among those that satisfy a request the winner is
// CPython (when the request allows any implementation), then the highest version, then the
// earliest in search order.
#include "core/conda_env.hpp"
#include "core/interpreter_spec.hpp"
#include "core/plan.hpp"
#include "core/probe.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cpy2py {

class ProbeCache;

/// Where interpreters are searched (injectable for tests).
struct SearchPlaces {
    std::string path_env;       ///< PATH
    std::string pyenv_root;     ///< $PYENV_ROOT, else ~/.pyenv; empty: none
    std::string uv_python_dir;  ///< $UV_PYTHON_INSTALL_DIR, else $XDG_DATA_HOME/uv/python, else ~/.local/share/uv/python
    CondaPlaces conda;

    /// From the variables in `env` (PATH, HOME, PYENV_ROOT, UV_PYTHON_INSTALL_DIR, XDG_DATA_HOME, CONDA_*).
    static SearchPlaces from(const Variables& env);
    /// Every place, for "where it looked" in messages.
    std::string describe() const;
};

/// One interpreter found.
struct Candidate {
    std::string path;          ///< executable to run
    std::string source;        ///< PATH, pyenv, uv or conda
    std::string label;         ///< pyenv version, uv directory or conda environment name; empty for PATH
    std::string conda_prefix;  ///< conda only
    ProbeResult probe;         ///< filled by InterpreterFinder::candidates()

    /// "CPython 3.8.18 at /root/.pyenv/versions/3.8.18/bin/python (pyenv 3.8.18)".
    std::string describe() const;
};

/// Every candidate in search order, without duplicates (same directory, same real file), not probed.
std::vector<Candidate> list_candidates(const SearchPlaces& places);

/// The winner among probed `candidates` for `request`, and why; nullptr when none satisfies it.
struct Choice {
    const Candidate* winner = nullptr;
    std::string reason;  ///< "highest of 3 matching ..." or, without a winner, empty
};
Choice choose_candidate(const VersionRequest& request, const std::vector<Candidate>& candidates);

/// Resolves version requests, `conda:ENV` and `pyenv:VERSION`; lists and probes candidates
/// at most once per run.
class InterpreterFinder {
public:
    InterpreterFinder(SearchPlaces places, ProbeCache& cache) : places_(std::move(places)), cache_(cache) {}

    /// Resolves `spec` (kind version, conda or pyenv); relative conda prefixes from `base_dir`.
    /// Throws NotFoundError listing what was found and where it looked.
    Interpreter find(const InterpreterSpec& spec, const std::string& base_dir);

    /// Every candidate, probed (cached).
    const std::vector<Candidate>& candidates();
    const SearchPlaces& places() const { return places_; }

private:
    Interpreter find_version(const InterpreterSpec& spec);
    Interpreter find_conda(const InterpreterSpec& spec, const std::string& base_dir);
    Interpreter find_pyenv(const InterpreterSpec& spec);

    SearchPlaces places_;
    ProbeCache& cache_;                               ///< outlives us
    std::optional<std::vector<Candidate>> candidates_; ///< probed, once asked for
};

}  // namespace cpy2py
