"""
Deadlines under load, called from the main thread (helpers/interrupt_load_app.py)

* Small bounded calls to a twin that reads nothing (stopped with SIGSTOP): requests and
  interrupts fill its socket buffer, and the interrupt of an abandoned call was then sent
  with a blocking ``sendall``: the main hung for as long as the twin stayed stopped. Each
  call must now end at its deadline.
* Bounded calls that import modules, interrupted: CallCancelled landing inside importlib left
  the import lock held, and the twin never imported anything again (cpy2py.kernel.import_locks).

No timing is asserted: only that the run ends and what it printed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
APP = os.path.join(HERE, "helpers", "interrupt_load_app.py")


def find_pypy():
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if os.access(os.path.join(directory, "pypy3"), os.X_OK):
            return "pypy3"
    return None


class DeadlineLoadTest(unittest.TestCase):
    def run_app(self, case, twin, *extra):
        env = dict(os.environ)
        env.pop("CPY2PY_CONTROL_FD", None)
        try:
            result = subprocess.run(
                [BINARY, "--twin", "tw=" + twin, APP, case, "tw"] + list(extra),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                timeout=240, env=env)
        except subprocess.TimeoutExpired as err:
            self.fail("the run hung: %s\nstdout:\n%s\nstderr:\n%s" % (err, err.stdout, err.stderr))
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_small_calls_to_a_stopped_twin(self):
        out = self.run_app("stopped", sys.executable)
        self.assertIn("TIMEOUTS 300", out)
        self.assertIn("RESULT 3", out)

    def check_imports(self, twin):
        directory = tempfile.mkdtemp(prefix="cpy2py-load-")
        self.addCleanup(shutil.rmtree, directory, True)
        out = self.run_app("imports", twin, directory)
        self.assertIn("RESULT 42", out)

    def test_interrupted_imports_python3_twin(self):
        self.check_imports(sys.executable)

    def test_interrupted_imports_pypy_twin(self):
        pypy = find_pypy()
        if pypy is None:
            self.skipTest("pypy3 not found on PATH (%s)" % os.environ.get("PATH", ""))
        self.check_imports(pypy)


if __name__ == "__main__":
    unittest.main()
