"""Tracebacks of uncaught errors from twins show the user's frames, not the runtime's

A user's script dies from a twin that exited during a call (TwinterpreterTerminated) or that
raised ValueError. The traceback printed by the main names the user's own lines
(``make_the_call``, ``<module>``) and, for the remote error, the twin's line that raised it;
the frames of the runtime's proxies and kernel (bootstrap/cpy2py/...) are left out, in the
main's traceback and in the remote one.
"""
import unittest

from first_day_support import MODES, FirstDayTestCase, TWINS, run


class UserTracebackTest(FirstDayTestCase):
    def check_no_runtime_frames(self, stderr):
        self.assertIn('traceback_app.py", line', stderr)
        self.assertIn("in make_the_call", stderr)
        self.assertNotIn("cpy2py/kernel/", stderr)
        self.assertNotIn("cpy2py/proxy/", stderr)

    def test_twin_terminated(self):
        for name in TWINS:
            with self.subTest(twin=name):
                result = run(["traceback_app.py", "terminated"], {"twin": self.twin(name)})
                self.assertFailed(result)
                self.assertIn("TwinterpreterTerminated: twin 'twin' terminated: its process ended with exit code 3",
                              result.stderr)
                self.check_no_runtime_frames(result.stderr)

    def test_twin_ended_during_a_call_of_another_thread(self):
        for name in TWINS:
            with self.subTest(twin=name):
                result = run(["traceback_app.py", "thread"], {"twin": self.twin(name)})
                self.assertIn("THREAD GOT TwinterpreterTerminated: twin 'twin' terminated: its process ended "
                              "with exit code 3", result.stdout)

    def test_twin_killed(self):
        """The supervisor (cpy2py-run, or a standalone main itself) tells the calls how the
        twin ended: the error names the signal"""
        for name in TWINS:
            for mode in MODES:
                with self.subTest(twin=name, mode=mode):
                    result = run(["traceback_app.py", "killed"], {"twin": self.twin(name)}, mode=mode)
                    self.assertFailed(result)
                    self.assertIn("terminated: its process ended with signal 9 (SIGKILL)", result.stderr)

    def test_twin_terminated_standalone(self):
        for name in TWINS:
            with self.subTest(twin=name):
                result = run(["traceback_app.py", "terminated"], {"twin": self.twin(name)}, mode="standalone")
                self.assertFailed(result)
                self.assertIn("terminated: its process ended with exit code 3", result.stderr)

    def test_remote_error(self):
        for name in TWINS:
            with self.subTest(twin=name):
                result = run(["traceback_app.py", "remote"], {"twin": self.twin(name)})
                self.assertFailed(result)
                self.assertIn("ValueError: bad value from the twin", result.stderr)
                self.assertIn("in fail", result.stderr)  # the twin's own frame
                self.check_no_runtime_frames(result.stderr)


if __name__ == "__main__":
    unittest.main()
