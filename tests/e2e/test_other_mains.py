"""Mains other than python3 (PyPy, 2.7, 3.6): deep callbacks in both directions plus threads
calling meanwhile, through the real cpy2py-run. Each run must print its result and exit 0
with nothing on stderr: a Python 2 main tears its modules down while the runtime's daemon
threads exist, and they must stay quiet. Several rounds each, since hand-offs of the reader
role are timing-dependent."""
import glob
import os
import shutil
import subprocess
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "helpers", "pingpong_app.py")
ROUNDS = 3
TIMEOUT = 120


def find(name):
    """A real interpreter binary: on PATH, else in pyenv's versions (pyenv shims may refuse)."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [shutil.which(name)] + sorted(glob.glob(os.path.join(root, "versions", "*", "bin", name)))
    for path in candidates:
        if not path:
            continue
        try:
            if subprocess.run([path, "-c", "pass"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0:
                return path
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


class OtherMainsTest(unittest.TestCase):
    def run_app(self, main, twin):
        main_path, twin_path = find(main), find(twin)
        if main_path is None or twin_path is None:
            self.skipTest("interpreter not found: %s (looked on PATH and in pyenv versions)"
                          % (main if main_path is None else twin))
        for round_ in range(ROUNDS):
            proc = subprocess.run(
                [BINARY, "--main-interpreter", main_path, "--twin", "other=" + twin_path, APP],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                universal_newlines=True)
            where = "%s main, %s twin, round %d" % (main, twin, round_ + 1)
            self.assertEqual(proc.returncode, 0, "%s: exit %d\n%s" % (where, proc.returncode, proc.stderr))
            self.assertTrue(proc.stdout.startswith("ok "), "%s: %r" % (where, proc.stdout))
            self.assertEqual(proc.stderr, "", where)

    def test_python27_main(self):
        self.run_app("python2.7", "python3")

    def test_python27_main_pypy_twin(self):
        self.run_app("python2.7", "pypy3")

    def test_pypy_main(self):
        self.run_app("pypy3", "python3")

    def test_python36_main(self):
        self.run_app("python3.6", "python3")

    def test_python3_main_pypy_twin(self):
        self.run_app("python3", "pypy3")


if __name__ == "__main__":
    unittest.main()
