"""A standalone main that dies (SIGTERM, SIGKILL, os._exit) leaves no run directory behind

Standalone (``python3 app.py`` with the bootstrap on PYTHONPATH) the main removes its run
directory in an atexit handler, which a signal or ``os._exit`` skips; its twins notice the
main is gone and remove it. Under a scratch TMPDIR, nothing may be left.
"""
import os
import shutil
import signal
import socket
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

    def run_and_end(self, how, keep=()):
        """``how``: a signal sent to the main, or "osexit" (the main calls os._exit);
        ``keep``: directories in TMPDIR that must stay"""
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
        kept = sorted(os.path.basename(path) for path in keep)
        while (alive(twin) or sorted(os.listdir(self.runs)) != kept) and time.time() < end:
            time.sleep(0.05)
        self.assertFalse(alive(twin), "the twin outlived its main")
        self.assertEqual(sorted(os.listdir(self.runs)), kept, "run directory left behind")

    def make_run_dir(self, name, listening=False, age=3600):
        """A run directory as a standalone main leaves it: a socket nobody (or somebody)
        listens on, last changed ``age`` seconds ago"""
        path = os.path.join(self.runs, name)
        os.mkdir(path, 0o700)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(os.path.join(path, "main.sock"))
        if listening:
            sock.listen(1)
            self.addCleanup(sock.close)
        else:
            sock.close()  # the file stays, nobody listens: as after a SIGKILL
        then = time.time() - age
        os.utime(path, (then, then))
        return path

    def test_a_main_killed_before_its_twins_ran_is_swept_by_the_next(self):
        """A main killed between making its run directory and starting a twin left it
        behind for good (nobody to notice); the next standalone main removes it, and only
        such directories"""
        stale = self.make_run_dir("cpy2py-ab12_x9z")
        live = self.make_run_dir("cpy2py-cd34_y8w", listening=True)
        young = self.make_run_dir("cpy2py-ef56_z7v", age=0)
        other = self.make_run_dir("cpy2py-AbC123")  # cpy2py-run's own (it has a watchdog)
        self.run_and_end(signal.SIGTERM, keep=[live, young, other])
        self.assertFalse(os.path.exists(stale))

    def test_sigterm(self):
        self.run_and_end(signal.SIGTERM)

    def test_sigkill(self):
        self.run_and_end(signal.SIGKILL)

    def test_os_exit(self):
        self.run_and_end("osexit")


if __name__ == "__main__":
    unittest.main()
