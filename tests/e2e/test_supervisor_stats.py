"""Supervisor: --stats / CPY2PY_STATS=1 (docs/DESIGN.md, "Call statistics"). Every Python
process sends one STATS line before it exits (the fake twin and main stand in for the
runtime); the supervisor merges them per target twin and prints calls, errors, p50/p99,
bytes and restarts at exit, also for twins that got no calls."""
import json
import re
import unittest

from supervisor_support import SupervisorTestCase

FROM_MAIN = {"id": "main", "calls": {"a": {"calls": 3, "errors": 1, "bytes_out": 300, "bytes_in": 30,
                                           "hist": {"16": 1, "64": 1, "1024": 1}}}}
FROM_A = {"id": "a", "calls": {"main": {"calls": 2, "errors": 0, "bytes_out": 7, "bytes_in": 9,
                                        "hist": {"8": 2}}}}
FROM_C = {"id": "c", "calls": {"a": {"calls": 1, "errors": 0, "bytes_out": 10, "bytes_in": 5, "hist": {"64": 1}}}}


class StatsTest(SupervisorTestCase):
    def run_stats(self, extra=(), env=None):
        self.manifest({"a": {"start": "eager", "env": {"FAKE_STATS": json.dumps(FROM_A)}},
                       "b": {"start": "lazy"},
                       "c": {"start": "eager", "restart": "on-failure",
                             "env": {"FAKE_STATS": json.dumps(FROM_C), "FAKE_EXIT_AFTER": "0.05:1"}}},
                      restart_backoff_base=0.05, restart_backoff_cap=0.05, restart_max=2)
        return self.run_app(["wait-files", self.pid_dir, "c.", "3", "sleep", "0.5",
                             "stats", json.dumps(FROM_MAIN), "exit", "0"], extra=extra, env=env)

    def rows(self, stderr):
        lines = stderr.splitlines()
        header = [i for i, line in enumerate(lines) if line.startswith("twin ")]
        self.assertEqual(len(header), 1, stderr)
        self.assertEqual(lines[header[0]].split(),
                         ["twin", "calls", "errors", "p50", "p99", "bytes", "out", "bytes", "in", "restarts"])
        return {line.split()[0]: line.split()[1:] for line in lines[header[0] + 1:] if line.strip()}

    def test_the_table_merges_every_process_per_twin(self):
        result = self.run_stats(extra=["--stats"])
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = self.rows(result.stderr)
        # a: 3 calls from the main and one from each of the 3 processes that ran c.
        self.assertEqual(rows["a"], ["6", "1", "64", "1024", "330", "45", "0"])
        self.assertEqual(rows["b"], ["0", "0", "-", "-", "0", "0", "0"])   # never called, still listed
        self.assertEqual(rows["c"], ["0", "0", "-", "-", "0", "0", "2"])   # restarted twice, then given up
        self.assertEqual(rows["main"], ["2", "0", "8", "8", "7", "9", "-"])

    def test_the_environment_variable_does_the_same(self):
        result = self.run_stats(env={"CPY2PY_STATS": "1"})
        self.assertEqual(self.rows(result.stderr)["a"][0], "6")

    def test_nothing_without_it(self):
        result = self.run_stats()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("calls per twin", result.stderr)

    def test_a_malformed_line_is_reported_and_ignored(self):
        self.manifest({})
        result = self.run_app(["stats", "{not json", "stats", json.dumps(FROM_MAIN)], extra=["--stats"])
        self.assertIn("sent a STATS line that is not the documented JSON", result.stderr)
        self.assertEqual(self.rows(result.stderr)["a"][0], "3")


if __name__ == "__main__":
    unittest.main()
