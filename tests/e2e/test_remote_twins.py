"""Twins on another host through a real OpenSSH server (sshd_fixture.py): calls, output,
exceptions, callbacks, threads, lifetime, --check, restart after the ssh client is killed,
and nothing left behind on either side."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from sshd_fixture import SshServer
from supervisor_support import alive, wait_until

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "helpers", "remote_app.py")
PYTHON = os.path.realpath(sys.executable)
TIMEOUT = 120


def processes_with(text, where):
    """Pids (but ours) whose /proc/PID/<where> (cmdline or environ) contains ``text``"""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or name == str(os.getpid()):
            continue
        try:
            with open("/proc/%s/%s" % (name, where), "rb") as f:
                if text in f.read():
                    found.append(name)
        except (IOError, OSError):
            pass
    return found


def toml_list(items):
    return "[" + ", ".join('"%s"' % i for i in items) + "]"


class RemoteTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SshServer()
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-remote-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def manifest(self, host=None, options=None, interpreter=PYTHON, **twin):
        lines = ["[main]", 'interpreter = "%s"' % PYTHON, "", "[twins.far]",
                 'host = "%s"' % (host or self.server.host),
                 'interpreter = "%s"' % interpreter,
                 "ssh_options = %s" % toml_list(self.server.ssh_options if options is None else options)]
        lines += ['%s = %s' % (k, json.dumps(v)) for k, v in twin.items()]
        lines += ['env = { GREETING = "hi there" }', 'args = ["-B"]']
        lines += ["", "[supervisor]", "shutdown_grace = 1", ""]
        path = os.path.join(self.tmp, "cpy2py.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def run_app(self, *args, **kwargs):
        manifest = kwargs.pop("manifest", None) or self.manifest(**kwargs)
        proc = subprocess.run([BINARY, "--manifest", manifest, APP] + list(args), cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def result(self, out):
        for line in out.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT "):])
        self.fail("no RESULT line in:\n" + out)

    def assert_gone(self, info):
        """The remote twin and its private run directory are gone, and no hub or ssh
        client of the run is left locally"""
        self.assertTrue(wait_until(lambda: not alive(info["pid"]), 10), "remote twin %d still runs" % info["pid"])
        self.assertTrue(wait_until(lambda: not os.path.exists(info["run_dir"]), 10),
                        "remote run directory %s still exists" % info["run_dir"])
        config = self.server.ssh_options[1].encode()
        clients = lambda: processes_with(config, "cmdline")  # noqa: E731
        self.assertTrue(wait_until(lambda: not clients(), 10), "ssh clients left: %s" % clients())


class TestRemoteTwins(RemoteTestCase):
    def test_calls_output_exceptions_callbacks_threads(self):
        status, out, err = self.run_app("basic")
        self.assertEqual(status, 0, err)
        r = self.result(out)
        info = r["info"]
        self.assertEqual(info["twin"], "far")
        self.assertEqual(info["host"], self.server.host)
        self.assertNotEqual(info["pid"], os.getpid())
        self.assertEqual(info["mode"], 0o700)
        self.assertEqual(info["greeting"], "hi there")   # the twin's env reaches the remote twin
        self.assertTrue(info["no_bytecode"])              # and so do its interpreter args (-B)
        self.assertEqual(r["error"]["type"], "ValueError")
        self.assertEqual(r["error"]["message"], "boom")
        self.assertIn("Traceback in twin 'far' (pid %d on host '%s')" % (info["pid"], self.server.host),
                      r["error"]["cause"])
        self.assertIn("raise ValueError(message)", r["error"]["cause"])
        self.assertEqual(r["value"], 15)
        self.assertEqual(r["callback"], 41)
        self.assertEqual(r["threads"], [sum(i * i for i in range(50))] * 4)
        self.assertEqual(r["big"], 3 << 20)
        self.assertIn("[far] hello from afar\n", out)
        self.assertIn("[far] err hello from afar\n", err)
        self.assert_gone(info)

    def test_calls_work_where_ssh_forwarding_is_refused(self):
        # the fast path (ssh's own socket forwarding) is not available: calls go through
        # the multiplexed link instead, with the same results
        options = list(self.server.ssh_options) + ["-o", "ClearAllForwardings=yes"]
        status, out, err = self.run_app("basic", options=options)
        self.assertEqual(status, 0, err)
        r = self.result(out)
        self.assertEqual(r["value"], 15)
        self.assertEqual(r["callback"], 41)
        self.assertEqual(r["threads"], [sum(i * i for i in range(50))] * 4)
        self.assertEqual(r["big"], 3 << 20)
        self.assertIn("[far] hello from afar\n", out)
        self.assert_gone(r["info"])

    def test_python27_twin(self):
        py27 = os.path.expanduser("~/.pyenv/versions/2.7.18/bin/python2.7")
        if not os.path.exists(py27):
            self.skipTest("no Python 2.7 at %s" % py27)
        status, out, err = self.run_app("info", interpreter=py27)
        self.assertEqual(status, 0, err)
        self.assert_gone(self.result(out)["info"])

    def test_lazy_start_stop_and_start_again(self):
        status, out, err = self.run_app("stopstart", start="lazy")
        self.assertEqual(status, 0, err)
        r = self.result(out)
        self.assertNotEqual(r["first"]["pid"], r["second"]["pid"])
        self.assertFalse(alive(r["first"]["pid"]))
        self.assertFalse(os.path.exists(r["first"]["run_dir"]) and r["first"]["run_dir"] != r["second"]["run_dir"])
        self.assertEqual(r["future"], 49)
        self.assertEqual(r["twin_state"], ["far", "main", True])
        self.assert_gone(r["second"])

    def test_check_connects_and_reports(self):
        proc = subprocess.run([BINARY, "--check", "--manifest", self.manifest(), APP], cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        out = proc.stdout.decode()
        self.assertEqual(proc.returncode, 0, out + proc.stderr.decode())
        row = [line for line in out.splitlines() if line.startswith("twin")][0].split()
        self.assertEqual(row[1], "far")
        self.assertTrue(row[2].startswith("ssh://%s/" % self.server.host), row)
        self.assertEqual(row[3], "%s:%s" % (self.server.host, PYTHON))
        self.assertEqual(row[5:8], ["CPython", "%d.%d.%d" % sys.version_info[:3], "5"])
        # the interpreter-choice table: found on that host, by the command written
        choice = [line for line in out.splitlines() if line.startswith("twin")][1].split()
        self.assertEqual(choice[:2], ["twin", "far"])
        self.assertEqual(choice[3:], ["host", self.server.host, "looked", "up", "there:", PYTHON])

    def pyproject(self, interpreter, twin_lines=()):
        """A pyproject.toml whose [tool.cpy2py] declares the remote twin, with a top-level [env]"""
        lines = ["[project]", 'name = "remote-app"', "", "[tool.cpy2py.env]", 'GREETING = "from [env]"', "",
                 "[tool.cpy2py.main]", 'interpreter = "%s"' % PYTHON, "", "[tool.cpy2py.twins.far]",
                 'host = "%s"' % self.server.host, 'interpreter = "%s"' % interpreter,
                 "ssh_options = %s" % toml_list(self.server.ssh_options), "heartbeat_timeout = 5"]
        lines += list(twin_lines) + ["", "[tool.cpy2py.supervisor]", "shutdown_grace = 1", ""]
        path = os.path.join(self.tmp, "pyproject.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path

    def test_pyproject_version_spec_env_and_stats(self):
        """[tool.cpy2py.twins.far] with host; interpreter "3.11" is looked up on the remote as
        python3.11; [env] and --env reach the remote twin; --stats lists it"""
        remote = shutil.which("python3.11", path="/usr/local/bin:/usr/bin:/bin")
        if not remote:
            self.skipTest("no python3.11 in /usr/local/bin:/usr/bin:/bin (the remote login PATH)")
        self.pyproject("3.11")
        proc = subprocess.run([BINARY, "--check", APP], cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        out = proc.stdout.decode()
        self.assertEqual(proc.returncode, 0, out + proc.stderr.decode())
        self.assertIn("pyproject.toml [tool.cpy2py]", out)
        rows = [line.split() for line in out.splitlines() if line.startswith("twin")]
        self.assertEqual(rows[0][2], "ssh://%s/3.11" % self.server.host)
        self.assertEqual(rows[0][5], "CPython")
        self.assertTrue(rows[0][6].startswith("3.11."), rows[0])
        self.assertEqual(rows[1][-1], "python3.11")

        proc = subprocess.run([BINARY, "--stats", APP, "basic"], cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 0, err)
        info = self.result(proc.stdout.decode())["info"]
        self.assertEqual(info["greeting"], "from [env]")
        lines = err.splitlines()
        header = [i for i, line in enumerate(lines) if line.startswith("twin ") and "calls" in line]
        self.assertEqual(len(header), 1, err)
        table = dict((line.split()[0], line.split()[1:]) for line in lines[header[0] + 1:] if line.strip())
        # the remote twin has its row like a local one (figures come from the processes' STATS
        # control lines, which a stand-in relays like any other control line)
        self.assertEqual(len(table["far"]), 7, err)
        self.assertEqual(table["far"][-1], "0", err)        # no restart
        self.assert_gone(info)

        proc = subprocess.run([BINARY, "--env", "GREETING=from --env", APP, "info"], cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        info = self.result(proc.stdout.decode())["info"]
        self.assertEqual(info["greeting"], "from --env")
        self.assert_gone(info)

    def test_malformed_remote_spec_is_refused_before_connecting(self):
        # ranges are searched on the remote host (test_remote_interpreters.py); a malformed
        # one is a manifest error here
        self.pyproject(">=3.8,<")
        proc = subprocess.run([BINARY, "--check", APP], cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 78, err)
        self.assertIn("pyproject.toml:", err)
        self.assertIn("is not a version range", err)

    def test_command_line_url_and_ssh_command_variable(self):
        """--twin far=ssh://USER@ADDRESS:PORT//PATH with CPY2PY_SSH_COMMAND as the ssh program"""
        import getpass
        command = "ssh -o BatchMode=yes -o 'IdentityFile %s' -o IdentitiesOnly=yes -o UserKnownHostsFile=%s " \
                  "-o StrictHostKeyChecking=yes" % (self.server.path("user_key"), self.server.path("known_hosts"))
        env = dict(os.environ, CPY2PY_SSH_COMMAND=command)
        url = "ssh://%s@%s:%d/%s" % (getpass.getuser(), self.server.address, self.server.port, PYTHON)
        proc = subprocess.run([BINARY, "--no-manifest", "--main-interpreter", PYTHON, "--twin", "far=" + url, APP,
                               "info"], cwd=self.tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        info = self.result(proc.stdout.decode())["info"]
        self.assertEqual(info["host"], self.server.address)
        self.assert_gone(info)

    def test_restart_after_the_ssh_client_is_killed(self):
        status, out, err = self.run_app("killssh", self.server.ssh_options[1], restart="on-failure")
        self.assertEqual(status, 0, err)
        r = self.result(out)
        self.assertTrue(r["clients"], "no ssh client found")
        self.assertEqual(r["failed"], "TwinterpreterTerminated")
        self.assertIsNotNone(r["second"], err)
        self.assertNotEqual(r["first"]["pid"], r["second"]["pid"])
        self.assertTrue(wait_until(lambda: not alive(r["first"]["pid"]), 10))
        self.assertFalse(os.path.exists(r["first"]["run_dir"]))
        self.assert_gone(r["second"])


if __name__ == "__main__":
    unittest.main()


class TestMultiplexing(RemoteTestCase):
    def test_one_connection_per_host_carries_every_peer_path(self):
        config = os.path.join(self.tmp, "two_aliases")
        self.server.write_client_config(config, self.server.path("known_hosts"), self.server.path("user_key"),
                                        aliases=["testhost", "testhost2"])
        twins = [("far1", "testhost"), ("far2", "testhost"), ("other", "testhost2")]
        lines = ["[main]", 'interpreter = "%s"' % PYTHON, ""]
        for twin_id, host in twins:
            lines += ["[twins.%s]" % twin_id, 'host = "%s"' % host, 'interpreter = "%s"' % PYTHON,
                      'ssh_options = ["-F", "%s"]' % config, ""]
        lines += ["[twins.near]", 'interpreter = "%s"' % PYTHON, ""]
        manifest = os.path.join(self.tmp, "mesh.toml")
        with open(manifest, "w") as f:
            f.write("\n".join(lines))
        status, out, err = self.run_app("mesh", config, manifest=manifest)
        self.assertEqual(status, 0, err)
        r = self.result(out)
        # one ssh client per host, however many twins and peer connections
        self.assertEqual(r["ssh_destinations"], ["testhost", "testhost2"])
        far1, far2, other = r["direct"]
        self.assertEqual([far1[0], far2[0], other[0]], ["far1", "far2", "other"])
        self.assertEqual([far1[2], far2[2], other[2]], ["testhost", "testhost", "testhost2"])
        self.assertEqual(len({far1[1], far2[1], other[1]}), 3)
        asked = [(caller, answer[0]) for caller, answer in r["calls"]]
        self.assertEqual(asked, [("near", "far1"), ("far1", "far2"), ("far1", "other"), ("other", "far1"),
                                 ("far1", "main"), ("far1", "near"), ("other", "main")])


class TestNoLeftovers(RemoteTestCase):
    def test_sigkill_of_cpy2py_run_leaves_nothing_on_either_host(self):
        info_file = os.path.join(self.tmp, "info.json")
        proc = subprocess.Popen([BINARY, "--manifest", self.manifest(), APP, "hold", info_file], cwd=self.tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(info_file) or proc.poll() is not None, 60))
            if proc.poll() is not None:
                self.fail("cpy2py-run ended early: " + proc.stderr.read().decode())
            with open(info_file) as f:
                info = json.load(f)
            proc.kill()
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
        self.assert_gone(info)
        # nor the stand-in or the hub (their environment names this ssh config)
        config = self.server.ssh_options[1].encode()
        standins = lambda: processes_with(config, "environ")  # noqa: E731
        self.assertTrue(wait_until(lambda: not standins(), 10), "processes of the run left: %s" % standins())
