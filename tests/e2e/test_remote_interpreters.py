"""Interpreters of twins on other hosts named by version range, `pyenv:` or `conda:`: the
remote host searches its own PATH, pyenv versions, uv and conda environments (the agent
does, at start-up) and chooses as cpy2py-run chooses locally.

The "remote" is this machine through the real sshd fixture: its pyenv builds
($PYENV_ROOT/versions, 2.7 and 3.6 ... 3.13 here) are what the searches find; a test skips,
saying where it looked, when a build it needs is missing. Conda is faked the way the local
conda tests fake it (tests/e2e/test_interpreters.py): a directory laid out like a conda
environment (conda-meta/, bin/python), whose bin/python is a real interpreter (a symbolic
link to a pyenv build); the twin's `env` points CONDA_ENVS_PATH at it, since the search
runs in the environment the twin will run in.
"""
import os
import subprocess
import unittest

from test_remote_twins import APP, BINARY, PYTHON, TIMEOUT, RemoteTestCase, toml_list

PYENV_ROOT = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def version_key(name):
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def pyenv_build(prefix):
    """(name, bin/python) of the newest pyenv build named `prefix`*, or skip the test"""
    versions = os.path.join(PYENV_ROOT, "versions")
    try:
        names = [n for n in os.listdir(versions) if n.startswith(prefix) and n[len(prefix):len(prefix) + 1] in ("", ".")]
    except OSError:
        names = []
    for name in sorted(names, key=version_key, reverse=True):
        python = os.path.join(versions, name, "bin", "python")
        if os.access(python, os.X_OK):
            return name, python
    raise unittest.SkipTest("no pyenv build %s.* in %s" % (prefix, versions))


class TestRemoteInterpreterSearch(RemoteTestCase):
    def manifest(self, interpreter, env=None):
        """Twin `far` on the test host; its search sees only pyenv builds and /usr/bin:/bin
        (plus what `env` adds): the login PATH may hold other interpreters"""
        twin_env = {"PATH": "/usr/bin:/bin", "PYENV_ROOT": PYENV_ROOT}
        twin_env.update(env or {})
        lines = ["[main]", 'interpreter = "%s"' % PYTHON, "", "[twins.far]",
                 'host = "%s"' % self.server.host, 'interpreter = "%s"' % interpreter,
                 "ssh_options = %s" % toml_list(self.server.ssh_options),
                 "env = { %s }" % ", ".join('%s = "%s"' % item for item in sorted(twin_env.items())),
                 "", "[supervisor]", "shutdown_grace = 1", ""]
        path = os.path.join(self.tmp, "cpy2py.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def cli(self, *args):
        proc = subprocess.run([BINARY] + list(args), cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def check_rows(self, manifest):
        """The --check rows of twin far: (probe table row, choice table row), split in words"""
        status, out, err = self.cli("--check", "--manifest", manifest, APP)
        self.assertEqual(status, 0, out + err)
        rows = [line.split() for line in out.splitlines() if line.startswith("twin")]
        self.assertEqual(len(rows), 2, out)
        return rows

    def run_info(self, manifest):
        status, out, err = self.cli("--manifest", manifest, APP, "info")
        self.assertEqual(status, 0, err)
        info = self.result(out)["info"]
        self.assert_gone(info)
        return info

    def test_range_finds_the_highest_matching_pyenv_build_there(self):
        name, python = pyenv_build("3.9")
        manifest = self.manifest(">=3.9,<3.10")
        info = self.run_info(manifest)
        self.assertEqual(info["executable"], python)
        self.assertEqual(info["version"], name)
        self.assertEqual(info["implementation"], "CPython")

        probe, choice = self.check_rows(manifest)
        self.assertEqual(probe[2], "ssh://%s/>=3.9,<3.10" % self.server.host)
        self.assertEqual(probe[3], "%s:%s" % (self.server.host, python))
        self.assertEqual(probe[5:7], ["CPython", name])
        self.assertEqual(choice[3:6], ["host", self.server.host + ":", "pyenv"])
        self.assertEqual(choice[6], name)
        self.assertEqual(choice[7:9], ["highest", "version"])
        self.assertIn("CPython preferred", " ".join(choice))

    def test_range_below_3_runs_a_python_2_twin(self):
        name, python = pyenv_build("2.7")
        info = self.run_info(self.manifest("<3"))
        self.assertEqual(info["executable"], python)
        self.assertEqual(info["version"], name)

    def test_pypy_range_prefers_the_implementation_asked_for(self):
        status, out, err = self.cli("--check", "--manifest", self.manifest("pypy>=3"), APP)
        if status != 0 and "no interpreter matches" in out:
            self.skipTest("no PyPy 3 in /usr/bin:/bin or the pyenv builds: " + out)
        self.assertEqual(status, 0, out + err)
        probe = [line.split() for line in out.splitlines() if line.startswith("twin")][0]
        self.assertEqual(probe[5], "PyPy")

    def test_pyenv_version_there(self):
        name, python = pyenv_build("3.12")
        manifest = self.manifest("pyenv:3.12")
        info = self.run_info(manifest)
        self.assertEqual(info["executable"], python)
        self.assertEqual(info["version"], name)
        probe, choice = self.check_rows(manifest)
        self.assertEqual(probe[3], "%s:%s" % (self.server.host, python))
        self.assertIn("pyenv version %s, the highest installed matching 3.12" % name, " ".join(choice))

    def test_command_line_url_with_a_range(self):
        name, python = pyenv_build("3.8")
        env = dict(os.environ, CPY2PY_SSH_COMMAND="ssh -F %s" % self.server.ssh_options[1])
        proc = subprocess.run([BINARY, "--no-manifest", "--main-interpreter", PYTHON, "--twin",
                               "far=ssh://%s/==3.8.*" % self.server.host, APP, "info"], cwd=self.tmp, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        info = self.result(proc.stdout.decode())["info"]
        self.assertEqual(info["version"].rsplit(".", 1)[0], "3.8")
        self.assert_gone(info)

    def test_nothing_matches_says_what_where_and_what_helps(self):
        manifest = self.manifest(">=4.0")
        status, out, err = self.cli("--check", "--manifest", manifest, APP)
        self.assertEqual(status, 127, out + err)
        problem = [line for line in out.splitlines() if line.startswith("problem: twin 'far'")]
        self.assertTrue(problem, out)
        for text in ("interpreter '>=4.0' of twin 'far' not found on host '%s'" % self.server.host,
                     "no interpreter matches '>=4.0' (Python (any implementation) >=4.0)",
                     "; found: ", " (pyenv ", "looked in: PATH (/usr/bin:/bin), pyenv (%s/versions)" % PYENV_ROOT,
                     "conda (", "install one there, or name it by its path on that host"):
            self.assertIn(text, problem[0])

        # a run fails the same way, with the exit status of a missing local interpreter
        status, out, err = self.cli("--manifest", manifest, APP, "info")
        self.assertEqual(status, 127, err)
        self.assertIn("interpreter '>=4.0' of twin 'far' not found on host '%s'" % self.server.host, err)
        self.assertNotIn("RESULT", out)

        status, out, err = self.cli("--check", "--manifest", self.manifest("pyenv:9.9"), APP)
        self.assertEqual(status, 127, out + err)
        self.assertIn("'pyenv:9.9': no pyenv version 9.9 in %s/versions (installed: " % PYENV_ROOT, out)

    def test_conda_environment_by_name(self):
        name, python = pyenv_build("3.9")
        envs = os.path.join(self.tmp, "envs")
        prefix = os.path.join(envs, "py39")
        os.makedirs(os.path.join(prefix, "conda-meta"))
        os.makedirs(os.path.join(prefix, "bin"))
        os.symlink(python, os.path.join(prefix, "bin", "python"))
        manifest = self.manifest("conda:py39", env={"CONDA_ENVS_PATH": envs})
        info = self.run_info(manifest)
        self.assertEqual(info["executable"], os.path.join(os.path.realpath(prefix), "bin", "python"))
        self.assertEqual(info["version"], name)
        self.assertEqual(info["conda_prefix"], os.path.realpath(prefix))   # activated as conda would
        probe, choice = self.check_rows(manifest)
        self.assertEqual(choice[3:7], ["host", self.server.host + ":", "conda", "py39"])

        status, out, err = self.cli("--check", "--manifest", self.manifest("conda:nope", env={"CONDA_ENVS_PATH": envs}),
                                    APP)
        self.assertEqual(status, 127, out + err)
        self.assertIn("conda environment 'nope' not found; found: py39 (%s); looked in: %s"
                      % (os.path.realpath(prefix), envs), out)

    def test_a_range_with_a_venv_is_refused_when_the_plan_is_read(self):
        path = self.manifest(">=3.8")
        with open(path, "a") as f:
            f.write('\n[twins.other]\nhost = "%s"\ninterpreter = ">=3.8"\nvenv = "~/venv"\n' % self.server.host)
        status, out, err = self.cli("--check", "--manifest", path, APP)
        self.assertEqual(status, 78, err)
        self.assertIn("cpy2py.toml:", err)
        self.assertIn("VENV/bin", err)


if __name__ == "__main__":
    unittest.main()
