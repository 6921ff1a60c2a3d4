"""Twins on other hosts behave as local ones (through a real OpenSSH server,
sshd_fixture.py): how a remote twin ended reaches the caller and cpy2py-run; nothing stays
on the remote host when its agent is killed; a remote interpreter that cannot be run is
named as such; --check SCRIPT imports the script on the twin's host; twin ids as long as
the rule allows, and a remote TMPDIR too long for socket paths, work there too."""
import glob
import json
import os
import signal
import subprocess
import unittest

from supervisor_support import wait_until
from test_remote_twins import BINARY, HERE, PYTHON, TIMEOUT, RemoteTestCase

APP = os.path.join(HERE, "helpers", "remote_endings_app.py")


class TestRemoteEndings(RemoteTestCase):
    def run_endings(self, *args, **manifest):
        proc = subprocess.run([BINARY, "--manifest", self.manifest(**manifest), APP] + list(args), cwd=self.tmp,
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

    def check_imports(self, script_text, **manifest):
        script = os.path.join(self.tmp, "script.py")
        with open(script, "w") as f:
            f.write(script_text)
        proc = subprocess.run([BINARY, "--check", "--manifest", self.manifest(**manifest), script], cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def test_check_imports_the_script_on_the_twins_host(self):
        # before: the check ran here, with the main's interpreter, and said "ok"
        status, out, err = self.check_imports(
            "import os\nif os.environ.get('CPY2PY_REMOTE_HOST'):\n    import only_missing_over_there\n")
        self.assertEqual(status, 1, out + err)
        self.assertIn("twin 'far' (ssh://%s/" % self.server.host, out)
        self.assertIn("): FAILED", out)
        self.assertIn("No module named 'only_missing_over_there' in twin 'far' on host '%s'" % self.server.host, out)
        self.assertNotIn("cpy2py_ssh", out)   # the module finder's frame is the runtime's, not the user's

        status, out, err = self.check_imports("import os\nVALUE = 1\n")
        self.assertEqual(status, 0, out + err)
        self.assertIn("): ok", out)

    def test_check_imports_with_the_remote_interpreter(self):
        py27 = os.path.expanduser("~/.pyenv/versions/2.7.18/bin/python2.7")
        if not os.path.exists(py27):
            self.skipTest("no Python 2.7 at %s" % py27)
        status, out, err = self.check_imports("VALUE = f'{1}'\n", interpreter=py27)
        self.assertEqual(status, 1, out + err)
        self.assertIn("twin 'far' (CPython 2.7.18", out)
        self.assertIn("SyntaxError", out)

    def test_a_twin_id_of_64_characters(self):
        # ssh's forwarding of that twin's socket would need a path longer than AF_UNIX holds
        # (/tmp/cpy2py-fwd-<32 hex>/<id>.sock): before, ssh refused its whole command line and
        # the run failed with "cannot reach host ...: ssh failed (Bad local forwarding
        # specification ...)"; now that twin's connections are relayed
        twin_id = "t" * 64
        script = os.path.join(self.tmp, "long_id.py")
        with open(script, "w") as f:
            f.write("import os\nfrom cpy2py import twinfunction\n\n@twinfunction(%r)\ndef where():\n"
                    "    return os.environ.get('CPY2PY_REMOTE_HOST')\n\nif __name__ == '__main__':\n"
                    "    print('RESULT %%s' %% where())\n" % twin_id)
        with open(self.manifest()) as f:
            manifest = f.read().replace("[twins.far]", "[twins.%s]" % twin_id)
        path = os.path.join(self.tmp, "long_id.toml")
        with open(path, "w") as f:
            f.write(manifest)
        proc = subprocess.run([BINARY, "--manifest", path, script], cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertIn("RESULT %s" % self.server.host, proc.stdout.decode())

    def test_a_remote_tmpdir_too_long_for_socket_paths(self):
        # before: "lost the link to host ...: OSError: AF_UNIX path too long", status 1; now
        # the agent's run directory goes to /tmp, as a local one does
        long_tmp = os.path.join(self.tmp, "L" * 80)
        os.makedirs(long_tmp)
        wrapper = os.path.join(self.tmp, "python-with-long-tmpdir")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nTMPDIR=%s exec %s "$@"\n' % (long_tmp, PYTHON))
        os.chmod(wrapper, 0o755)
        status, out, err = self.run_endings("die", str(int(signal.SIGTERM)), interpreter=wrapper)
        self.assertEqual(status, 0, err)
        r = self.result(out)
        self.assertIn("its process ended with signal 15 (SIGTERM)", r["error"])
        self.assertFalse(r["info"]["run_dir"].startswith(long_tmp), r["info"])
        self.assert_gone(r["info"])
        self.assertEqual(os.listdir(long_tmp), [])


if __name__ == "__main__":
    unittest.main()
