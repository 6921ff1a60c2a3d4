"""A standalone main that dies (SIGTERM, SIGKILL, os._exit) leaves no run directory behind

Standalone (``python3 app.py`` with the bootstrap on PYTHONPATH) the main removes its run
directory in an atexit handler, which a signal or ``os._exit`` skips; its twins notice the
main is gone and remove it. Under a scratch TMPDIR, nothing may be left.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from first_day_support import MAIN, app_env

APP = r'''
import os, sys, time
from cpy2py import TwinMaster
if __name__ == '__main__':
    master = TwinMaster(executable=sys.executable, twinterpreter_id='helper')
    master.start()
    print('TWIN', master.execute(os.getpid))
    sys.stdout.flush()
    if sys.argv[1] == 'osexit':
        os._exit(5)
    time.sleep(60)
'''


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class StandaloneCleanupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-sa-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        # short: a run directory's socket paths must fit AF_UNIX's 108 bytes
        self.runs = tempfile.mkdtemp(prefix="c2", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.runs, True)
        with open(os.path.join(self.tmp, "app.py"), "w") as f:
            f.write(APP)

    def run_and_end(self, how):
        """``how``: a signal sent to the main, or "osexit" (the main calls os._exit)"""
        env = app_env(standalone=True, extra={"TMPDIR": self.runs})
        process = subprocess.Popen([MAIN, "app.py", str(how)], cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, universal_newlines=True)
        self.addCleanup(process.kill)
        line = process.stdout.readline()
        if not line.startswith("TWIN "):
            process.kill()
            self.fail(line + process.stderr.read())
        twin = int(line.split()[1])
        self.assertTrue(os.listdir(self.runs))  # the run directory exists while it runs
        if how != "osexit":
            process.send_signal(how)
        process.wait(30)
        end = time.time() + 30
        while (alive(twin) or os.listdir(self.runs)) and time.time() < end:
            time.sleep(0.05)
        self.assertFalse(alive(twin), "the twin outlived its main")
        self.assertEqual(os.listdir(self.runs), [], "run directory left behind")

    def test_sigterm(self):
        self.run_and_end(signal.SIGTERM)

    def test_sigkill(self):
        self.run_and_end(signal.SIGKILL)

    def test_os_exit(self):
        self.run_and_end("osexit")


if __name__ == "__main__":
    unittest.main()
