"""Supervisor: errors that are not bugs never say "internal error". An unusable TMPDIR
(missing, too long for socket paths, out of inodes) is exit 73 with one clear line naming
TMPDIR and what helps, before anything is spawned; a failed twin start that a START waits
for is reported once (to the requester), not also as a supervisor error."""
import os
import resource
import shutil
import subprocess
import unittest

from supervisor_support import SupervisorTestCase

EX_CANTCREAT = 73


class TmpdirTest(SupervisorTestCase):
    def run_with_tmpdir(self, tmpdir, twins=None, wrap=()):
        self.manifest(twins or {"tw": {"start": "lazy"}})
        command = list(wrap) + self.command(["start", "tw"])
        return subprocess.run(command, cwd=self.tmp, env=self.environment({"TMPDIR": tmpdir}),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=60)

    def assert_clear_error(self, result, *phrases):
        self.assertEqual(result.returncode, EX_CANTCREAT, result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)  # one line, no doubled prefix, no traceback
        self.assertTrue(lines[0].startswith("cpy2py-run: error: "), lines[0])
        self.assertNotIn("cpy2py-run: error: cpy2py-run:", lines[0])
        self.assertNotIn("internal error", lines[0])
        for phrase in phrases:
            self.assertIn(phrase, lines[0])
        self.assertEqual(os.listdir(self.pid_dir), [])  # nothing was spawned
        self.assertEqual(result.stdout, "")             # not even the main

    def test_missing_tmpdir(self):
        missing = os.path.join(self.tmp, "missing")
        result = self.run_with_tmpdir(missing)
        self.assert_clear_error(result, "TMPDIR=" + missing, "does not exist")

    def test_tmpdir_too_long_for_a_socket_path(self):
        deep = self.tmp
        while len(deep) < 95:
            deep = os.path.join(deep, "deeper")
        os.makedirs(deep)
        result = self.run_with_tmpdir(deep)
        self.assert_clear_error(result, "TMPDIR=" + deep + " is too long", "AF_UNIX")
        self.assertEqual(os.listdir(deep), [])

    def test_the_longest_twin_id_counts(self):
        deep = self.tmp
        while len(deep) < 40:
            deep = os.path.join(deep, "d")
        os.makedirs(deep)
        result = self.run_with_tmpdir(deep, {"x" * 64: {"start": "lazy"}})
        self.assert_clear_error(result, "is too long", "x" * 64 + ".sock")

    def tmpfs(self, options):
        """A command prefix that runs the rest with a fresh tmpfs on self.tmp/mnt (root only)."""
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("mounting a tmpfs needs root and unshare (util-linux)")
        mnt = os.path.join(self.tmp, "mnt")
        os.mkdir(mnt)
        probe = subprocess.run(["unshare", "-m", "mount", "-t", "tmpfs", "-o", options, "none", mnt],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if probe.returncode != 0:
            self.skipTest("cannot mount a tmpfs here: %s" % probe.stdout.decode().strip())
        return mnt, ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o "$0" none "$1" && shift && exec "$@"',
                     options, mnt]

    def test_tmpdir_out_of_inodes(self):
        for inodes in ("1", "2"):  # no inode for the run directory; none for a socket in it
            mnt, wrap = self.tmpfs("size=1m,nr_inodes=" + inodes)
            result = self.run_with_tmpdir(mnt, wrap=wrap)
            self.assert_clear_error(result, "TMPDIR=" + mnt, "no space or no inodes left")
            os.rmdir(mnt)


class SpawnFailureTest(SupervisorTestCase):
    def test_too_few_descriptors_is_a_clear_error_and_leaves_nothing(self):
        self.manifest({"tw": {"start": "eager"}})
        tmpdir = os.path.join(self.tmp, "runs")
        os.mkdir(tmpdir)
        seen = set()
        for limit in range(4, 24):
            def low_limit(limit=limit):
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
            result = subprocess.run(self.command(["exit", "0"]), cwd=self.tmp,
                                    env=self.environment({"TMPDIR": tmpdir}), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, universal_newlines=True, timeout=60,
                                    preexec_fn=low_limit)
            what = "ulimit -n %d: status %d: %s" % (limit, result.returncode, result.stderr)
            self.assertIn(result.returncode, (0, 71, 126), what)  # 71: cpy2py-run itself; 126: the main
            self.assertNotIn("internal error", result.stderr, what)
            self.assertNotIn("Traceback", result.stderr, what)
            self.assertNotIn("[system:", result.stderr, what)  # a library's internals, not a message
            self.assertNotIn("interrupter", result.stderr, what)
            self.assertEqual(os.listdir(tmpdir), [], what)
            seen.add(result.returncode)
        self.assertEqual(seen, {0, 71, 126})

    def test_a_start_failure_a_requester_reports_is_not_logged_again(self):
        self.manifest({"tw": {"start": "lazy"}})
        for limit in range(10, 40):
            def low_limit(limit=limit):
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
            result = subprocess.run(self.command(["start", "tw"]), cwd=self.tmp, env=self.environment(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                                    timeout=60, preexec_fn=low_limit)
            answers = self.answers(result.stdout)
            if answers and "too many open files" in answers[0]:
                self.assertTrue(answers[0].startswith("ERROR tw twin 'tw'"), answers[0])
                self.assertNotIn("failed to start", result.stderr)  # the requester reports it
                return
        self.skipTest("no descriptor limit let the main start and the twin fail")

    def test_an_eager_twin_out_of_descriptors_names_the_limit(self):
        self.manifest({"tw": {"start": "eager"}})
        for limit in range(10, 40):
            def low_limit(limit=limit):
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, 1024))
            result = subprocess.run(self.command(["exit", "0"]), cwd=self.tmp, env=self.environment(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                                    timeout=60, preexec_fn=low_limit)
            if "cannot start the main program" in result.stderr:
                continue
            if "twin 'tw'" in result.stderr and "too many open files" in result.stderr:
                self.assertIn("the limit is %d (`ulimit -n`); raise it, e.g. `ulimit -n 1024`" % limit,
                              result.stderr)
                self.assertNotIn("Too many open files", result.stderr)
                self.assertEqual(result.returncode, 0, result.stderr)  # as any eager twin that fails
                return
        self.skipTest("no descriptor limit let the main start and the twin fail")


class NotPythonTest(SupervisorTestCase):
    """A twin interpreter that ends before READY without a word on stderr (/bin/true, a shell
    script) is most likely not Python: the error asks (before: only "exit code 0")"""

    def test_a_quiet_early_exit_asks_whether_it_is_python(self):
        script = os.path.join(self.tmp, "not-python.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho not python\n")
        os.chmod(script, 0o755)
        for program in (shutil.which("true"), script):
            self.manifest({"tw": {"start": "lazy", "interpreter": program}})
            result = self.run_app(["start", "tw"])
            answers = self.answers(result.stdout)
            self.assertTrue(answers and answers[0].startswith("ERROR tw "), result.stdout + result.stderr)
            self.assertIn("exit code 0 before it was ready", answers[0])
            self.assertIn("is %s a Python interpreter?" % program, answers[0])

    def test_arguments_that_stop_it_are_suspected_too(self):
        self.manifest({"tw": {"start": "lazy", "args": ["-c", "pass"]}})
        result = self.run_app(["start", "tw"])
        answers = self.answers(result.stdout)
        self.assertTrue(answers and answers[0].startswith("ERROR tw "), result.stdout + result.stderr)
        self.assertIn("and do its arguments (-c pass) let it run ", answers[0])

    def test_a_python_that_says_why_is_not_suspected(self):
        self.manifest({"tw": {"start": "lazy", "env": {"FAKE_STDERR": "ImportError: no cpy2py\\n",
                                                      "FAKE_EXIT_BEFORE_READY": "1"}}})
        result = self.run_app(["start", "tw"])
        answers = self.answers(result.stdout)
        self.assertTrue(answers and answers[0].startswith("ERROR tw "), result.stdout + result.stderr)
        self.assertIn("ImportError: no cpy2py", answers[0])
        self.assertNotIn("a Python interpreter?", answers[0])


class RefusedControlLineTest(SupervisorTestCase):
    """START or STOP for an id that is not valid is answered ERROR for that id (it is never
    waited for in vain) and acts on nothing"""

    def test_invalid_ids_are_answered_and_start_nothing(self):
        self.manifest({"tw": {"start": "lazy"}})
        long_id = "x" * 65
        result = self.run_app(["start", "bad/id", "start", "\u00e9", "stop", long_id,
                               "start", "tw", "start", "bad/id", "python3"])
        self.assertEqual(result.returncode, 0, result.stderr)
        rule = "a twin id is 1-64 characters from A-Z a-z 0-9 _ . + -"
        answers = self.answers(result.stdout)
        self.assertEqual(answers[0], "ERROR bad/id invalid twin id 'bad/id': " + rule)
        self.assertEqual(answers[1], "ERROR \u00e9 invalid twin id '\u00e9': " + rule)
        self.assertEqual(answers[2], "ERROR %s invalid twin id '%s': %s" % (long_id, long_id, rule))
        self.assertTrue(answers[3].startswith("UP tw "), answers[3])
        self.assertEqual(answers[4], "ERROR bad/id invalid twin id 'bad/id': " + rule)
        self.assertEqual(len(self.starts("tw")), 1)


if __name__ == "__main__":
    unittest.main()
