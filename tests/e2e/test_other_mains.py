"""Mains other than python3 (PyPy, 2.7, 3.6): deep callbacks in both directions plus threads
calling meanwhile, through the real cpy2py-run, with and without spinning (CPY2PY_SPIN_US). Each run must print its result and exit 0
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
    def run_app(self, main, twin, env=None):
        main_path, twin_path = find(main), find(twin)
        if main_path is None or twin_path is None:
            self.skipTest("interpreter not found: %s (looked on PATH and in pyenv versions)"
                          % (main if main_path is None else twin))
        for round_ in range(ROUNDS):
            proc = subprocess.run(
                [BINARY, "--main-interpreter", main_path, "--twin", "other=" + twin_path, APP],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                universal_newlines=True, env=dict(os.environ, **(env or {})))
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

    def test_without_spinning(self):
        # CPY2PY_SPIN_US=0: every wait blocks at once (the other code path of each wait)
        self.run_app("python3", "pypy3", env={"CPY2PY_SPIN_US": "0"})
        self.run_app("python2.7", "python3", env={"CPY2PY_SPIN_US": "0"})


class Python2MainErrorTest(unittest.TestCase):
    """A 2.7 main that ends with an uncaught error from a Python 3 twin whose message is not
    ASCII prints the remote traceback (before: 'Error in sys.excepthook: UnicodeEncodeError'
    on a pipe, and the remote traceback was lost)."""

    CODE = ("from cpy2py import TwinMaster\n"
            "TwinMaster('other').execute(eval, \"exec('raise ValueError(chr(0xe9))')\")\n")

    def test_non_ascii_remote_error(self):
        main, twin = find("python2.7"), find("python3")
        if main is None or twin is None:
            self.skipTest("python2.7 or python3 not found (looked on PATH and in pyenv versions)")
        proc = subprocess.run(
            [BINARY, "--main-interpreter", main, "--twin", "other=" + twin, "-c", self.CODE],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        stderr = proc.stderr.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 1, stderr)
        self.assertNotIn("Error in sys.excepthook", stderr)
        self.assertIn("Traceback in twin 'other'", stderr)
        self.assertIn("ValueError: \u00e9", stderr)


class SpinSettingTest(unittest.TestCase):
    """CPY2PY_SPIN_US reaches the runtime of the main and of every twin; a bad value keeps
    the default instead of breaking the application."""

    CODE = ("from cpy2py import TwinMaster\n"
            "from cpy2py.wire import transport\n"
            "spin = \"__import__('cpy2py.wire.transport', fromlist=['SPIN']).SPIN\"\n"
            "print('%r %r' % (transport.SPIN, TwinMaster('other').execute(eval, spin)))\n")

    def spin_values(self, value):
        twin = find("pypy3") or find("python3")
        env = dict(os.environ)
        if value is None:
            env.pop("CPY2PY_SPIN_US", None)
        else:
            env["CPY2PY_SPIN_US"] = value
        proc = subprocess.run([BINARY, "--twin", "other=" + twin, "-c", self.CODE],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                              universal_newlines=True, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        return [float(word) for word in proc.stdout.split()]

    def test_default(self):
        self.assertEqual(self.spin_values(None), [100e-6, 100e-6])

    def test_off_and_set(self):
        self.assertEqual(self.spin_values("0"), [0.0, 0.0])
        self.assertEqual(self.spin_values("250"), [250e-6, 250e-6])

    def test_bad_value_keeps_default(self):
        self.assertEqual(self.spin_values("fast please"), [100e-6, 100e-6])


if __name__ == "__main__":
    unittest.main()
