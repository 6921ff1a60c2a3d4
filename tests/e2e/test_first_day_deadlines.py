"""Issue 10, point 8: bounding and cancelling twin calls

``with cpy2py.deadline(seconds):`` bounds every call the thread makes inside it (proxies
too; nested deadlines take the earliest): the caller gets ``cpy2py.CallTimeout`` (a
TimeoutError on Python 3), the twin interrupts the running call, a late reply is dropped
and the connection stays usable. ``Future.cancel()`` of ``submit()`` works on pending and
running calls, and a cancelled asyncio task awaiting ``wrap_future(submit(...))`` cancels
the twin call. No timing is asserted: only what happened, in order.
"""
import json
import os
import signal
import subprocess
import unittest

from first_day_support import APPS, BINARY, MAIN, TWINS, FirstDayTestCase, app_env, run

TIMEOUT_CLASSES = ("CallTimeout", "TimeoutError")

#: known PyPy bug (see tests/python/test_first_day.py): PyPy 3.9 aborts the twin when the
#: asynchronous CallCancelled that interrupts a request lands in a garbage-collector callback.
#: Session 3 saw it here as state polls that never showed the interruption (most likely the
#: polls then reached a restarted twin); seen under full-suite load only. The e2e deadline
#: cases run their PyPy variants only when CPY2PY_TEST_PYPY_DEADLINES=1.
PYPY_KNOWN_BUG = ("known PyPy bug: the interrupt of a running request can abort a PyPy twin when it lands "
                  "in a garbage-collector callback (rare, under load); set CPY2PY_TEST_PYPY_DEADLINES=1 to run it")


def twins_to_try():
    if os.environ.get("CPY2PY_TEST_PYPY_DEADLINES") == "1":
        return TWINS
    return [name for name in TWINS if name != "pypy3"]


class DeadlineTestCase(FirstDayTestCase):
    def steps(self, case, twin_name, main=None):
        result = run(["deadline_app.py", case], {"twin": self.twin(twin_name)}, main=main)
        self.assertOk(result)
        self.assertIn("DONE", result.stdout)
        steps = {}
        for line in result.lines("STEP"):
            name, _, value = line.partition(" ")
            steps[name] = json.loads(value)
        steps["_result"] = str(result)
        return steps

    def assertTimedOut(self, outcome, main_is_py3=True):
        self.assertEqual(outcome[0], "error", outcome)
        self.assertIn("CallTimeout", outcome[1])
        if main_is_py3:
            self.assertIn("TimeoutError", outcome[1])

    def assertInterrupted(self, state):
        self.assertTrue(state and state.startswith("interrupted"), state)


class DeadlineTest(DeadlineTestCase):
    def test_pypy_variants(self):
        """Says, in the test output, that the PyPy variants are not run by default"""
        if "pypy3" not in twins_to_try():
            self.skipTest(PYPY_KNOWN_BUG)

    def test_execute(self):
        for name in twins_to_try():
            with self.subTest(twin=name):
                steps = self.steps("execute", name)
                self.assertTimedOut(steps["timeout"])
                self.assertInterrupted(steps["interrupted"])
                self.assertEqual(steps["usable"], "still usable")
                self.assertEqual(steps["in_time"], ["ok", 5])

    def test_proxy_method(self):
        for name in twins_to_try():
            with self.subTest(twin=name):
                steps = self.steps("proxy", name)
                self.assertTimedOut(steps["timeout"])
                self.assertInterrupted(steps["interrupted"])
                self.assertEqual(steps["usable"], "proxy usable")

    def test_nested_deadlines_take_the_earliest(self):
        steps = self.steps("nested", "python3")
        self.assertTimedOut(steps["inner_earlier"])
        self.assertInterrupted(steps["inner_interrupted"])
        self.assertTimedOut(steps["outer_earlier"])
        self.assertInterrupted(steps["outer_interrupted"])
        self.assertEqual(steps["after_the_block"], ["ok", "unbounded again"])

    def test_late_reply_is_dropped(self):
        for name in twins_to_try():
            with self.subTest(twin=name):
                steps = self.steps("late_reply", name)
                self.assertTimedOut(steps["timeout"])
                self.assertEqual(steps["next"], "mine")
                self.assertEqual(steps["usable"], "usable")

    def test_large_argument_to_a_stopped_twin_every_main(self):
        """The deadline bounds the sending of a request the twin does not read (a CPython,
        PyPy and Python 2.7 main; the twin is stopped with SIGSTOP)"""
        for main_name in TWINS:
            with self.subTest(main=main_name):
                steps = self.steps("stopped", "python3", main=self.twin(main_name))
                py3 = main_name != "python2.7"
                self.assertTimedOut(steps["timeout"], main_is_py3=py3)
                self.assertTimedOut(steps["not_sent"], main_is_py3=py3)
                self.assertIn("could not even be sent", steps["not_sent"][2])
                self.assertEqual(steps["usable"], 64 << 20)

    def test_first_connection_to_a_stopped_twin(self):
        """The main thread's first call: the deadline bounds the handshake of its connection"""
        steps = self.steps("stopped_first", "python3")
        self.assertTimedOut(steps["timeout"])
        self.assertIn("did not answer a new connection", steps["timeout"][2])
        self.assertEqual(steps["usable"], "usable")

    def test_python27_main(self):
        steps = self.steps("execute", "python3", main=self.twin("python2.7"))
        self.assertTimedOut(steps["timeout"], main_is_py3=False)
        self.assertInterrupted(steps["interrupted"])
        self.assertEqual(steps["usable"], "still usable")


class CancelTest(DeadlineTestCase):
    def test_cancel_running_call(self):
        for name in twins_to_try():
            with self.subTest(twin=name):
                steps = self.steps("cancel_running", name)
                self.assertEqual(steps["running"], "running")
                self.assertIs(steps["cancel"], True)
                self.assertIs(steps["cancelled"], True)
                self.assertEqual(steps["result"][0], "error")
                self.assertIn("CancelledError", steps["result"][1])
                self.assertInterrupted(steps["interrupted"])
                self.assertEqual(steps["usable"], "usable")

    def test_cancel_at_once(self):
        steps = self.steps("cancel_at_once", "python3")
        self.assertIs(steps["cancel"], True)
        self.assertIs(steps["cancelled"], True)
        self.assertIn("CancelledError", steps["result"][1])
        self.assertTrue(steps["state"] is None or steps["state"].startswith("interrupted"), steps["state"])
        self.assertEqual(steps["usable"], "usable")

    def test_cancelled_asyncio_task_cancels_the_twin_call(self):
        for name in twins_to_try():
            with self.subTest(twin=name):
                steps = self.steps("asyncio", name)
                self.assertEqual(steps["task"], "cancelled")
                self.assertInterrupted(steps["interrupted"])
                self.assertEqual(steps["usable"], "usable")

    def test_ctrl_c_ends_an_asyncio_main_waiting_for_a_twin(self):
        command = [BINARY, "--no-manifest", "--main-interpreter", MAIN, "--twin", "twin=" + self.twin("python3"),
                   "deadline_app.py", "asyncio_interrupt"]
        process = subprocess.Popen(command, cwd=APPS, env=app_env(self.twin("python3")),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        try:
            line = process.stdout.readline()
            self.assertTrue(line.startswith("STEP waiting"), line)
            process.send_signal(signal.SIGINT)  # forwarded to the main, like a kill -INT
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        self.assertIn("keyboard_interrupt", out, err)


if __name__ == "__main__":
    unittest.main()
