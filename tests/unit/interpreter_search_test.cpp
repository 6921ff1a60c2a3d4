#include "core/error.hpp"
#include "core/interpreter.hpp"
#include "core/interpreter_search.hpp"
#include "core/probe_cache.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;
using cpy2py::test::ScratchDir;

namespace {

/// A home directory with pyenv, uv and conda layouts whose interpreters are shell scripts
/// answering the probe, plus a PATH with two interpreters and a failing pyenv-style shim.
struct Machine {
    ScratchDir dir;
    std::string home;

    Machine() : home(dir.str() + "/home") {
        python("bin/python3.11", "CPython 3.11.2 5");
        python("bin/pypy3", "PyPy 3.9.16 5");
        dir.write("bin/python3-config", "#!/bin/sh\nexit 1\n", true);  // not an interpreter name
        dir.write("shims/python2.7", "#!/bin/sh\necho 'pyenv: python2.7: command not found' >&2\nexit 127\n", true);
        python("home/.pyenv/versions/2.7.18/bin/python", "CPython 2.7.18 2");
        python("home/.pyenv/versions/3.8.18/bin/python", "CPython 3.8.18 5");
        python("home/.pyenv/versions/pypy3.10-7.3.15/bin/pypy3", "PyPy 3.10.13 5");
        python("home/.local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin/python", "CPython 3.12.1 5");
        dir.write("home/.local/share/uv/python/.lock", "");
        dir.mkdir("home/miniconda3/conda-meta");
        python("home/miniconda3/bin/python", "CPython 3.10.4 5");
        dir.mkdir("home/miniconda3/envs/py37/conda-meta");
        python("home/miniconda3/envs/py37/bin/python", "CPython 3.7.12 4");
        dir.mkdir("elsewhere/tools/conda-meta");
        python("elsewhere/tools/bin/python", "CPython 3.13.0 5");
        dir.write("home/.conda/environments.txt", dir.str() + "/elsewhere/tools\n" + home + "/miniconda3\n");
    }

    void python(const std::string& rel, const std::string& answer) const {
        dir.write(rel, "#!/bin/sh\necho '" + answer + "'\n", true);
    }

    SearchPlaces places() const {
        return SearchPlaces::from({{"PATH", dir.str() + "/shims:" + dir.str() + "/bin"}, {"HOME", home}});
    }

    std::string cache_dir() const { return dir.str() + "/cache"; }
};

Interpreter find(InterpreterFinder& finder, const std::string& text) {
    return finder.find(parse_interpreter_spec(text), "/");
}

std::string not_found(InterpreterFinder& finder, const std::string& text) {
    try {
        find(finder, text);
    } catch (const NotFoundError& e) {
        return e.what();
    }
    FAIL("found " << text);
    return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("search places: pyenv, uv and conda locations from the environment") {
    auto p = SearchPlaces::from({{"HOME", "/h"}});
    CHECK(p.pyenv_root == "/h/.pyenv");
    CHECK(p.uv_python_dir == "/h/.local/share/uv/python");
    CHECK(p.path_env == "/usr/local/bin:/usr/bin:/bin");
    p = SearchPlaces::from({{"HOME", "/h"}, {"PYENV_ROOT", "/p"}, {"XDG_DATA_HOME", "/d"}, {"PATH", "/x"}});
    CHECK(p.pyenv_root == "/p");
    CHECK(p.uv_python_dir == "/d/uv/python");
    CHECK(p.path_env == "/x");
    p = SearchPlaces::from({{"HOME", "/h"}, {"UV_PYTHON_INSTALL_DIR", "/uv"}, {"XDG_DATA_HOME", "/d"}});
    CHECK(p.uv_python_dir == "/uv");
    p = SearchPlaces::from({{"CONDA_EXE", "/opt/mc/bin/conda"}, {"CONDA_ENVS_PATH", "/e1:/e2"}});
    CHECK(p.conda.roots.front() == "/opt/mc");
    CHECK(p.conda.envs_dirs == std::vector<std::string>{"/e1", "/e2"});
    CHECK(SearchPlaces::from({}).pyenv_root.empty());
}

TEST_CASE("search: candidates in order PATH, pyenv, uv, conda; shims skipped") {
    Machine m;
    const auto list = list_candidates(m.places());
    std::vector<std::string> found;
    for (const auto& c : list) found.push_back(c.source + " " + c.label + " " + c.path.substr(m.dir.str().size()));
    CHECK(found == std::vector<std::string>{
                       "PATH  /bin/pypy3",
                       "PATH  /bin/python3.11",
                       "pyenv 2.7.18 /home/.pyenv/versions/2.7.18/bin/python",
                       "pyenv 3.8.18 /home/.pyenv/versions/3.8.18/bin/python",
                       "pyenv pypy3.10-7.3.15 /home/.pyenv/versions/pypy3.10-7.3.15/bin/pypy3",
                       "uv cpython-3.12.1-linux-x86_64-gnu /home/.local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin/python",
                       "conda tools /elsewhere/tools/bin/python",
                       "conda base /home/miniconda3/bin/python",
                       "conda py37 /home/miniconda3/envs/py37/bin/python",
                   });
}

TEST_CASE("search: the highest matching version wins, CPython preferred, and it says why") {
    Machine m;
    ProbeCache cache(m.cache_dir());
    InterpreterFinder finder(m.places(), cache);
    CHECK(find(finder, "3").path == m.dir.str() + "/elsewhere/tools/bin/python");
    const Interpreter py27 = find(finder, "py27");
    CHECK(py27.source == "pyenv");
    CHECK(contains(py27.reason, "highest version of 1 interpreter(s) matching Python (any implementation) 2.7"));
    CHECK(find(finder, ">=3.8,<3.12").path == m.dir.str() + "/bin/python3.11");
    CHECK(find(finder, "3.12").source == "uv");
    CHECK(find(finder, "cp38").path == m.dir.str() + "/home/.pyenv/versions/3.8.18/bin/python");
    CHECK(find(finder, "pypy310").source == "pyenv");
    CHECK(find(finder, "pypy").path == m.dir.str() + "/home/.pyenv/versions/pypy3.10-7.3.15/bin/pypy3");
    CHECK(find(finder, "py39").path == m.dir.str() + "/bin/pypy3");  // no CPython 3.9: PyPy will do
    const Interpreter conda = find(finder, "3.7");
    CHECK(conda.source == "conda");
    CHECK(conda.conda_name == "py37");
    CHECK(conda.conda_prefix == m.dir.str() + "/home/miniconda3/envs/py37");
    CHECK(cache.probes_run() == 9);  // each candidate once
}

TEST_CASE("search: a command on PATH wins as it is; a failing shim falls back to the search") {
    Machine m;
    ProbeCache cache(m.cache_dir());
    InterpreterFinder finder(m.places(), cache);
    const Interpreter pypy = find(finder, "pypy3");
    CHECK(pypy.path == m.dir.str() + "/bin/pypy3");
    CHECK(pypy.reason == "the command pypy3 on PATH");
    CHECK(cache.probes_run() == 0);
    const Interpreter legacy = find(finder, "python2.7");
    CHECK(legacy.path == m.dir.str() + "/home/.pyenv/versions/2.7.18/bin/python");
    CHECK(contains(legacy.reason, "the shim " + m.dir.str() + "/shims/python2.7 does not run (exited with status 127)"));
}

TEST_CASE("search: a second run costs no probe") {
    Machine m;
    {
        ProbeCache cache(m.cache_dir());
        InterpreterFinder finder(m.places(), cache);
        find(finder, "3");
        CHECK(cache.save());
    }
    ProbeCache cache(m.cache_dir());
    InterpreterFinder finder(m.places(), cache);
    CHECK(find(finder, "py27").source == "pyenv");
    CHECK(cache.probes_run() == 0);
}

TEST_CASE("search: nothing matches: what was found and where it looked") {
    Machine m;
    ProbeCache cache("");
    InterpreterFinder finder(m.places(), cache);
    const std::string message = not_found(finder, "3.5");
    CHECK(contains(message, "no interpreter matches '3.5' (Python (any implementation) 3.5)"));
    CHECK(contains(message, "CPython 2.7.18 at " + m.dir.str() + "/home/.pyenv/versions/2.7.18/bin/python (pyenv 2.7.18)"));
    CHECK(contains(message, "looked in: PATH (" + m.dir.str() + "/shims:"));
    CHECK(contains(message, "pyenv (" + m.home + "/.pyenv/versions)"));
    CHECK(contains(message, "uv (" + m.home + "/.local/share/uv/python)"));
    CHECK(contains(message, m.home + "/.conda/environments.txt"));
    CHECK(contains(not_found(finder, "python3.5"), "python3.5 not found on PATH (searched: "));
}

TEST_CASE("search: conda:ENV by name, base, environments.txt or prefix, with activation variables") {
    Machine m;
    ProbeCache cache("");
    InterpreterFinder finder(m.places(), cache);
    const Interpreter py37 = find(finder, "conda:py37");
    CHECK(py37.path == m.dir.str() + "/home/miniconda3/envs/py37/bin/python");
    CHECK(py37.source == "conda");
    CHECK(py37.conda_name == "py37");
    CHECK(find(finder, "conda:base").conda_prefix == m.home + "/miniconda3");
    CHECK(find(finder, "conda:tools").conda_prefix == m.dir.str() + "/elsewhere/tools");
    CHECK(finder.find(parse_interpreter_spec("conda:../elsewhere/tools"), m.home).conda_name == "tools");
    const std::string message = not_found(finder, "conda:nope");
    CHECK(contains(message, "conda environment 'nope' not found; found: tools (" + m.dir.str() + "/elsewhere/tools), base"));
    const auto vars = conda_activation("py37", "/p");
    CHECK(vars.at("CONDA_PREFIX") == "/p");
    CHECK(vars.at("CONDA_DEFAULT_ENV") == "py37");
}

TEST_CASE("search: the active conda environment and CONDA_ENVS_PATH") {
    Machine m;
    m.dir.mkdir("active/conda-meta");
    m.python("active/bin/python", "CPython 3.9.7 5");
    m.dir.mkdir("envs/dev/conda-meta");
    m.python("envs/dev/bin/python", "CPython 3.9.8 5");
    auto places = SearchPlaces::from({{"HOME", m.home},
                                      {"CONDA_PREFIX", m.dir.str() + "/active"},
                                      {"CONDA_DEFAULT_ENV", "work"},
                                      {"CONDA_ENVS_PATH", m.dir.str() + "/envs"}});
    ProbeCache cache("");
    InterpreterFinder finder(places, cache);
    CHECK(find(finder, "conda:work").conda_prefix == m.dir.str() + "/active");
    m.dir.mkdir("opt/forge/conda-meta");
    m.dir.mkdir("opt/forge/condabin");
    m.python("opt/forge/bin/python", "CPython 3.12.0 5");
    m.dir.write("home/.conda/environments.txt", m.dir.str() + "/opt/forge\n");
    CHECK(find(finder, "conda:base").conda_prefix == m.dir.str() + "/opt/forge");  // condabin/ marks a base
    CHECK(find(finder, "conda:dev").conda_prefix == m.dir.str() + "/envs/dev");
}

TEST_CASE("search: pyenv:VERSION, exact or the highest with that prefix") {
    Machine m;
    ProbeCache cache("");
    InterpreterFinder finder(m.places(), cache);
    CHECK(find(finder, "pyenv:3.8.18").reason == "pyenv version 3.8.18");
    CHECK(find(finder, "pyenv:3").path == m.dir.str() + "/home/.pyenv/versions/3.8.18/bin/python");
    CHECK(find(finder, "pyenv:pypy3.10").path == m.dir.str() + "/home/.pyenv/versions/pypy3.10-7.3.15/bin/pypy3");
    CHECK(contains(not_found(finder, "pyenv:3.9"), "installed: 2.7.18, 3.8.18, pypy3.10-7.3.15"));
}

TEST_CASE("search: resolve_interpreter keeps names, paths and venvs as they were") {
    Machine m;
    ProbeCache cache("");
    InterpreterFinder finder(m.places(), cache);
    const Interpreter named = resolve_interpreter({"python3.11", "", "/"}, finder);  // a command name: PATH first
    CHECK(named.path == m.dir.str() + "/bin/python3.11");
    const Interpreter path = resolve_interpreter({m.dir.str() + "/bin/pypy3", "", "/"}, finder);
    CHECK(path.source == "path");
    CHECK(resolve_interpreter(split_interpreter_spec("conda:py37", "/"), finder).source == "conda");
    CHECK(cache.probes_run() == 1);  // only the conda environment's interpreter was verified
}
