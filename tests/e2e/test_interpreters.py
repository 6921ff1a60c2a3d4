"""End-to-end tests of interpreters named by version, conda environment and pyenv version.

Every search path is exercised on a machine without pyenv, uv or conda: a scratch HOME holds
directory layouts like theirs whose interpreters are small shell scripts answering the probe
(and exec'ing the real python3 for anything else, so they can run programs). Other tests use
the real interpreters of this machine (pyenv versions, pypy3) and skip, saying where they
looked, when those are missing. Run: `python3 -m unittest -v test_interpreters`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
HERE = os.path.dirname(os.path.abspath(__file__))
REPORT_APP = os.path.join(HERE, "helpers", "env_report_app.py")
PYTHON = os.path.realpath(sys.executable)  # a real binary, not a pyenv shim
TIMEOUT = 120
PYENV_ROOT = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")

# Variables that would make the search look at this machine's own installations.
SEARCH_VARIABLES = ("PYENV_ROOT", "PYENV_VERSION", "XDG_DATA_HOME", "XDG_CACHE_HOME", "UV_PYTHON_INSTALL_DIR",
                    "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "CONDA_EXE", "CONDA_ENVS_PATH", "MAMBA_ROOT_PREFIX",
                    "CPY2PY_DEBUG")


def pyenv_version(prefix):
    """The newest real pyenv build whose name starts with `prefix`, or None."""
    versions = os.path.join(PYENV_ROOT, "versions")
    try:
        names = sorted(n for n in os.listdir(versions) if n.startswith(prefix))
    except OSError:
        return None
    for name in reversed(names):
        if os.access(os.path.join(versions, name, "bin", "python"), os.X_OK):
            return name
    return None


class FakeMachineTest(unittest.TestCase):
    """A scratch HOME with pyenv, uv and conda layouts; PATH has python3 (real), pypy3 (fake)
    and a pyenv-style shim for python2.7 that refuses to run, like an inactive pyenv version."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-interp-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = os.path.join(self.tmp, "home")
        self.probes = os.path.join(self.tmp, "probes.log")
        os.makedirs(os.path.join(self.tmp, "bin"))
        os.symlink(PYTHON, os.path.join(self.tmp, "bin", "python3"))
        self.fake("bin/pypy3", "PyPy 3.9.16 5")
        self.script("shims/python2.7", "echo 'pyenv: python2.7: command not found' >&2\nexit 127\n")
        self.fake("home/.pyenv/versions/2.7.18/bin/python", "CPython 2.7.18 2")
        self.fake("home/.pyenv/versions/3.8.18/bin/python", "CPython 3.8.18 5", marker="pyenv-3.8.18")
        self.fake("home/.local/share/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin/python3", "CPython 3.12.1 5",
                  marker="uv-3.12.1")
        os.makedirs(os.path.join(self.home, ".local/share/uv/python/.cache"))
        os.makedirs(os.path.join(self.home, "miniconda3/conda-meta"))
        self.fake("home/miniconda3/bin/python", "CPython 3.10.4 5", marker="conda-base")
        os.makedirs(os.path.join(self.home, "miniconda3/envs/py39/conda-meta"))
        self.fake("home/miniconda3/envs/py39/bin/python", "CPython 3.9.7 5", marker="conda-py39")

    def script(self, rel, body):
        path = os.path.join(self.tmp, rel)
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def fake(self, rel, answer, marker=None):
        """An interpreter that answers the probe with `answer` (and logs it); with `marker` it
        runs anything else with the real python3 and FIXTURE=marker in its environment."""
        body = 'case "$*" in *HIGHEST_PROTOCOL*) echo "$0" >> %s; echo "%s"; exit 0;; esac\n' % (self.probes, answer)
        if marker:
            body += 'FIXTURE=%s; export FIXTURE\nexec %s "$@"\n' % (marker, PYTHON)
        else:
            body += "echo 'this fixture only answers the probe' >&2\nexit 3\n"
        return self.script(rel, body)

    def run_cli(self, *args, **kw):
        env = dict(os.environ)
        for name in SEARCH_VARIABLES:
            env.pop(name, None)
        env.update(HOME=self.home, PATH=os.path.join(self.tmp, "shims") + ":" + os.path.join(self.tmp, "bin"),
                   XDG_CACHE_HOME=os.path.join(self.tmp, "cache"))
        env.update(kw.get("env", {}))
        return subprocess.run([BINARY] + list(args), cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)

    def assertStatus(self, result, status):
        self.assertEqual(result.returncode, status, "exit status %d, expected %d\nstdout: %s\nstderr: %s"
                         % (result.returncode, status, result.stdout, result.stderr))

    def probe_count(self):
        try:
            with open(self.probes) as f:
                return len(f.readlines())
        except IOError:
            return 0

    def report(self, *args):
        result = self.run_cli(*(list(args) + [REPORT_APP]))
        self.assertStatus(result, 0)
        return json.loads(result.stdout)

    # -- seeing what is there -----------------------------------------------------------
    def test_list_interpreters_shows_every_source(self):
        result = self.run_cli("--list-interpreters")
        self.assertStatus(result, 0)
        table = result.stdout.split("\n\n")[0].splitlines()[1:]
        found = [tuple(line.split()[:3]) for line in table]
        self.assertEqual(found[0], ("PyPy", "3.9.16", "PATH"))  # PATH entries sorted by name
        self.assertEqual(found[1][0::2], ("CPython", "PATH"))  # the real python3
        self.assertEqual(found[2:], [
            ("CPython", "2.7.18", "pyenv"),
            ("CPython", "3.8.18", "pyenv"),
            ("CPython", "3.12.1", "uv"),
            ("CPython", "3.10.4", "conda"),
            ("CPython", "3.9.7", "conda"),
        ])
        self.assertIn("conda py39", result.stdout)
        self.assertIn("uv cpython-3.12.1-linux-x86_64-gnu", result.stdout)
        self.assertNotIn("shims", result.stdout.split("searched:")[0])  # pyenv shims are not candidates
        self.assertIn("pyenv (%s/.pyenv/versions)" % self.home, result.stdout)
        self.assertIn("uv (%s/.local/share/uv/python)" % self.home, result.stdout)
        self.assertIn(os.path.join(self.tmp, "cache", "cpy2py", "probes-v1.txt"), result.stdout)

    def test_a_second_run_costs_no_probe_and_a_corrupt_cache_is_harmless(self):
        self.assertStatus(self.run_cli("--list-interpreters"), 0)
        first = self.probe_count()
        self.assertEqual(first, 6)
        self.assertStatus(self.run_cli("--main-interpreter", "py38", "-c", "pass"), 0)
        self.assertEqual(self.probe_count(), first, "the second run probed again")
        cache = os.path.join(self.tmp, "cache", "cpy2py", "probes-v1.txt")
        with open(cache, "w") as f:
            f.write("\x00garbage\tin\tthe\tcache\n")
        result = self.run_cli("--main-interpreter", "py38", "-c", "pass")
        self.assertStatus(result, 0)
        self.assertEqual(self.probe_count(), 2 * first)
        with open(cache) as f:
            self.assertNotIn("garbage", f.read())

    def test_check_says_where_each_was_found_and_why(self):
        result = self.run_cli("--check", "--twin", "old=py27", "--twin", "mid=>=3.8,<3.10", "--twin", "new=3.12",
                              "--twin", "legacy=python2.7", "--twin", "fast=pypy3", "--twin", "env=conda:py39",
                              "--twin", "pinned=pyenv:3.8")
        self.assertStatus(result, 0)
        self.assertRegex(result.stdout, r"(?m)^twin\s+old\s+py27\s+pyenv\s+highest version of 1 interpreter\(s\) "
                                        r"matching Python \(any implementation\) 2\.7, CPython preferred")
        self.assertRegex(result.stdout, r"(?m)^twin\s+mid\s+>=3\.8,<3\.10\s+conda py39\s+highest version of 3 ")
        self.assertRegex(result.stdout, r"(?m)^twin\s+new\s+3\.12\s+uv\s")
        self.assertRegex(result.stdout, r"(?m)^twin\s+legacy\s+python2\.7\s+pyenv\s+the shim \S+/shims/python2\.7 "
                                        r"does not run \(exited with status 127\); highest version")
        self.assertRegex(result.stdout, r"(?m)^twin\s+fast\s+pypy3\s+PATH\s+the command pypy3 on PATH$")
        self.assertRegex(result.stdout, r"(?m)^twin\s+env\s+conda:py39\s+conda py39\s+conda environment py39 at ")
        self.assertRegex(result.stdout, r"(?m)^twin\s+pinned\s+pyenv:3\.8\s+pyenv\s+pyenv version 3\.8\.18, the "
                                        r"highest installed matching 3\.8$")
        self.assertRegex(result.stdout, r"(?m)^main\s+main\s+python3\s+PATH\s+the default: the command python3")
        self.assertRegex(result.stdout, r"(?m)^twin\s+old\s+py27\s+\S+/home/\.pyenv/versions/2\.7\.18/bin/python\s+-\s+"
                                        r"CPython 2\.7\.18\s+2\s")

    def test_nothing_matches_lists_what_was_found_and_where_it_looked(self):
        result = self.run_cli("--twin", "ancient=py26", "-c", "open('ran', 'w')")
        self.assertStatus(result, 127)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "ran")))
        self.assertIn("cannot start twin 'ancient': no interpreter matches 'py26' (Python (any implementation) 2.6)",
                      result.stderr)
        self.assertIn("found: PyPy 3.9.16 at %s/bin/pypy3 (PATH), CPython " % self.tmp, result.stderr)
        self.assertIn("CPython 3.9.7 at %s/miniconda3/envs/py39/bin/python (conda py39)" % self.home, result.stderr)
        self.assertIn("looked in: PATH (%s/shims:%s/bin)" % (self.tmp, self.tmp), result.stderr)
        self.assertIn("%s/.conda/environments.txt" % self.home, result.stderr)
        for spec, words in (("conda:nope", "conda environment 'nope' not found; found: base"),
                            ("pyenv:3.99", "no pyenv version 3.99 in %s/.pyenv/versions (installed: 2.7.18, 3.8.18)"
                             % self.home),
                            ("python3.99", "python3.99 not found on PATH")):
            with self.subTest(spec=spec):
                result = self.run_cli("--main-interpreter", spec, "-c", "pass")
                self.assertStatus(result, 127)
                self.assertIn(words, result.stderr)

    def test_bad_version_range_is_a_usage_error(self):
        result = self.run_cli("--twin", "x=>=3.x", "-c", "pass")
        self.assertStatus(result, 2)
        self.assertIn("'>=3.x' is not a version range", result.stderr)

    # -- running what was found -----------------------------------------------------------
    def test_conda_environment_runs_its_own_python_with_activation_variables(self):
        report = self.report("--main-interpreter", "conda:py39")
        main = report["main"]
        prefix = os.path.join(self.home, "miniconda3", "envs", "py39")
        self.assertEqual(main["env"]["FIXTURE"], "conda-py39")
        self.assertEqual(main["env"]["CONDA_PREFIX"], prefix)
        self.assertEqual(main["env"]["CONDA_DEFAULT_ENV"], "py39")
        self.assertEqual(main["path0"], prefix + "/bin")

    def test_uv_and_pyenv_interpreters_run(self):
        self.assertEqual(self.report("--main-interpreter", "3.12")["main"]["env"]["FIXTURE"], "uv-3.12.1")
        self.assertEqual(self.report("--main-interpreter", "pyenv:3.8")["main"]["env"]["FIXTURE"], "pyenv-3.8.18")
        self.assertEqual(self.report("--main-interpreter", "cp38")["main"]["env"]["FIXTURE"], "pyenv-3.8.18")

    def test_twin_found_by_version_runs_with_conda_activation(self):
        report = self.report("--twin", "helper=conda:base", "--", REPORT_APP, "twin")
        self.assertEqual(report["helper"]["env"]["FIXTURE"], "conda-base")
        self.assertEqual(report["helper"]["env"]["CONDA_DEFAULT_ENV"], "base")
        self.assertIsNone(report["main"]["env"]["CONDA_PREFIX"])

    def test_manifest_interpreters_by_version(self):
        with open(os.path.join(self.tmp, "cpy2py.toml"), "w") as f:
            f.write('[main]\ninterpreter = "pyenv:3.8"\n\n[twins.helper]\ninterpreter = "conda:py39"\n')
        report = self.report("--", REPORT_APP, "twin")
        self.assertEqual(report["main"]["env"]["FIXTURE"], "pyenv-3.8.18")
        self.assertEqual(report["helper"]["env"]["FIXTURE"], "conda-py39")

    def test_uv_install_dir_and_pyenv_root_variables_are_honoured(self):
        moved = os.path.join(self.tmp, "elsewhere")
        shutil.move(os.path.join(self.home, ".local/share/uv/python"), os.path.join(moved, "uv"))
        shutil.move(os.path.join(self.home, ".pyenv"), os.path.join(moved, "pyenv"))
        result = self.run_cli("--list-interpreters", env={"UV_PYTHON_INSTALL_DIR": os.path.join(moved, "uv"),
                                                          "PYENV_ROOT": os.path.join(moved, "pyenv")})
        self.assertStatus(result, 0)
        self.assertIn(os.path.join(moved, "uv", "cpython-3.12.1-linux-x86_64-gnu", "bin", "python3"), result.stdout)
        self.assertIn(os.path.join(moved, "pyenv", "versions", "3.8.18", "bin", "python"), result.stdout)
        result = self.run_cli("--list-interpreters", env={"XDG_DATA_HOME": moved})
        self.assertNotIn("cpython-3.12.1", result.stdout)
        os.rename(os.path.join(moved, "uv"), os.path.join(moved, "python"))
        os.makedirs(os.path.join(moved, "uv"))
        os.rename(os.path.join(moved, "python"), os.path.join(moved, "uv", "python"))
        result = self.run_cli("--list-interpreters", env={"XDG_DATA_HOME": moved})
        self.assertIn(os.path.join(moved, "uv", "python", "cpython-3.12.1-linux-x86_64-gnu"), result.stdout)


    # -- twins started on demand that nobody declared ----------------------------------------
    ON_DEMAND_APP = ("from cpy2py import TwinMaster\n"
                     "master = TwinMaster(executable='python3.8', twinterpreter_id='ondemand')\n"
                     "master.start()\nprint('FIXTURE=%s' % master.execute(eval, \"__import__('os').environ.get('FIXTURE')\"))\n")

    def on_demand_fixture(self):
        """A refusing pyenv shim for python3.8 first on PATH, and pyenv's 3.8.18 behind it"""
        self.script("shims/python3.8", "echo 'pyenv: python3.8: command not found' >&2\nexit 127\n")
        self.fake("home/.pyenv/versions/3.8.18/bin/python3.8", "CPython 3.8.18 5", marker="pyenv-3.8.18")
        with open(os.path.join(self.tmp, "ondemand_app.py"), "w") as f:
            f.write(self.ON_DEMAND_APP)

    def test_twin_master_naming_a_version_skips_a_refusing_shim_supervised(self):
        self.on_demand_fixture()
        result = self.run_cli("ondemand_app.py")
        self.assertStatus(result, 0)
        self.assertIn("FIXTURE=pyenv-3.8.18", result.stdout)

    def test_twin_master_naming_a_version_skips_a_refusing_shim_standalone(self):
        self.on_demand_fixture()
        env = dict(os.environ)
        for name in SEARCH_VARIABLES:
            env.pop(name, None)
        env.update(HOME=self.home, PATH=os.path.join(self.tmp, "shims") + ":" + os.path.join(self.tmp, "bin"),
                   PYTHONPATH=os.path.join(HERE, "..", "..", "bootstrap"))
        for name in ("CPY2PY_RUN_DIR", "CPY2PY_TOKEN", "CPY2PY_CONTROL"):
            env.pop(name, None)
        result = subprocess.run([PYTHON, "ondemand_app.py"], cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertStatus(result, 0)
        self.assertIn("FIXTURE=pyenv-3.8.18", result.stdout)

    def test_twin_master_naming_a_venv_python_runs_in_the_venv(self):
        venv = os.path.join(self.tmp, "venv")
        subprocess.check_call(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else PYTHON,
                               "-m", "venv", "--without-pip", venv])
        with open(os.path.join(self.tmp, "venv_app.py"), "w") as f:
            f.write(self.ON_DEMAND_APP.replace("'python3.8'", "'venv/bin/python'").replace(
                "environ.get('FIXTURE')", "environ.get('FIXTURE') or __import__('sys').prefix"))
        supervised = self.run_cli("venv_app.py")
        self.assertStatus(supervised, 0)
        self.assertIn("FIXTURE=%s\n" % venv, supervised.stdout)  # sys.prefix: not the symlink's target
        env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "..", "..", "bootstrap"))
        for name in ("CPY2PY_RUN_DIR", "CPY2PY_TOKEN", "CPY2PY_CONTROL", "FIXTURE"):
            env.pop(name, None)
        standalone = subprocess.run([PYTHON, "venv_app.py"], cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertStatus(standalone, 0)
        self.assertIn("FIXTURE=%s\n" % venv, standalone.stdout)

    def test_twin_master_naming_a_missing_version_says_where_it_looked(self):
        with open(os.path.join(self.tmp, "missing_app.py"), "w") as f:
            f.write(self.ON_DEMAND_APP.replace("python3.8", "python3.99"))
        result = self.run_cli("missing_app.py")
        self.assertStatus(result, 1)
        for part in ("cannot start twin 'ondemand'", "'python3.99'", "looked in: PATH", "--twin ondemand="):
            self.assertIn(part, result.stderr)


class RealInterpreterTest(unittest.TestCase):
    """This machine's own pyenv builds and pypy3, found by version."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-real-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_cli(self, *args):
        env = dict(os.environ)
        env.pop("CPY2PY_DEBUG", None)
        env["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")
        env["PYENV_ROOT"] = PYENV_ROOT
        return subprocess.run([BINARY] + list(args), cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)

    @unittest.skipUnless(pyenv_version("2.7"), "no pyenv build of 2.7 in %s/versions" % PYENV_ROOT)
    def test_py27_twin_runs_even_when_2_7_is_not_the_active_pyenv_version(self):
        result = self.run_cli("--twin", "helper=py27", REPORT_APP, "twin")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["helper"]["implementation"], "CPython")
        self.assertTrue(report["helper"]["version"].startswith("2.7."), report)

    @unittest.skipUnless(pyenv_version("2.7"), "no pyenv build of 2.7 in %s/versions" % PYENV_ROOT)
    def test_python2_7_by_name_finds_the_pyenv_build_behind_a_refusing_shim(self):
        result = self.run_cli("--check", "--twin", "legacy=python2.7")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"(?m)^twin\s+legacy\s+python2\.7\s+\S+\s+-\s+CPython 2\.7\.\d+\s+2\s")
        self.assertRegex(result.stdout, r"(?m)^twin\s+legacy\s+python2\.7\s+(PATH|pyenv)\s")

    @unittest.skipUnless(pyenv_version("3.8") and pyenv_version("3.11"),
                         "no pyenv builds of 3.8 and 3.11 in %s/versions" % PYENV_ROOT)
    def test_range_picks_the_highest_matching_build(self):
        result = self.run_cli("--check", "--twin", "r=>=3.8,<3.12", "--twin", "p=pyenv:3.8")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"(?m)^twin\s+r\s+>=3\.8,<3\.12\s+\S+\s+-\s+CPython 3\.11\.")
        self.assertRegex(result.stdout, r"(?m)^twin\s+p\s+pyenv:3\.8\s+%s/versions/3\.8\.\d+/bin/python\s"
                         % PYENV_ROOT)

    @unittest.skipUnless(shutil.which("pypy3"), "pypy3 not found on PATH")
    def test_pypy_by_version(self):
        result = self.run_cli("--twin", "helper=pypy3", "--main-interpreter", "cp3", REPORT_APP, "twin")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["helper"]["implementation"], "PyPy")
        self.assertEqual(report["main"]["implementation"], "CPython")
        listing = self.run_cli("--list-interpreters")
        self.assertRegex(listing.stdout, r"(?m)^PyPy\s+3\.\d+\.\d+\s+PATH\s")


if __name__ == "__main__":
    unittest.main()
