"""Supervisor: restart policies never / on-failure / always, exponential backoff, give-up
after max restarts within the window, START while restarting."""
import re
import unittest

from supervisor_support import SupervisorTestCase

FAST = dict(restart_backoff_base=0.05, restart_backoff_cap=0.2, restart_max=3, restart_window=60)


class RestartTest(SupervisorTestCase):
    def test_on_failure_restarts_with_backoff_then_gives_up(self):
        self.manifest({"crashy": {"start": "eager", "restart": "on-failure",
                                  "env": {"FAKE_EXIT_AFTER": "0.05:3"}}}, **FAST)
        result = self.run_app(["wait-files", self.pid_dir, "crashy.", "4", "sleep", "1", "start", "crashy"],
                              extra=["--log-level", "info"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(set(self.starts("crashy"))), 4)  # first run + 3 restarts, fresh processes
        delays = [int(ms) for ms in re.findall(r"restarting twin 'crashy' in (\d+) ms", result.stderr)]
        self.assertEqual(delays, [50, 100, 200])
        self.assertIn("exit code 3", result.stderr)
        self.assertRegex(result.stderr, r"error: twin 'crashy' was given up after 3 restarts")
        answers = self.answers(result.stdout)
        self.assertEqual(len(answers), 1)
        self.assertTrue(answers[0].startswith("ERROR crashy twin 'crashy' was given up"), answers)
        # each death of the ready twin was also told to the main, as a notice, not an answer
        self.assertEqual(result.stdout.count("NOTICE EXITED crashy exit code 3"), 4, result.stdout)

    def test_on_failure_leaves_a_clean_exit_down_and_start_runs_it_again(self):
        self.manifest({"done": {"start": "eager", "restart": "on-failure",
                                "env": {"FAKE_EXIT_AFTER": "0.05:0"}}}, **FAST)
        result = self.run_app(["wait-files", self.pid_dir, "done.", "1", "sleep", "0.4", "start", "done"])
        self.assertEqual(result.returncode, 0, result.stderr)
        pids = self.starts("done")
        self.assertEqual(len(pids), 2)  # no restart; the explicit START started the second
        self.assertRegex(self.answers(result.stdout)[0], r"^UP done \d+$")

    def test_always_restarts_clean_exits(self):
        self.manifest({"loop": {"start": "eager", "restart": "always",
                                "env": {"FAKE_EXIT_AFTER": "0.05:0"}}}, **FAST)
        result = self.run_app(["wait-files", self.pid_dir, "loop.", "3", "exit", "0"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertGreaterEqual(len(self.starts("loop")), 3)

    def test_never_does_not_restart(self):
        self.manifest({"once": {"start": "eager", "restart": "never",
                                "env": {"FAKE_EXIT_AFTER": "0.05:9"}}}, **FAST)
        result = self.run_app(["wait-files", self.pid_dir, "once.", "1", "sleep", "0.5"],
                              extra=["--log-level", "info"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(self.starts("once")), 1)
        self.assertIn("twin 'once'", result.stderr)
        self.assertIn("exited with exit code 9", result.stderr)
        self.assertNotIn("restarting", result.stderr)

    def test_start_during_backoff_is_answered_by_the_restarted_process(self):
        self.manifest({"flaky": {"restart": "on-failure", "env": {"FAKE_EXIT_AFTER": "0.1:1"}}},
                      restart_backoff_base=1.5, restart_backoff_cap=2, restart_max=5, restart_window=60)
        result = self.run_app(["start", "flaky", "sleep", "0.6", "start", "flaky"])
        self.assertEqual(result.returncode, 0, result.stderr)
        answers = self.answers(result.stdout)
        first, second = int(answers[0].split()[2]), int(answers[1].split()[2])
        self.assertNotEqual(first, second)
        waited = int(re.findall(r"^ANSWER (\d+) ", result.stdout, re.M)[1])
        self.assertGreaterEqual(waited, 300)  # answered only once the new process was ready


if __name__ == "__main__":
    unittest.main()
