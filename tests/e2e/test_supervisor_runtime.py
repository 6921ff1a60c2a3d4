"""Supervisor with the real Python runtime (bootstrap/): a twin crashing in the middle of a
call gives the caller a clear error, the policy restarts it, and new calls reach the fresh
process; a twin given up makes calls fail clearly instead of hanging."""
import os
import subprocess
import unittest

from supervisor_support import BINARY, PYTHON, SupervisorTestCase

APP = '''
import os, sys, time
from cpy2py import twinfunction

@twinfunction('tw')
def pid():
    return os.getpid()

@twinfunction('tw')
def die():
    os._exit(3)

if __name__ == '__main__':
    first = pid()
    try:
        die()
        print('NO ERROR')
    except Exception as err:
        print('CRASH %s' % type(err).__name__)
    deadline = time.time() + 20
    while True:
        try:
            second = pid()
            print('RESTARTED %s' % (second != first))
            break
        except Exception as err:
            if 'given up' in str(err) or time.time() > deadline:
                print('GAVE UP %s: %s' % (type(err).__name__, str(err).splitlines()[0]))
                break
            time.sleep(0.05)
'''

APP_OBJECTS = '''
import os, time
from cpy2py import TwinObject, TwinMaster, kernel_state
from cpy2py.kernel.exceptions import StaleProxy, TwinterpreterTerminated

MARKS = []

def mark(value):
    MARKS.append(value)  # runs in the twin

def marks():
    return list(MARKS)

class Worker(TwinObject):
    __twin_id__ = 'tw'
    def pid(self):
        return os.getpid()
    def die(self):
        os._exit(3)

if __name__ == '__main__':
    kernel_state.TWIN_GROUP_STATE.add_initializer(mark, 'init')
    master = TwinMaster('tw')
    worker = Worker()
    first = worker.pid()
    print('MARKS1 %s' % master.execute(marks))
    try:
        worker.die()
    except TwinterpreterTerminated as err:
        print('CRASH %s' % type(err).__name__)
    try:
        worker.pid()
        print('STALE NO')
    except StaleProxy as err:
        print('STALE YES %s' % err)
    deadline = time.time() + 20
    while True:
        try:
            second = Worker().pid()
            break
        except TwinterpreterTerminated:
            if time.time() > deadline:
                raise
            time.sleep(0.05)
    print('RESTARTED %s' % (second != first))
    print('MARKS2 %s' % master.execute(marks))
'''


class RuntimeTest(SupervisorTestCase):
    def run_real(self, restart, app_text=APP, **supervisor):
        app = os.path.join(self.tmp, "app.py")
        with open(app, "w") as f:
            f.write(app_text)
        lines = ["[main]", 'interpreter = "%s"' % PYTHON, "[twins.tw]", 'interpreter = "%s"' % PYTHON,
                 'restart = "%s"' % restart, "[supervisor]", "restart_backoff_base = 0.05"]
        lines += ["%s = %s" % item for item in supervisor.items()]
        with open(os.path.join(self.tmp, "cpy2py.toml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ)
        env.pop("CPY2PY_TWIN_SCRIPT", None)
        env.pop("CPY2PY_DEBUG", None)
        return subprocess.run([BINARY, "app.py"], cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=120)

    def test_crash_mid_call_then_restart_and_new_calls_work(self):
        result = self.run_real("on-failure")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("CRASH ", result.stdout)
        self.assertNotIn("NO ERROR", result.stdout)
        self.assertIn("RESTARTED True", result.stdout, result.stderr)
        self.assertIn("restarting twin 'tw'", result.stderr)

    def test_proxies_of_a_dead_twin_are_stale_and_initializers_run_again(self):
        result = self.run_real("on-failure", app_text=APP_OBJECTS)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("MARKS1 ['init']", result.stdout, result.stderr)
        self.assertIn("CRASH TwinterpreterTerminated", result.stdout)
        self.assertIn("STALE YES", result.stdout, result.stderr)
        self.assertIn("RESTARTED True", result.stdout, result.stderr)
        # the new twin process ran the group's initializer again, and only once
        self.assertIn("MARKS2 ['init']", result.stdout, result.stderr)

    def test_given_up_twin_fails_calls_clearly(self):
        result = self.run_real("on-failure", restart_max=0)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("CRASH ", result.stdout)
        self.assertIn("GAVE UP", result.stdout, result.stderr)
        self.assertRegex(result.stdout, r"GAVE UP \w+: .*given up")


if __name__ == "__main__":
    unittest.main()
