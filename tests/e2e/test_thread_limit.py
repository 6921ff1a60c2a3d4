"""A twin that cannot start another thread still serves every call

A twin at its address-space limit (`ulimit -v`: every thread reserves a stack) or thread
limit (`ulimit -u`) cannot grow its pool. Before, the pool thread that tried died with the
requests it had read, its RuntimeError printed by the twin, and the callers waited for
ever. Now the pool tries a smaller stack, then goes on with the threads it has (they serve
the queued requests in turn) and says once, on stderr, which limit to look at.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from first_day_support import run

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "helpers", "thread_limit", "no_more_threads.py")
PYTHON = "/usr/bin/python3"


@unittest.skipUnless(os.path.exists(PYTHON), "needs %s" % PYTHON)
@unittest.skipUnless(os.path.exists("/proc/self/statm"), "needs /proc/self/statm to size the limit")
class ThreadLimitTest(unittest.TestCase):
    def test_a_twin_that_cannot_start_threads_serves_every_call(self):
        tmp = tempfile.mkdtemp(prefix="cpy2py-threads-")
        self.addCleanup(shutil.rmtree, tmp, True)
        try:
            result = run([APP, "6"], twins={"tw": PYTHON}, main=PYTHON, env={"TMPDIR": tmp}, cwd=os.path.dirname(APP))
        except subprocess.TimeoutExpired as err:
            self.fail("the calls hung: %s" % (err.stderr,))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("SUM 15", result.stdout)
        self.assertIn("cannot start another thread to serve calls", result.stderr)
        self.assertIn("ulimit -v", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual(os.listdir(tmp), [], "the run directory was left behind")


if __name__ == "__main__":
    unittest.main()
