"""Supervisor: twin output relayed line by line with the twin id as prefix, complete
(the last partial line too), never split inside a line; inherit and silent modes; the
main's own stdio untouched."""
import re
import unittest

from supervisor_support import SupervisorTestCase


class OutputTest(SupervisorTestCase):
    def test_lines_are_prefixed_and_nothing_is_lost(self):
        self.manifest({"tw": {"start": "eager",
                              "env": {"FAKE_STDOUT": "one\\ntwo\\npartial ", "FAKE_STDERR": "err1\\nerr2",
                                      "FAKE_ON_SHUTDOWN": "and the rest"}}})
        result = self.run_app(["start", "tw", "mark", "main-line"])
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout.splitlines()
        self.assertEqual([l for l in out if l.startswith("[tw]")],
                         ["[tw] one", "[tw] two", "[tw] partial and the rest"])
        self.assertIn("MARK main-line", out)  # the main's stdout is not prefixed
        self.assertEqual([l for l in result.stderr.splitlines() if l.startswith("[tw]")],
                         ["[tw] err1", "[tw] err2"])

    def test_last_words_of_a_crashing_twin_arrive(self):
        self.manifest({"tw": {"start": "eager", "env": {"FAKE_EXIT_AFTER": "0.05:1",
                                                        "FAKE_ON_EXIT": "dying words"}}})
        result = self.run_app(["wait-files", self.pid_dir, "tw.", "1", "sleep", "0.4"])
        self.assertIn("[tw] dying words\n", result.stdout)

    def test_many_lines_from_two_twins_stay_whole_and_in_order(self):
        count = 3000
        self.manifest({"a": {"start": "eager", "env": {"FAKE_LINES": str(count)}},
                       "b": {"start": "eager", "env": {"FAKE_LINES": str(count)}}})
        result = self.run_app(["start", "a", "start", "b"])
        self.assertEqual(result.returncode, 0, result.stderr)
        for stream, extra in ((result.stdout, ""), (result.stderr, "err ")):
            seen = {"a": [], "b": []}
            for line in stream.splitlines():
                m = re.match(r"^\[(a|b)\] " + extra + r"(a|b) line (\d+) (x+)$", line)
                if m is None:
                    self.assertFalse(line.startswith("["), "broken line: %r" % line[:80])
                    continue
                self.assertEqual(m.group(1), m.group(2))
                self.assertEqual(len(m.group(4)), 200)
                seen[m.group(1)].append(int(m.group(3)))
            self.assertEqual(seen["a"], list(range(count)))
            self.assertEqual(seen["b"], list(range(count)))

    def test_silent_drops_output_but_keeps_the_stderr_tail_for_errors(self):
        self.manifest({"quiet": {"env": {"FAKE_STDOUT": "noise\\n", "FAKE_STDERR": "the reason\\n",
                                         "FAKE_EXIT_BEFORE_READY": "2"}}})
        result = self.run_app(["start", "quiet"], extra=["--twin-output", "silent"])
        self.assertNotIn("[quiet]", result.stdout + result.stderr)
        self.assertNotIn("noise", result.stdout + result.stderr)
        self.assertIn("the reason", self.answers(result.stdout)[0])

    def test_inherit_passes_output_unprefixed(self):
        self.manifest({"raw": {"start": "eager", "env": {"FAKE_STDOUT": "plain out\\n",
                                                         "FAKE_STDERR": "plain err\\n"}}})
        result = self.run_app(["start", "raw"], extra=["--twin-output", "inherit"])
        self.assertIn("plain out\n", result.stdout)
        self.assertIn("plain err\n", result.stderr)
        self.assertNotIn("[raw]", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
