"""A twin short of file descriptors loses connections, not its identity

40 threads call a twin that may open only about 40 files: some of their own connections
fail (the twin cannot finish their handshakes). Those calls may fail with "connection
lost", but the twin lives on, and so must its proxies: before, the end of one thread's
connection counted as the twin's death and every later call raised StaleProxy.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from first_day_support import BINARY, app_env

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "helpers", "fd_pressure", "many_threads.py")
PYTHON = "/usr/bin/python3"


@unittest.skipUnless(os.path.exists(PYTHON), "needs %s (a real binary for the twin's wrapper)" % PYTHON)
class FdPressureTest(unittest.TestCase):
    def test_a_twin_short_of_descriptors_keeps_its_proxies(self):
        tmp = tempfile.mkdtemp(prefix="cpy2py-fd-")
        self.addCleanup(shutil.rmtree, tmp, True)
        wrapper = os.path.join(tmp, "limited-python")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nulimit -n 40\nexec %s \"$@\"\n" % PYTHON)
        os.chmod(wrapper, 0o755)
        result = subprocess.run([BINARY, "--no-manifest", "--main-interpreter", PYTHON, "--twin", "tw=" + wrapper,
                                 APP, "40"], cwd=os.path.dirname(APP), env=app_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("FINAL still here", result.stdout)
        self.assertNotIn("StaleProxy", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
