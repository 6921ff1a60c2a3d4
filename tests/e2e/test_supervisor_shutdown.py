"""Supervisor: the shutdown cascade (SHUTDOWN, SIGTERM after the grace, SIGKILL after
another), STOP of a stubborn twin, the main's exit status passed through (128+N for a
signal), the run directory removed in every case."""
import os
import re
import signal
import time
import unittest

from supervisor_support import SupervisorTestCase, alive, wait_until


class ShutdownTest(SupervisorTestCase):
    def test_polite_twins_exit_on_shutdown_without_signals(self):
        self.manifest({"a": {"start": "eager"}, "b": {"start": "eager"}}, shutdown_grace=5)
        result = self.run_app(["info", "start", "a", "start", "b", "exit", "0"], extra=["--log-level", "info"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertLess(result.elapsed, 4)  # far below the 5 s grace: SHUTDOWN sufficed
        self.assertNotIn("SIGTERM", result.stderr)
        self.assertFalse(os.path.exists(self.run_dir(result.stdout)))

    def test_twin_ignoring_shutdown_gets_sigterm_after_the_grace(self):
        self.manifest({"deaf": {"start": "eager", "env": {"FAKE_IGNORE_SHUTDOWN": "1"}}}, shutdown_grace=0.5)
        result = self.run_app(["start", "deaf"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("sending SIGTERM", result.stderr)
        self.assertNotIn("sending SIGKILL", result.stderr)
        self.assertGreaterEqual(result.elapsed, 0.45)

    def test_twin_ignoring_shutdown_and_sigterm_gets_sigkill_with_its_children(self):
        self.manifest({"stubborn": {"start": "eager", "env": {"FAKE_IGNORE_SHUTDOWN": "1", "FAKE_IGNORE_TERM": "1",
                                                              "FAKE_IGNORE_EOF": "1", "FAKE_CHILD": "1"}}},
                      shutdown_grace=0.5)
        result = self.run_app(["info", "start", "stubborn"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("sending SIGTERM", result.stderr)
        self.assertIn("sending SIGKILL", result.stderr)
        self.assertGreaterEqual(result.elapsed, 0.95)
        self.assertLess(result.elapsed, 10)
        for pid in self.starts("stubborn") + self.twin_children("stubborn"):
            self.assertFalse(alive(pid), pid)
        self.assertFalse(os.path.exists(self.run_dir(result.stdout)))

    def test_signals_during_shutdown_skip_the_grace_periods(self):
        """The main ended, a twin ignores SHUTDOWN and SIGTERM, the grace is long: each
        SIGTERM (or Ctrl-C) sent to cpy2py-run meanwhile moves it to the next step at once
        (before: ignored, the run took both grace periods whatever one did)"""
        self.manifest({"stubborn": {"start": "eager", "env": {"FAKE_IGNORE_SHUTDOWN": "1", "FAKE_IGNORE_TERM": "1",
                                                              "FAKE_IGNORE_EOF": "1", "FAKE_CHILD": "1"}}},
                      shutdown_grace=600)
        proc = self.start_app(["info", "start", "stubborn", "exit", "3"], extra=["--log-level", "info"])
        self.read_until(proc, "INFO ")

        def stderr_has(text):
            with open(self.stderr_path) as f:
                return text in f.read()
        self.assertTrue(wait_until(lambda: stderr_has("main (pid"), 60), "the main did not end")
        for _ in range(2):
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.2)
        # (a guard against a hang, not a measure: without the signals this takes 20 minutes)
        self.assertEqual(proc.wait(timeout=60), 3)
        with open(self.stderr_path) as f:
            err = f.read()
        self.assertIn("SIGTERM during shutdown", err)
        self.assertIn("sending SIGKILL", err)
        for pid in self.starts("stubborn") + self.twin_children("stubborn"):
            self.assertFalse(alive(pid), pid)

    def test_stop_of_a_stubborn_twin_answers_down_after_the_cascade(self):
        self.manifest({"stubborn": {"env": {"FAKE_IGNORE_SHUTDOWN": "1", "FAKE_IGNORE_TERM": "1"}}},
                      shutdown_grace=0.3)
        result = self.run_app(["start", "stubborn", "stop", "stubborn"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.answers(result.stdout)[1], "DOWN stubborn")
        ms = int(re.findall(r"^ANSWER (\d+) ", result.stdout, re.M)[1])
        self.assertGreaterEqual(ms, 550)
        self.assertFalse(alive(self.starts("stubborn")[0]))

    def test_exit_code_passes_through(self):
        self.manifest({"tw": {"start": "eager"}})
        result = self.run_app(["info", "exit", "7"])
        self.assertEqual(result.returncode, 7)
        self.assertFalse(os.path.exists(self.run_dir(result.stdout)))

    def test_death_by_signal_gives_128_plus_n(self):
        self.manifest({"tw": {"start": "eager"}})
        for sig, status in (("TERM", 143), ("SEGV", 139), ("KILL", 137)):
            result = self.run_app(["info", "kill-self", sig])
            self.assertEqual(result.returncode, status, sig)
            self.assertFalse(os.path.exists(self.run_dir(result.stdout)))


if __name__ == "__main__":
    unittest.main()
