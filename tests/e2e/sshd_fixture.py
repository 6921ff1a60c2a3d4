"""A real OpenSSH server for the tests: loopback, a free port, throwaway host and user keys,
a private sshd_config and a private client config (passed to ssh with -F).

    with SshServer() as server:       # raises unittest.SkipTest when sshd cannot run
        server.ssh_options            # ["-F", "<client config>"]
        server.host                   # "testhost": the alias in that config

Optional `wrap` runs sshd under another command (e.g. `unshare --mount ...`). Everything
(sshd, keys, configs) is removed on exit.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

SSHD = "/usr/sbin/sshd"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def skip_reason():
    """Why no sshd can be started here, or None"""
    if not os.path.exists(SSHD):
        return "%s not found (install openssh-server; scripts/setup-debian.sh does)" % SSHD
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            return "%s not found on PATH (install openssh-client)" % tool
    return None


class SshServer(object):
    def __init__(self, address="127.0.0.1", wrap=(), alias="testhost", netns=None):
        self.address = address
        self.wrap = list(wrap)
        self.host = alias
        self.netns = netns
        self.proc = None

    def __enter__(self):
        reason = skip_reason()
        if reason:
            raise unittest.SkipTest(reason)
        self.dir = tempfile.mkdtemp(prefix="cpy2py-sshd-")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def path(self, name):
        return os.path.join(self.dir, name)

    def _keygen(self, name):
        subprocess.check_call(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.path(name)],
                              stdout=subprocess.DEVNULL)

    def _start(self):
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", exist_ok=True)   # sshd's privilege separation directory
        self._keygen("host_key")
        self._keygen("user_key")
        shutil.copy(self.path("user_key.pub"), self.path("authorized_keys"))
        os.chmod(self.path("authorized_keys"), 0o600)
        self.port = free_port()
        user = os.environ.get("USER") or __import__("pwd").getpwuid(os.getuid()).pw_name
        with open(self.path("sshd_config"), "w") as f:
            f.write("\n".join([
                "ListenAddress %s" % self.address,
                "Port %d" % self.port,
                "HostKey %s" % self.path("host_key"),
                "AuthorizedKeysFile %s" % self.path("authorized_keys"),
                "PidFile %s" % self.path("sshd.pid"),
                "UsePAM no",
                "PermitRootLogin yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "StrictModes no",
                "PrintMotd no",
                "AllowUsers %s" % user,
                "LogLevel ERROR",
                "MaxStartups 100",
                "MaxSessions 100",
                "",
            ]))
        with open(self.path("host_key.pub")) as f:
            host_key = f.read().split()
        with open(self.path("known_hosts"), "w") as f:
            f.write("[%s]:%d %s %s\n" % (self.address, self.port, host_key[0], host_key[1]))
        self.write_client_config(self.path("ssh_config"), self.path("known_hosts"), self.path("user_key"))
        self.ssh_options = ["-F", self.path("ssh_config")]
        cmd = self.wrap + [SSHD, "-D", "-e", "-f", self.path("sshd_config")]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns] + cmd
        self.log = open(self.path("sshd.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise unittest.SkipTest("sshd could not start: %s" % self.read_log())
            if self._answers():
                return
            time.sleep(0.05)
        raise unittest.SkipTest("sshd did not answer on %s:%d within 30 s: %s" % (self.address, self.port, self.read_log()))

    def _answers(self):
        if self.netns:
            try:
                subprocess.check_call(["ssh"] + self.ssh_options + [self.host, "true"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=5)
                return True
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                return False
        try:
            socket.create_connection((self.address, self.port), 0.5).close()
            return True
        except OSError:
            return False

    def write_client_config(self, path, known_hosts, identity, port=None, aliases=None):
        """A client config for `aliases` (default: the one alias `host`)"""
        with open(path, "w") as f:
            f.write("\n".join([
                "Host %s" % " ".join(aliases or [self.host]),
                "  HostName %s" % self.address,
                "  Port %d" % (port or self.port),
                "  IdentityFile %s" % identity,
                "  IdentitiesOnly yes",
                "  UserKnownHostsFile %s" % known_hosts,
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "  ConnectTimeout 5",
                "  LogLevel ERROR",
                "",
            ]))

    def read_log(self):
        try:
            with open(self.path("sshd.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None
        if self.netns:
            # sessions of a cut connection would linger until TCP gives up: end them
            pids = subprocess.run(["ip", "netns", "pids", self.netns], stdout=subprocess.PIPE).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(self.dir, True)
