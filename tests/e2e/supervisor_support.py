"""Shared helpers of the test_supervisor_*.py suites: run the real cpy2py-run with a
manifest, the fake twin (helpers/fake_twin.py via CPY2PY_TWIN_SCRIPT) and the scriptable
main (helpers/ctl_main.py); inspect processes through /proc."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_TWIN = os.path.join(HERE, "helpers", "fake_twin.py")
CTL_MAIN = os.path.join(HERE, "helpers", "ctl_main.py")
PYTHON = os.path.realpath(sys.executable)  # a real binary: pyenv shims start slowly
TIMEOUT = 60


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join("%s = %s" % (k, toml_value(v)) for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def alive(pid):
    """True while `pid` exists and is not a zombie (checked in /proc, not assumed)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class SupervisorTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-sup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.pid_dir = os.path.join(self.tmp, "pids")
        os.mkdir(self.pid_dir)

    # -- building a run ---------------------------------------------------------------
    def manifest(self, twins, **supervisor):
        """Writes a manifest: `twins` maps id -> dict(env=..., start=..., restart=..., args=...)."""
        lines = ["[main]", "interpreter = %s" % toml_value(PYTHON), ""]
        for twin_id, spec in twins.items():
            spec = dict(spec)
            spec.setdefault("interpreter", PYTHON)
            env = dict(spec.pop("env", {}))
            env.setdefault("FAKE_PID_DIR", self.pid_dir)
            spec["env"] = env
            lines.append("[twins.%s]" % twin_id)
            lines.extend("%s = %s" % (k, toml_value(v)) for k, v in spec.items())
            lines.append("")
        supervisor.setdefault("shutdown_grace", 0.5)
        lines.append("[supervisor]")
        lines.extend("%s = %s" % (k, toml_value(v)) for k, v in supervisor.items())
        path = os.path.join(self.tmp, "cpy2py.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def command(self, main_args, extra=()):
        return [BINARY, "--manifest", os.path.join(self.tmp, "cpy2py.toml")] + list(extra) + \
               [CTL_MAIN] + list(main_args)

    def environment(self, env=None):
        full = dict(os.environ)
        full.pop("CPY2PY_DEBUG", None)
        full["CPY2PY_TWIN_SCRIPT"] = FAKE_TWIN
        full["PYTHONDONTWRITEBYTECODE"] = "1"
        full.update(env or {})
        return full

    def run_app(self, main_args, extra=(), env=None, timeout=TIMEOUT):
        """Runs the application to its end; returns the CompletedProcess (text)."""
        started = time.time()
        result = subprocess.run(self.command(main_args, extra), cwd=self.tmp, env=self.environment(env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=timeout)
        result.elapsed = time.time() - started
        return result

    def start_app(self, main_args, extra=(), env=None):
        """Starts the application in the background; stdout is a pipe, stderr a file."""
        self.stderr_path = os.path.join(self.tmp, "stderr.txt")
        stderr = open(self.stderr_path, "w")
        self.addCleanup(stderr.close)
        proc = subprocess.Popen(self.command(main_args, extra), cwd=self.tmp, env=self.environment(env),
                                stdout=subprocess.PIPE, stderr=stderr, universal_newlines=True)
        self.addCleanup(self.reap, proc)
        return proc

    def reap(self, proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def read_until(self, proc, prefix, timeout=30):
        """Reads proc's stdout lines until one starts with `prefix`; returns it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                self.fail("EOF before a line starting with %r" % prefix)
            if line.startswith(prefix):
                return line.rstrip("\n")
        self.fail("no line starting with %r" % prefix)

    # -- looking at the results -------------------------------------------------------
    def starts(self, twin_id):
        """pids of every process that ran twin `twin_id` (from the pid files)."""
        return [int(n.split(".")[-1]) for n in os.listdir(self.pid_dir) if n.startswith(twin_id + ".")]

    def twin_children(self, twin_id):
        pids = []
        for name in os.listdir(self.pid_dir):
            if name.startswith(twin_id + "."):
                with open(os.path.join(self.pid_dir, name)) as f:
                    content = f.read().strip()
                if content:
                    pids.append(int(content))
        return pids

    def answers(self, stdout):
        """The answer lines ctl_main printed, without their timing: ["UP a 12", ...]."""
        return [line.split(" ", 2)[2] for line in stdout.splitlines() if line.startswith("ANSWER ")]

    def run_dir(self, stdout):
        match = re.search(r"^INFO (\S+) ", stdout, re.M)
        self.assertIsNotNone(match, stdout)
        return match.group(1)
