"""The parts of bootstrap/cpy2py_ssh that need no ssh server: frames, the first stage and
its quoting, the runtime payload, ssh error classification, module lookup."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(os.path.dirname(os.path.dirname(HERE)), "bootstrap")
sys.path.insert(0, BOOTSTRAP)

from cpy2py_ssh import errors, frames, modules, shipping  # noqa: E402


class TestFrames(unittest.TestCase):
    def test_frames_survive_any_split(self):
        data = frames.pack(7, frames.DATA, b"hello") + frames.pack(1, frames.PING) + frames.pack(2, frames.CTRL, b"x" * 70000)
        for step in (1, 3, 9, 1000, len(data)):
            reader = frames.FrameReader()
            got = []
            for i in range(0, len(data), step):
                got += reader.feed(data[i:i + step])
            self.assertEqual(got, [(7, frames.DATA, b"hello"), (1, frames.PING, b""), (2, frames.CTRL, b"x" * 70000)])

    def test_split_keeps_frames_bounded(self):
        self.assertEqual(frames.split(b""), [b""])
        self.assertEqual([len(p) for p in frames.split(b"a" * 5, 2)], [2, 2, 1])


class TestShipping(unittest.TestCase):
    def test_first_stage_runs_the_loader_from_stdin(self):
        """The -c argument, through a real shell, reads the size-prefixed loader from stdin"""
        loader = zlib.compress(b"import sys; sys.stdout.write('loaded ' + str(len(r(3))))")
        stdin = ("%010d" % len(loader)).encode() + loader + b"abc"
        command = "exec %s -c '%s'" % (sys.executable, shipping.first_stage_argument())
        out = subprocess.run(["sh", "-c", command], input=stdin, stdout=subprocess.PIPE, timeout=30).stdout
        self.assertEqual(out, b"loaded 3")
        self.assertNotIn("'", shipping.first_stage_argument())

    def test_shell_words(self):
        self.assertEqual(shipping.shell_word("python3"), "python3")
        self.assertEqual(shipping.shell_word("~/venv/bin/python"), "~/venv/bin/python")
        self.assertEqual(shipping.shell_word("/opt/my python"), "'/opt/my python'")
        self.assertEqual(shipping.shell_word("a'b"), "'a'\"'\"'b'")
        self.assertTrue(shipping.remote_command("python2.7", "~/v27").startswith("exec ~/v27/bin/python2.7 -c '"))

    def test_payload_holds_loader_runtime_and_settings(self):
        data = shipping.payload(BOOTSTRAP, {"host": "h"})
        n = int(data[:10])
        self.assertIn(b"cpy2py_ssh", zlib.decompress(data[10:10 + n]))
        rest = data[10 + n:]
        m = int(rest[:10])
        archive = zlib.decompress(rest[10:10 + m])
        names, pos = [], 0
        while pos < len(archive):
            n = int(archive[pos:pos + 6])
            names.append(archive[pos + 6:pos + 6 + n].decode())
            size = int(archive[pos + 6 + n:pos + 16 + n])
            pos += 16 + n + size
        for name in ("cpy2py_twin.py", "cpy2py/__init__.py", "cpy2py_ssh/agent.py"):
            self.assertIn(name, names)
        self.assertTrue(all(name.endswith(".py") and "__pycache__" not in name for name in names), names)
        self.assertEqual(json.loads(rest[10 + m + 10:].decode()), {"host": "h"})


class TestErrors(unittest.TestCase):
    def check(self, stderr, status, expected):
        code, message = errors.describe_failure("box", "python3", status, stderr)
        self.assertEqual(code, 127)
        self.assertIn(expected, message)
        return message

    def test_classification_quotes_ssh(self):
        self.check(b"ssh: Could not resolve hostname box: Name or service not known\r\n", 255,
                   "unknown host (ssh: Could not resolve hostname box")
        self.check(b"ssh: connect to host 1.2.3.4 port 22: Connection refused\r\n", 255, "connection refused")
        self.check(b"ann@box: Permission denied (publickey).\r\n", 255,
                   "authentication failed (ssh: ann@box: Permission denied (publickey).)")
        self.check(b"@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n@@@@@@@\r\n"
                   b"Host key verification failed.\r\n", 255, "host key mismatch")
        self.check(b"bash: line 1: exec: python3: not found\n", 127, "interpreter 'python3' not found on host 'box'")
        self.check(b"", 255, "ssh failed")

    def test_each_failure_says_what_helps(self):
        self.check(b"Host key verification failed.\r\n", 255, "what helps: check the key, then accept it once with `ssh box`")
        self.check(b"ann@box: Permission denied (publickey).\r\n", 255, "what helps: a key or an agent is needed")
        self.check(b"ssh: Could not resolve hostname box: Name or service not known\r\n", 255,
                   "what helps: check the name, or define it as a Host in ~/.ssh/config")
        self.check(b"ssh: connect to host 1.2.3.4 port 22: Connection refused\r\n", 255, "what helps: is sshd running")

    def test_the_remote_shells_words_are_not_read_as_ssh_failures(self):
        # ssh connected and the remote shell could not run the interpreter: its
        # "Permission denied" is not an authentication failure
        message = self.check(b"bash: line 1: /etc/passwd: Permission denied\n", 126,
                             "interpreter 'python3' on host 'box' cannot be run (remote shell: bash: line 1: "
                             "/etc/passwd: Permission denied)")
        self.assertNotIn("authentication", message)
        message = self.check(b"motd: Connection refused by the quota daemon\nbash: python3: command not found\n", 127,
                             "interpreter 'python3' not found on host 'box'")
        self.assertNotIn("connection refused", message)

    def test_ssh_refusing_its_own_options_is_not_a_missing_interpreter(self):
        message = self.check(b"Can't open user config file /nowhere/cfg: No such file or directory\r\n", 255,
                             "cannot reach host 'box': ssh failed (Can't open user config file /nowhere/cfg")
        self.assertNotIn("interpreter", message)

    def test_a_pyenv_shims_explanation_is_quoted_whole(self):
        stderr = (b"pyenv: python3.6: command not found\n\nThe `python3.6' command exists in these Python versions:\n"
                  b"  3.6.15\n\nNote: See 'pyenv help global' for tips on allowing both\n"
                  b"      Python 2 and Python 3 to be found at the same time.\n")
        self.check(stderr, 127, "(remote shell: pyenv: python3.6: command not found The `python3.6' command "
                                "exists in these Python versions: 3.6.15 Note:")


class TestModules(unittest.TestCase):
    def test_only_the_mains_own_roots_outside_site_packages(self):
        tmp = tempfile.mkdtemp()
        app = os.path.join(tmp, "app")
        site = os.path.join(tmp, "lib", "site-packages")
        for path, text in ((os.path.join(app, "main.py"), "M"), (os.path.join(app, "pkg", "__init__.py"), "P"),
                           (os.path.join(app, "pkg", "sub.py"), "S"), (os.path.join(site, "inst.py"), "I")):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        env = {"CPY2PY_MAIN_FILE": os.path.join(app, "main.py"), "PYTHONPATH": BOOTSTRAP + os.pathsep + site}
        roots = modules.import_roots(env, BOOTSTRAP)
        self.assertEqual(roots, [os.path.realpath(app)])
        answer = json.loads(modules.answer("pkg", roots, env["CPY2PY_MAIN_FILE"]).decode())
        self.assertTrue(answer["package"])
        self.assertFalse(json.loads(modules.answer("pkg.sub", roots, None).decode())["package"])
        self.assertEqual(modules.answer("inst", roots, None), b"{}")
        self.assertEqual(modules.answer("../etc", roots, None), b"{}")
        self.assertIn("origin", json.loads(modules.answer(":main", roots, env["CPY2PY_MAIN_FILE"]).decode()))


if __name__ == "__main__":
    unittest.main()
