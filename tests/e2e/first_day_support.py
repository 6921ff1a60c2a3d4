"""Shared helpers of the test_first_day_*.py suites (issue 10, "a user's first day")

Each test runs a small application from helpers/first_day/ the way a new user would:
through the real cpy2py-run (``supervised``) or as ``python3 app.py`` with the bootstrap on
PYTHONPATH (``standalone``), with twins of several interpreters. An interpreter that is
missing skips the test, naming what was looked for and where.
"""
import glob
import os
import shutil
import subprocess
import sys
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("CPY2PY_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BOOTSTRAP = os.path.join(SOURCE_DIR, "bootstrap")
APPS = os.path.join(HERE, "helpers", "first_day")
MAIN = os.path.realpath(sys.executable)  # a real binary: pyenv shims start slowly
TIMEOUT = 120
PYENV_ROOT = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")

#: interpreters the suites use as twins; 2.7 is looked for in pyenv's build first
_CANDIDATES = {
    "python3": ["python3"],
    "pypy3": ["pypy3"],
    "python2.7": [os.path.join(PYENV_ROOT, "versions", "2.7.18", "bin", "python"), "python2.7"],
}
_found = {}


def _runs(path):
    try:
        return subprocess.run([path, "-c", "pass"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_interpreter(name):
    """``(path or None, description of where we looked)``"""
    if name not in _found:
        looked, result = [], None
        for candidate in _CANDIDATES.get(name, [name]):
            if os.sep in candidate:
                paths = [candidate]
                looked.append(candidate)
            else:
                paths = [shutil.which(candidate)] + sorted(
                    glob.glob(os.path.join(PYENV_ROOT, "versions", "*", "bin", candidate)))
                looked.append("%s on PATH and in %s" % (
                    candidate, os.path.join(PYENV_ROOT, "versions", "*", "bin")))
            for path in paths:
                if path and _runs(path):
                    result = os.path.realpath(path) if name != "python2.7" else path
                    break
            if result:
                break
        _found[name] = (result, "; ".join(looked))
    return _found[name]


def interpreter(testcase, name):
    """The path of interpreter ``name``, or skip ``testcase`` saying where we looked"""
    path, looked = find_interpreter(name)
    if path is None:
        testcase.skipTest("%s not found (looked for %s)" % (name, looked))
    return path


def main_version():
    return sys.version_info[:2]


def app_env(twin=None, extra=None, standalone=False):
    kept = ("CPY2PY_SPIN_US", "CPY2PY_BOOTSTRAP_DIR")
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("CPY2PY_") or k in kept)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONPATH", None)
    if standalone:
        env["PYTHONPATH"] = BOOTSTRAP
    if twin:
        env["APP_TWIN"] = twin
    env.update(extra or {})
    return env


class Result(object):
    def __init__(self, command, returncode, stdout, stderr):
        self.command, self.returncode, self.stdout, self.stderr = command, returncode, stdout, stderr

    def __str__(self):
        return "command: %s\nexit status %s\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.command), self.returncode, self.stdout, self.stderr)

    def lines(self, prefix):
        """The stdout lines that start with ``prefix``, without it"""
        return [line[len(prefix):].strip() for line in self.stdout.splitlines() if line.startswith(prefix)]


def run(program, twins=None, mode="supervised", main=None, env=None, cwd=APPS, options=(), timeout=TIMEOUT):
    """
    Run an application to its end

    :param program: ``['app.py', args...]`` or ``['-m', 'pkg', ...]``
    :param twins: ``{twin id: interpreter path}`` declared with ``--twin`` (supervised); the
        first one is also given to the app as ``APP_TWIN`` (both modes)
    """
    twins = twins or {}
    first = next(iter(twins.values()), None)
    main = main or MAIN
    if mode == "supervised":
        command = [BINARY, "--no-manifest", "--main-interpreter", main] + list(options)
        for twin_id, path in twins.items():
            command += ["--twin", "%s=%s" % (twin_id, path)]
        command += list(program)
    else:
        command = [main] + list(program)
    process = subprocess.run(command, cwd=cwd, env=app_env(first, env, mode == "standalone"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return Result(command, process.returncode, process.stdout.decode("utf-8", "replace"),
                  process.stderr.decode("utf-8", "replace"))


#: the twin interpreters of the matrix
TWINS = ("python3", "pypy3", "python2.7")
MODES = ("supervised", "standalone")


class FirstDayTestCase(unittest.TestCase):
    maxDiff = None

    def twin(self, name):
        """The path of twin interpreter ``name``; skips (the current subtest) when it is missing"""
        return interpreter(self, name)

    def assertOk(self, result):
        self.assertEqual(result.returncode, 0, str(result))

    def assertFailed(self, result):
        self.assertNotEqual(result.returncode, 0, str(result))

    def assertIn(self, member, container, msg=None):
        if msg is None and isinstance(container, str):
            msg = "%r not found in:\n%s" % (member, container)
        unittest.TestCase.assertIn(self, member, container, msg)

    def assertNotIn(self, member, container, msg=None):
        if msg is None and isinstance(container, str):
            msg = "%r unexpectedly found in:\n%s" % (member, container)
        unittest.TestCase.assertNotIn(self, member, container, msg)


#: an interpreter name on PATH that is a valid twin id (python3 itself)
PYTHON3_NAME = "python3"
