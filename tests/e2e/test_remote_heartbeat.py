"""A network partition between the main host and a twin's host: a second "host" in a
network namespace (veth pair, TEST-NET-1 addresses inside namespaces this test creates)
runs its own sshd; the test takes the link down. The addresses (a /30 from link-local or
TEST-NET ranges, one not in use here) exist only on the veth pair this test creates. The call in flight fails with
TwinterpreterTerminated, and the remote twin exits and its run directory is removed — only
the heartbeat can notice (the TCP connection stays open). Needs root and iproute2."""
import json
import os
import shutil
import subprocess
import time
import unittest

from sshd_fixture import SshServer
from supervisor_support import alive, wait_until
from test_remote_twins import APP, BINARY, PYTHON, TIMEOUT

#: candidate /30 prefixes; the first one no interface here uses is taken
PREFIXES = ("169.254.213.", "198.51.100.", "203.0.113.", "192.0.2.")


def free_prefix():
    used = subprocess.run(["ip", "-o", "addr"], stdout=subprocess.PIPE).stdout.decode()
    for prefix in PREFIXES:
        if " " + prefix not in used:
            return prefix
    return None


def ip(*args):
    return subprocess.run(["ip"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class TestHeartbeat(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to create a network namespace")
        if shutil.which("ip") is None:
            self.skipTest("ip (iproute2) not found on PATH")
        prefix = free_prefix()
        if prefix is None:
            self.skipTest("every candidate address range is in use here: %s" % ", ".join(PREFIXES))
        host_addr, ns_addr = prefix + "1", prefix + "2"
        tag = str(os.getpid() % 100000)
        self.ns, self.dev, peer = "cpy2py-hb-" + tag, "c2h" + tag, "c2n" + tag
        if ip("netns", "add", self.ns).returncode != 0:
            self.skipTest("cannot create a network namespace (ip netns add)")
        self.addCleanup(ip, "netns", "del", self.ns)
        steps = [
            ("link", "add", self.dev, "type", "veth", "peer", "name", peer),
            ("link", "set", peer, "netns", self.ns),
            ("addr", "add", host_addr + "/30", "dev", self.dev),
            ("link", "set", self.dev, "up"),
            ("-n", self.ns, "addr", "add", ns_addr + "/30", "dev", peer),
            ("-n", self.ns, "link", "set", peer, "up"),
            ("-n", self.ns, "link", "set", "lo", "up"),
        ]
        self.addCleanup(ip, "link", "del", self.dev)
        for step in steps:
            r = ip(*step)
            if r.returncode != 0:
                self.skipTest("ip %s failed: %s" % (" ".join(step), r.stderr.decode().strip()))
        self.server = SshServer(address=ns_addr, netns=self.ns)
        self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)
        self.tmp = self.server.dir

    def test_partition_ends_calls_and_the_remote_twin(self):
        manifest = os.path.join(self.tmp, "cpy2py.toml")
        with open(manifest, "w") as f:
            f.write("\n".join([
                "[main]", 'interpreter = "%s"' % PYTHON, "",
                "[twins.far]", 'host = "%s"' % self.server.host, 'interpreter = "%s"' % PYTHON,
                'ssh_options = ["-F", "%s"]' % self.server.ssh_options[1], "heartbeat_timeout = 2", "",
                "[supervisor]", "shutdown_grace = 1", ""]))
        info_file = os.path.join(self.tmp, "info.json")
        proc = subprocess.Popen([BINARY, "--manifest", manifest, APP, "partition", info_file], cwd=self.tmp,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(info_file) or proc.poll() is not None, 60),
                            "the twin never answered")
            if proc.poll() is not None:
                self.fail("cpy2py-run ended early: " + proc.stderr.read().decode())
            with open(info_file) as f:
                info = json.load(f)
            time.sleep(0.3)   # the long call is in flight now
            self.assertEqual(ip("link", "set", self.dev, "down").returncode, 0)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        lines = [l for l in out.decode().splitlines() if l.startswith("RESULT ")]
        self.assertTrue(lines, err.decode())
        result = json.loads(lines[0][len("RESULT "):])
        self.assertEqual(result["failed"], "TwinterpreterTerminated", err.decode())
        self.assertIn("no heartbeat", err.decode())
        # the main's own errors say why too, not only "exit code 1" (the stand-in's last words)
        self.assertTrue(any("no heartbeat" in message for message in result["messages"]), result["messages"])
        self.assertTrue(wait_until(lambda: not alive(info["pid"]), 10), "remote twin still runs")
        self.assertTrue(wait_until(lambda: not os.path.exists(info["run_dir"]), 10), "remote run dir left")


if __name__ == "__main__":
    unittest.main()
