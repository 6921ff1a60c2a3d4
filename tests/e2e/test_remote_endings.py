"""How a twin on another host ended reaches the caller and cpy2py-run as it would for a
local twin (through a real OpenSSH server, sshd_fixture.py)."""
import glob
import json
import os
import signal
import subprocess
import unittest

from supervisor_support import wait_until
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

    def test_sigkill_of_the_remote_agent_leaves_nothing_there(self):
        # the agent cannot clean up after SIGKILL (a user's kill -9, the OOM killer): its
        # janitor removes the run directory with the shipped runtime and the forwarding link
        info_file = os.path.join(self.tmp, "info.json")
        proc = subprocess.Popen([BINARY, "--manifest", self.manifest(), APP, "hold", info_file], cwd=self.tmp,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(info_file) or proc.poll() is not None, 60))
            self.assertIsNone(proc.poll(), "cpy2py-run ended early")
            with open(info_file) as f:
                info = json.load(f)
            links = [path for path in glob.glob("/tmp/cpy2py-fwd-*") if os.path.realpath(path) == info["run_dir"]]
            self.assertTrue(os.path.isdir(os.path.join(info["run_dir"], "bootstrap")))
            self.assertTrue(links, "no forwarding link to %s in /tmp" % info["run_dir"])
            os.kill(info["agent"], signal.SIGKILL)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertIn("terminated", self.result(out.decode())["error"])
        self.assert_gone(info)
        for path in links:
            self.assertTrue(wait_until(lambda: not os.path.lexists(path), 10), "forwarding link %s left" % path)

    def test_an_interpreter_that_cannot_be_run_there_is_not_an_authentication_failure(self):
        proc = subprocess.run([BINARY, "--check", "--manifest", self.manifest(interpreter="/etc/passwd")],
                              cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        out = proc.stdout.decode()
        self.assertEqual(proc.returncode, 127, out + proc.stderr.decode())
        problem = [line for line in out.splitlines() if line.startswith("problem: twin 'far'")][0]
        self.assertIn("interpreter '/etc/passwd' on host '%s' cannot be run (remote shell: " % self.server.host, problem)
        self.assertIn("Permission denied", problem)
        self.assertNotIn("authentication", problem)


if __name__ == "__main__":
    unittest.main()
