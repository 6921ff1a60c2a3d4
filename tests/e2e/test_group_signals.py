"""A signal sent to cpy2py-run's whole process group (kill -TERM -PGID, systemd stopping a
service, a test harness's os.killpg) reaches the main once, not once directly and once more
forwarded: the main reports the signals it caught through its signal wakeup fd and
cpy2py-run forwards only the others. A signal sent to cpy2py-run alone is still forwarded.
Real mains (python3, 2.7, PyPy) with a real twin; several rounds each, since the order in
which the two copies arrive varies."""
import os
import signal
import subprocess
import unittest

from first_day_support import interpreter

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "helpers", "group_signal_app.py")
ROUNDS = 4
TIMEOUT = 90


class GroupSignalTest(unittest.TestCase):
    def run_app(self, main, args, sig, to_group=True):
        """Starts the app in a session of its own, sends `sig` once it is ready; returns
        (exit status, stdout after 'ready', stderr)"""
        main_path = interpreter(self, main)
        proc = subprocess.Popen(
            [BINARY, "--main-interpreter", main_path, "--twin", "tw=python3", APP] + args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
            start_new_session=True)
        try:
            first = proc.stdout.readline()
            self.assertEqual(first, "ready\n", proc.stderr.read() if not first else first)
            if to_group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return proc.returncode, out, err

    def check_handler_runs_once(self, main, to_group=True):
        for round_ in range(ROUNDS):
            status, out, err = self.run_app(main, ["handler", "SIGTERM"], signal.SIGTERM, to_group)
            where = "%s main, round %d" % (main, round_ + 1)
            self.assertEqual((status, out), (0, "hits 1\n"), "%s\n%s" % (where, err))

    def test_a_group_sigterm_runs_the_handler_once(self):
        self.check_handler_runs_once("python3")

    def test_a_group_sigterm_runs_the_handler_once_python27(self):
        self.check_handler_runs_once("python2.7")

    def test_a_group_sigterm_runs_the_handler_once_pypy(self):
        self.check_handler_runs_once("pypy3")

    def test_a_sigterm_to_cpy2py_run_alone_is_still_forwarded(self):
        self.check_handler_runs_once("python3", to_group=False)

    def test_a_group_sigint_is_one_keyboard_interrupt(self):
        for round_ in range(ROUNDS):
            status, out, err = self.run_app("python3", ["interrupt"], signal.SIGINT)
            self.assertEqual((status, out), (0, "cleaned up\n"), "round %d\n%s" % (round_ + 1, err))

    def test_the_programs_own_wakeup_fd_is_left_alone(self):
        status, out, err = self.run_app("python3", ["own-wakeup-fd"], signal.SIGUSR1, to_group=False)
        self.assertEqual((status, out), (0, "own wakeup fd kept\n"), err)


if __name__ == "__main__":
    unittest.main()
