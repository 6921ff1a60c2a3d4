"""How a twin on another host ended reaches the caller and cpy2py-run as it would for a
local twin (through a real OpenSSH server, sshd_fixture.py)."""
import os
import signal
import subprocess
import unittest

from test_remote_twins import BINARY, HERE, TIMEOUT, RemoteTestCase

APP = os.path.join(HERE, "helpers", "remote_endings_app.py")


class TestRemoteEndings(RemoteTestCase):
    def run_endings(self, *args):
        proc = subprocess.run([BINARY, "--manifest", self.manifest(), APP] + list(args), cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def test_a_remote_twin_killed_by_sigkill_is_reported_as_such(self):
        # the remote OOM killer or `kill -9` there: the stand-in ends the same way (before,
        # setting SIGKILL's action raised in the stand-in, which then exited with status 1)
        status, out, err = self.run_endings("die", str(int(signal.SIGKILL)))
        self.assertEqual(status, 0, err)
        r = self.result(out)
        self.assertIn("its process ended with signal 9 (SIGKILL)", r["error"])
        self.assertIn("twin 'far'", err)
        self.assertIn("exited with signal 9 (SIGKILL)", err)
        self.assert_gone(r["info"])

    def test_a_remote_twin_killed_by_sigterm_is_reported_as_such(self):
        status, out, err = self.run_endings("die", str(int(signal.SIGTERM)))
        self.assertEqual(status, 0, err)
        r = self.result(out)
        self.assertIn("its process ended with signal 15 (SIGTERM)", r["error"])
        self.assert_gone(r["info"])


if __name__ == "__main__":
    unittest.main()
