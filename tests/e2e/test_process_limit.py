"""Under `ulimit -u` a run ends, with a clear message and nothing left behind

The run goes as a user without processes to spare, with limits from "no fork at all" to
"a few threads short". Whatever cannot start, the run must end (before: a twin whose
promoter thread could not start parked a socket nobody armed again, and the main waited
for ever), name the limit, and show no traceback of the runtime's own frames (before: a
main that could not start its control thread or its first pool thread showed one), nor
spdlog's "LOG ERROR" in place of cpy2py-run's message (before: its writer thread could not
start). Needs root (to run as nobody); RLIMIT_NPROC counts every process of that user, so
the limits are relative to those it already has.
"""
import os
import pwd
import resource
import shutil
import subprocess
import tempfile
import unittest

from first_day_support import BINARY, app_env

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "helpers", "thread_limit", "two_twins.py")
PYTHON = "/usr/bin/python3"


def _nobody():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def _user_processes(uid):
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat("/proc/" + name).st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


@unittest.skipUnless(os.geteuid() == 0, "needs root to run as nobody under RLIMIT_NPROC (root ignores it)")
@unittest.skipUnless(_nobody() is not None, "needs a user 'nobody'")
@unittest.skipUnless(os.path.exists(PYTHON), "needs %s (readable by nobody)" % PYTHON)
class ProcessLimitTest(unittest.TestCase):
    def setUp(self):
        self.user = _nobody()
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-nproc-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        os.chmod(self.tmp, 0o777)
        bootstrap = os.environ.get("CPY2PY_BOOTSTRAP_DIR", "")
        for path in [BINARY, APP] + ([os.path.join(bootstrap, "cpy2py_twin.py")] if bootstrap else []):
            if not os.access(path, os.R_OK) or not _world_reachable(path):
                self.skipTest("%s is not readable by nobody" % path)

    def run_limited(self, extra):
        limit = _user_processes(self.user.pw_uid) + extra
        env = app_env()
        env.update(TMPDIR=self.tmp, HOME=self.tmp)
        command = [BINARY, "--no-manifest", "--main-interpreter", PYTHON, "--twin", "a=" + PYTHON,
                   "--twin", "b=" + PYTHON, APP]
        user = self.user

        def become_limited_nobody():
            resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        try:
            return subprocess.run(command, cwd=self.tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True, timeout=90, preexec_fn=become_limited_nobody)
        except subprocess.TimeoutExpired as err:
            self.fail("ulimit -u +%d: the run hung: %s" % (extra, err.stderr))

    def test_every_limit_ends_clearly(self):
        bootstrap = os.path.join("bootstrap", "cpy2py") + os.sep
        codes = []
        for extra in list(range(1, 24)) + [32, 48]:
            with self.subTest(extra=extra):
                result = self.run_limited(extra)
                codes.append(result.returncode)
                output = result.stdout + result.stderr
                if result.returncode == 0:
                    self.assertIn("SUM 56", result.stdout)
                else:
                    self.assertIn(result.returncode, (1, 71, 126), output)
                    self.assertTrue("ulimit -u" in output or "can't start new thread" in output, output)
                self.assertNotIn("LOG ERROR", output)
                frames = [line for line in output.splitlines() if "File " in line and bootstrap in line]
                self.assertEqual(frames, [], output)
                self.assertEqual(os.listdir(self.tmp), [], output)
                self.assertEqual(_user_processes(self.user.pw_uid), 0, output)
        self.assertEqual(codes[-1], 0, "with room for every thread the run works: %s" % codes)


def _world_reachable(path):
    """Whether other users may read ``path`` (and search every directory above it)"""
    path = os.path.abspath(path)
    if not os.stat(path).st_mode & 0o004:
        return False
    path = os.path.dirname(path)
    while path != "/":
        if not os.stat(path).st_mode & 0o001:
            return False
        path = os.path.dirname(path)
    return True


if __name__ == "__main__":
    unittest.main()
