"""Failures of twins on other hosts are prompt and clear: unknown host, refused connection,
failed authentication, host-key mismatch, interpreter missing on the remote. Each is an
error that says which, quotes ssh's own message and exits 127, as for a missing local
interpreter; nothing is left behind."""
import os
import subprocess
import sys

from sshd_fixture import free_port
from test_remote_twins import APP, BINARY, PYTHON, TIMEOUT, RemoteTestCase


class TestRemoteFailures(RemoteTestCase):
    def config(self, name, known_hosts=None, identity=None, port=None):
        """A client config for alias testhost that differs from the working one"""
        path = os.path.join(self.tmp, name)
        self.server.write_client_config(path, known_hosts or self.server.path("known_hosts"),
                                        identity or self.server.path("user_key"), port)
        return ["-F", path]

    def check(self, **kwargs):
        proc = subprocess.run([BINARY, "--check", "--manifest", self.manifest(**kwargs), APP], cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode() + proc.stderr.decode()

    def assert_fails(self, expected, **kwargs):
        status, out = self.check(**kwargs)
        self.assertEqual(status, 127, out)
        problems = [line for line in out.splitlines() if line.startswith("problem: twin 'far'")]
        self.assertTrue(problems, out)
        for text in expected:
            self.assertIn(text, problems[0])
        return problems[0]

    def test_unknown_host(self):
        self.assert_fails(["cannot reach host 'nohost.invalid': unknown host", "Could not resolve hostname"],
                          host="nohost.invalid")

    def test_connection_refused(self):
        self.assert_fails(["cannot reach host 'testhost': connection refused", "Connection refused"],
                          options=self.config("refused", port=free_port()))

    def test_authentication_failed(self):
        other = os.path.join(self.tmp, "other_key")
        subprocess.check_call(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other])
        self.assert_fails(["cannot reach host 'testhost': authentication failed", "Permission denied"],
                          options=self.config("badkey", identity=other))

    def test_host_key_mismatch(self):
        other = os.path.join(self.tmp, "other_host_key")
        subprocess.check_call(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other])
        with open(other + ".pub") as f:
            key = f.read().split()
        known = os.path.join(self.tmp, "known_hosts")
        with open(known, "w") as f:
            f.write("[%s]:%d %s %s\n" % (self.server.address, self.server.port, key[0], key[1]))
        self.assert_fails(["cannot reach host 'testhost': host key", "ssh: "],
                          options=self.config("mismatch", known_hosts=known))

    def test_missing_interpreter(self):
        self.assert_fails(["interpreter 'python-missing-9' not found on host 'testhost'", "not found"],
                          interpreter="python-missing-9")

    def test_a_run_fails_clearly_too(self):
        proc = subprocess.run([BINARY, "--manifest", self.manifest(host="nohost.invalid"), APP, "info"],
                              cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 127, err)
        self.assertIn("cannot reach host 'nohost.invalid': unknown host", err)
        self.assertIn("Could not resolve hostname", err)
        self.assertNotIn("RESULT", proc.stdout.decode())


if __name__ == "__main__":
    import unittest
    unittest.main()
