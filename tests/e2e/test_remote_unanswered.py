"""A host that never answers (it drops packets; an ssh command without ConnectTimeout):
the run and --check end with the link's own message naming the host, status 127, before
the supervisor's ready_timeout or --check's own limit kills the stand-in with a message
that names no host. The "ssh client" is a script that sleeps; no server is needed."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from supervisor_support import wait_until
from test_remote_twins import BINARY, HERE, TIMEOUT, processes_with

APP = os.path.join(HERE, "helpers", "remote_endings_app.py")
PYTHON = os.path.realpath(sys.executable)


class TestUnansweredHost(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-unanswered-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.ssh = os.path.join(self.tmp, "silent-ssh")
        with open(self.ssh, "w") as f:
            f.write("#!/bin/sh\nexec sleep 300\n")
        os.chmod(self.ssh, 0o755)
        self.env = dict(os.environ, CPY2PY_SSH_COMMAND=self.ssh)

    def manifest(self, ready_timeout):
        with open(os.path.join(self.tmp, "cpy2py.toml"), "w") as f:
            f.write('[main]\ninterpreter = "%s"\n\n[twins.far]\nhost = "blackhole.invalid"\ninterpreter = "python3"\n\n'
                    '[supervisor]\nready_timeout = %d\nshutdown_grace = 1\n' % (PYTHON, ready_timeout))

    def run_it(self, *args):
        proc = subprocess.run([BINARY] + list(args), cwd=self.tmp, env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def assert_no_client_left(self):
        clients = lambda: processes_with(self.ssh.encode(), "cmdline")  # noqa: E731
        self.assertTrue(wait_until(lambda: not clients(), 10), "ssh clients left: %s" % clients())

    def test_a_run_says_which_host_did_not_answer(self):
        self.manifest(3)
        status, out, err = self.run_it(APP, "die", "9")
        self.assertEqual(status, 127, err)
        self.assertIn("cannot reach host 'blackhole.invalid': no answer within", err)
        self.assertIn("ready_timeout", err)
        self.assertNotIn("is not ready after", err)
        self.assert_no_client_left()

    def test_check_says_which_host_did_not_answer(self):
        # a ready_timeout longer than the 20 s --check gives a local interpreter's probe
        self.manifest(23)
        status, out, err = self.run_it("--check")
        self.assertEqual(status, 127, out + err)
        problems = [line for line in out.splitlines() if line.startswith("problem: twin 'far'")]
        self.assertEqual(len(problems), 1, out)
        self.assertIn("cannot reach host 'blackhole.invalid': no answer within", problems[0])
        self.assert_no_client_left()

    def test_a_run_that_ends_while_the_host_is_still_connecting_is_not_held_up(self):
        # the main does not use the remote twin and ends while its link still connects:
        # the stand-in ends at SHUTDOWN (before: it ignored SHUTDOWN and SIGTERM until the
        # link was up, so every such run waited 2 x shutdown_grace and warned twice)
        self.manifest(60)
        with open(os.path.join(self.tmp, "quick.py"), "w") as f:
            f.write("print('done')\n")
        status, out, err = self.run_it("quick.py")
        self.assertEqual(status, 0, err)
        self.assertEqual(out, "done\n")
        self.assertNotIn("after SHUTDOWN", err)
        self.assertNotIn("SIGKILL", err)
        self.assert_no_client_left()


if __name__ == "__main__":
    unittest.main()
