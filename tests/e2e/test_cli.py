"""End-to-end tests of the cpy2py-run command line, through the real binary and real python3.

Covers what the launcher promises on its own (no twins are started here): pass-through of
argv, exit status, signals, stdin, stdout/stderr, cwd and environment; the -m and -c forms;
every error exit (2 usage, 78 bad manifest, 127 interpreter/venv not found); --check,
--version and --help. Runs with the stdlib only: `python3 -m unittest -v test_cli`, with
CPY2PY_RUN_BINARY naming the binary (set by CTest).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
SOURCE_DIR = os.environ.get(
    "CPY2PY_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
DATA_DIR = os.path.join(SOURCE_DIR, "tests", "data")
TIMEOUT = 120


def interpreter_works(name):
    """True when `name` is on PATH and actually runs (pyenv shims may exist but refuse)."""
    path = shutil.which(name)
    if not path:
        return False
    try:
        return subprocess.run([path, "-c", "pass"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class CliTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text, mode=None):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        if mode is not None:
            os.chmod(path, mode)
        return path

    def run_cli(self, *args, cwd=None, env=None, input=None):
        """Runs cpy2py-run with `args` (in the scratch dir by default) and returns the result."""
        full_env = dict(os.environ)
        full_env.pop("CPY2PY_DEBUG", None)
        full_env.update(env or {})
        return subprocess.run([BINARY] + list(args), cwd=cwd or self.tmp, env=full_env,
                              input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT)

    def assertStatus(self, result, status):
        self.assertEqual(result.returncode, status,
                         "exit status %d, expected %d\nstdout: %s\nstderr: %s"
                         % (result.returncode, status, result.stdout, result.stderr))

    def marker_script(self):
        """A script that leaves a marker file when it runs as the main; returns (script, marker).
        (Guarded: --check SCRIPT imports the script in each twin, as the runtime would.)"""
        marker = os.path.join(self.tmp, "ran")
        script = self.write("mark.py", "if __name__ == '__main__':\n    open(%r, 'w').close()\n" % marker)
        return script, marker


class PassThroughTest(CliTestCase):
    def test_exit_status_passes_through(self):
        for code in (0, 3, 17):
            with self.subTest(code=code):
                self.assertStatus(self.run_cli("-c", "import sys; sys.exit(%d)" % code), code)

    def test_uncaught_exception_is_status_1(self):
        result = self.run_cli("-c", "raise ValueError('boom')")
        self.assertStatus(result, 1)
        self.assertIn("ValueError: boom", result.stderr)

    def test_death_by_signal_is_128_plus_n(self):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with self.subTest(signal=sig):
                result = self.run_cli("-c", "import os, signal; os.kill(os.getpid(), %d)" % sig)
                self.assertStatus(result, 128 + sig)

    def test_argv_is_untouched(self):
        script = self.write("argv.py", "import json, sys; print(json.dumps(sys.argv))\n")
        args = ["a b", "--twin", "x=pypy3", "-", "--", "-m", "--help", "", "--check", "ünï"]
        result = self.run_cli(script, *args)
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), [script] + args)

    def test_shebang_line_with_options(self):
        """`#!/path/cpy2py-run --twin ... --log-level ...`: Linux passes the options as one
        argument; they are taken as the words they are (before: "unknown option")"""
        binary = shutil.which(BINARY) or os.path.abspath(BINARY)
        script = self.write("shebang_app.py",
                            "#!%s --twin helper=%s  --log-level warn\n"
                            "import json, sys\n"
                            "from cpy2py import TwinMaster\n"
                            "if __name__ == '__main__':\n"
                            "    pid = TwinMaster('helper').execute(__import__('os').getpid)\n"
                            "    print(json.dumps([sys.argv[1:], pid != __import__('os').getpid()]))\n"
                            % (binary, sys.executable), mode=0o755)
        result = subprocess.run([script, "a b", "--twin"], cwd=self.tmp, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), [["a b", "--twin"], True])

    def test_class_defined_by_c_code_says_twins_cannot_import_it(self):
        """A TwinObject class defined in `-c` code: twins cannot import it, and the error says
        why (before: "module '__cpy2py_main__' has no attribute" and advice about a script)"""
        code = ("from cpy2py import TwinObject\n"
                "class Remote(TwinObject):\n"
                "    __twin_id__ = 'helper'\n"
                "Remote()\n")
        result = self.run_cli("--twin", "helper=" + sys.executable, "-c", code)
        self.assertStatus(result, 1)
        self.assertIn("cannot find Remote: it was defined by the main program, which has no file", result.stderr)
        self.assertIn("code given with -c", result.stderr)

    def test_twin_options_right_after_the_script_are_ours(self):
        script = self.write("argv_short.py", "import json, os, sys; print(json.dumps([sys.argv, os.environ.get('CPY2PY_TWINS')]))\n")
        result = self.run_cli(script, "--twin", "helper=python3", "--twin=other=python3", "x", "--twin", "y=z")
        self.assertStatus(result, 0)
        argv, twins = json.loads(result.stdout)
        self.assertEqual(argv, [script, "x", "--twin", "y=z"])
        self.assertEqual(sorted(twins.split()), ["helper", "other"])

    def test_separator_passes_twin_options_to_the_script(self):
        script = self.write("argv_sep.py", "import json, sys; print(json.dumps(sys.argv))\n")
        result = self.run_cli("--", script, "--twin", "helper=python3")
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), [script, "--twin", "helper=python3"])

    def test_relative_script_path_is_kept_as_given(self):
        self.write("sub/rel.py", "import json, sys; print(json.dumps(sys.argv))\n")
        result = self.run_cli("sub/rel.py", "x")
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), ["sub/rel.py", "x"])

    def test_double_dash_before_script(self):
        self.write("dash.py", "import json, sys; print(json.dumps(sys.argv))\n")
        result = self.run_cli("--", "dash.py", "--version")
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), ["dash.py", "--version"])

    def test_options_before_script_are_ours(self):
        script = self.write("argv.py", "import json, sys; print(json.dumps(sys.argv))\n")
        result = self.run_cli("--log-level", "error", "--twin-output", "silent", "--shutdown-grace", "0.5",
                              script, "--log-level", "debug")
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), [script, "--log-level", "debug"])

    def test_stdin_passes_through(self):
        result = self.run_cli("-c", "import sys; sys.stdout.write(sys.stdin.read().upper())",
                              input="hello\nworld\n")
        self.assertStatus(result, 0)
        self.assertEqual(result.stdout, "HELLO\nWORLD\n")

    def test_stdout_and_stderr_stay_separate(self):
        result = self.run_cli("-c", "import sys; print('out'); sys.stderr.write('err\\n')")
        self.assertStatus(result, 0)
        self.assertEqual(result.stdout, "out\n")
        self.assertEqual(result.stderr, "err\n")

    def test_cwd_passes_through(self):
        workdir = os.path.join(self.tmp, "some dir")
        os.makedirs(workdir)
        result = self.run_cli("-c", "import os; print(os.getcwd())", cwd=workdir)
        self.assertStatus(result, 0)
        self.assertEqual(os.path.realpath(result.stdout.strip()), os.path.realpath(workdir))

    def test_environment_passes_through(self):
        code = "import os, json; print(json.dumps([os.environ.get('MY_VAR'), os.environ.get('PYTHONPATH')]))"
        result = self.run_cli("-c", code, env={"MY_VAR": "a value with spaces", "PYTHONPATH": "/my/lib"})
        self.assertStatus(result, 0)
        my_var, pythonpath = json.loads(result.stdout)
        self.assertEqual(my_var, "a value with spaces")
        self.assertIn("/my/lib", pythonpath.split(os.pathsep))

    def test_module_form(self):
        self.write("pkg_mod/__init__.py", "")
        self.write("pkg_mod/tool.py", "import json, sys; print(json.dumps([__name__, sys.argv[1:]]))\n")
        result = self.run_cli("-m", "pkg_mod.tool", "--twin", "a b")
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), ["__main__", ["--twin", "a b"]])

    def test_code_form(self):
        result = self.run_cli("-c", "import json, sys; print(json.dumps(sys.argv))", "-x", "--y", "z z")
        self.assertStatus(result, 0)
        self.assertEqual(json.loads(result.stdout), ["-c", "-x", "--y", "z z"])

    def test_main_interpreter_option(self):
        python = shutil.which("python3")
        result = self.run_cli("--main-interpreter", python, "-c", "import sys; print(sys.executable)")
        self.assertStatus(result, 0)
        self.assertTrue(result.stdout.strip())

    def test_manifest_in_cwd_is_read(self):
        self.write("cpy2py.toml", """\
            [main]
            env = { FROM_MANIFEST = "yes" }
            """)
        result = self.run_cli("-c", "import os; print(os.environ.get('FROM_MANIFEST'))")
        self.assertStatus(result, 0)
        self.assertEqual(result.stdout.strip(), "yes")

    def test_no_manifest_ignores_cwd_manifest(self):
        self.write("cpy2py.toml", "this is not toml = = =\n")
        self.assertStatus(self.run_cli("--no-manifest", "-c", "pass"), 0)


class UsageErrorTest(CliTestCase):
    def assertUsageError(self, *args):
        script, marker = self.marker_script()
        result = self.run_cli(*(list(args) + [script]))
        self.assertStatus(result, 2)
        self.assertTrue(result.stderr.strip(), "no message on stderr")
        self.assertFalse(os.path.exists(marker), "the script ran despite the usage error")
        return result

    def test_nothing_to_run(self):
        result = self.run_cli()
        self.assertStatus(result, 2)
        self.assertIn("SCRIPT", result.stderr)

    def test_unknown_option(self):
        self.assertIn("--bogus", self.assertUsageError("--bogus").stderr)

    def test_bad_twin_syntax(self):
        for bad in ("pypy3", "=pypy3", "pypy=", "bad id=pypy3", "x=/usr/bin/python3:venv"):
            with self.subTest(twin=bad):
                self.assertUsageError("--twin", bad)

    def test_unknown_choice_is_named_in_words(self):
        result = self.assertUsageError("--twin-output", "loud")
        self.assertIn("--twin-output: 'loud' is not one of: prefixed, inherit, silent", result.stderr)
        result = self.assertUsageError("--log-level", "loud")
        self.assertIn("--log-level: 'loud' is not one of: trace, debug, info, warn, error, off", result.stderr)

    def test_twin_given_twice(self):
        self.assertIn("twice", self.assertUsageError("--twin", "a=python3", "--twin", "a=python3").stderr)

    def test_twin_named_like_main(self):
        self.assertUsageError("--twin", "main=python3")

    def test_bad_option_values(self):
        self.assertUsageError("--twin-output", "loud")
        self.assertUsageError("--log-level", "chatty")
        for bad in ("-1", "soon", "inf", "nan"):
            with self.subTest(grace=bad):
                message = self.assertUsageError("--shutdown-grace", bad).stderr
                # names the option and the value, says what is allowed; no 309-digit bound
                self.assertIn("--shutdown-grace", message)
                self.assertIn(bad, message)
                self.assertIn("seconds", message)
                self.assertLess(len(message), 300, message)

    def test_option_errors_read_like_every_other_error(self):
        message = self.assertUsageError("--twin-output", "loud").stderr
        self.assertTrue(message.startswith("cpy2py-run: error: "), message)
        self.assertIn("loud", message)

    def test_manifest_and_no_manifest_exclude_each_other(self):
        self.assertUsageError("--manifest", "x.toml", "--no-manifest")

    def test_m_and_c_need_an_argument(self):
        for flag in ("-m", "-c"):
            with self.subTest(flag=flag):
                result = self.run_cli(flag)
                self.assertStatus(result, 2)
        self.assertStatus(self.run_cli("-m", "-c", "pass"), 2)


class ManifestErrorTest(CliTestCase):
    POSITION = re.compile(r"(\S+\.toml):(\d+):(\d+): ")

    def assertConfigError(self, result, file_suffix, line, column):
        self.assertStatus(result, 78)
        match = self.POSITION.search(result.stderr)
        self.assertIsNotNone(match, "no FILE:LINE:COLUMN in: " + result.stderr)
        self.assertTrue(match.group(1).endswith(file_suffix), match.group(1))
        self.assertEqual((int(match.group(2)), int(match.group(3))), (line, column))

    def test_bad_fixture_given_with_manifest(self):
        script, marker = self.marker_script()
        result = self.run_cli("--manifest", os.path.join(DATA_DIR, "bad_restart_value.toml"), script)
        self.assertConfigError(result, "bad_restart_value.toml", 3, 11)
        self.assertIn("never, on-failure, always", result.stderr)
        self.assertFalse(os.path.exists(marker))

    def test_bad_manifest_in_cwd(self):
        self.write("cpy2py.toml", """\
            [twins.pypy]
            interpreter = "pypy3"
            colour = "blue"
            """)
        result = self.run_cli("-c", "pass")
        self.assertConfigError(result, "cpy2py.toml", 3, 1)
        self.assertIn("colour", result.stderr)

    def test_unparsable_manifest(self):
        result = self.run_cli("--manifest", os.path.join(DATA_DIR, "bad_syntax.toml"), "-c", "pass")
        self.assertStatus(result, 78)
        self.assertRegex(result.stderr, r"bad_syntax\.toml:2:\d+: ")

    def test_duplicate_twin(self):
        result = self.run_cli("--manifest", os.path.join(DATA_DIR, "bad_duplicate_twin.toml"), "-c", "pass")
        self.assertStatus(result, 78)
        self.assertRegex(result.stderr, r"bad_duplicate_twin\.toml:4:\d+: ")

    def test_missing_manifest_file(self):
        result = self.run_cli("--manifest", "nowhere.toml", "-c", "pass")
        self.assertStatus(result, 78)
        self.assertIn("nowhere.toml", result.stderr)
        # where it was looked for, and what helps
        self.assertIn(os.path.join(os.path.realpath(self.tmp), "nowhere.toml"), result.stderr)
        self.assertIn("--no-manifest", result.stderr)


class NotFoundTest(CliTestCase):
    def test_missing_twin_interpreter(self):
        script, marker = self.marker_script()
        result = self.run_cli("--twin", "ghost=no-such-python-xyz", script)
        self.assertStatus(result, 127)
        self.assertIn("twin 'ghost'", result.stderr)
        self.assertIn("no-such-python-xyz not found on PATH", result.stderr)
        self.assertIn("searched: ", result.stderr)
        self.assertFalse(os.path.exists(marker))

    def test_missing_venv(self):
        result = self.run_cli("--twin", "legacy=python2.7:./no-venv", "-c", "pass")
        self.assertStatus(result, 127)
        self.assertIn("no-venv", result.stderr)
        self.assertIn(os.path.join(os.path.realpath(self.tmp), "no-venv"),
                      result.stderr.replace(self.tmp, os.path.realpath(self.tmp)))

    def test_interpreter_missing_inside_venv(self):
        os.makedirs(os.path.join(self.tmp, "venv", "bin"))
        result = self.run_cli("--twin", "p=pypy3:venv", "-c", "pass")
        self.assertStatus(result, 127)
        self.assertIn("venv/bin/pypy3", result.stderr)

    def test_missing_main_interpreter(self):
        result = self.run_cli("--main-interpreter", "no-such-python-xyz", "-c", "pass")
        self.assertStatus(result, 127)
        self.assertIn("no-such-python-xyz", result.stderr)

    def test_missing_interpreter_in_manifest_names_position(self):
        self.write("cpy2py.toml", """\
            [twins.fast]
            interpreter = "no-such-pypy-xyz"
            """)
        result = self.run_cli("-c", "pass")
        self.assertStatus(result, 127)
        self.assertIn("cpy2py.toml:1:1: cannot start twin 'fast'", result.stderr)

    def test_bad_bootstrap_dir(self):
        result = self.run_cli("-c", "pass", env={"CPY2PY_BOOTSTRAP_DIR": os.path.join(self.tmp, "nope")})
        self.assertStatus(result, 127)
        self.assertIn("CPY2PY_BOOTSTRAP_DIR", result.stderr)


class CheckTest(CliTestCase):
    def test_check_prints_the_plan_and_does_not_run(self):
        script, marker = self.marker_script()
        result = self.run_cli("--check", "--twin", "helper=python3", script, "arg")
        self.assertStatus(result, 0)
        self.assertFalse(os.path.exists(marker), "--check ran the application")
        self.assertIn("ROLE", result.stdout)
        self.assertRegex(result.stdout, r"(?m)^main\s+main\s+python3\s+/\S+\s+-\s+CPython 3\.\d+\.\d+\s+\d")
        self.assertRegex(result.stdout, r"(?m)^twin\s+helper\s+python3\s+.*CPython .*eager\s+never$")

    def test_check_without_program(self):
        self.assertStatus(self.run_cli("--check"), 0)

    def test_check_with_manifest(self):
        self.write("cpy2py.toml", """\
            [twins.lazyone]
            interpreter = "python3"
            start = "lazy"
            restart = "on-failure"

            [supervisor]
            output = "inherit"
            """)
        result = self.run_cli("--check")
        self.assertStatus(result, 0)
        self.assertIn(os.path.join(os.path.realpath(self.tmp), "cpy2py.toml"),
                      result.stdout.replace(self.tmp, os.path.realpath(self.tmp)))
        self.assertRegex(result.stdout, r"(?m)^twin\s+lazyone\s.*lazy\s+on-failure$")
        self.assertIn("output=inherit", result.stdout)

    @unittest.skipUnless(interpreter_works("pypy3"), "pypy3 not found on PATH (or it does not run)")
    def test_check_pypy_twin(self):
        result = self.run_cli("--check", "--twin", "pypy=pypy3")
        self.assertStatus(result, 0)
        self.assertRegex(result.stdout, r"(?m)^twin\s+pypy\s+pypy3\s+\S+\s+-\s+PyPy 3\.\d+\.\d+\s+\d")

    @unittest.skipUnless(interpreter_works("python2.7"), "python2.7 not found on PATH (or it does not run)")
    def test_check_python27_twin(self):
        result = self.run_cli("--check", "--twin", "legacy=python2.7")
        self.assertStatus(result, 0)
        self.assertRegex(result.stdout, r"(?m)^twin\s+legacy\s+python2\.7\s+\S+\s+-\s+CPython 2\.7\.\d+\s+2")

    def test_check_venv_twin(self):
        venv = os.path.join(self.tmp, "venv")
        made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        if made.returncode != 0:
            self.skipTest("python3 -m venv does not work here: " + made.stdout.decode(errors="replace"))
        result = self.run_cli("--check", "--twin", "v=:venv")
        self.assertStatus(result, 0)
        self.assertRegex(result.stdout, r"(?m)^twin\s+v\s+:venv\s+\S+/venv/bin/python\s+\S+/venv\s+CPython")

    def test_check_reports_a_broken_interpreter(self):
        broken = self.write("broken-python", "#!/bin/sh\necho 'broken on purpose' >&2\nexit 1\n", mode=0o755)
        result = self.run_cli("--check", "--twin", "bad=" + broken)
        self.assertStatus(result, 127)
        self.assertIn("FAILED", result.stdout)
        self.assertIn("broken on purpose", result.stdout)

    def test_missing_script_fails_before_any_twin_starts(self):
        """A SCRIPT that does not exist: exit 2 with our message, and the eager twin whose
        interpreter logs each start never ran"""
        marker = os.path.join(self.tmp, "started")
        logging_python = self.write("logging-python", "#!/bin/sh\necho started >> %s\nexec %s \"$@\"\n"
                                    % (marker, sys.executable), mode=0o755)
        result = self.run_cli("--twin", "t=" + logging_python, "no_such_app.py")
        self.assertStatus(result, 2)
        self.assertIn("cannot open script 'no_such_app.py': no such file", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertFalse(os.path.exists(marker), "the eager twin was started")

    def test_check_reports_a_missing_script(self):
        result = self.run_cli("--check", "missing_script.py")
        self.assertStatus(result, 2)
        self.assertIn("missing_script.py", result.stdout)

    def test_check_missing_interpreter_is_127(self):
        result = self.run_cli("--check", "--twin", "x=no-such-python-xyz")
        self.assertStatus(result, 127)
        self.assertIn("problem: cannot start twin 'x': no-such-python-xyz not found on PATH", result.stdout)

    def test_check_reports_every_missing_interpreter(self):
        """--check goes on past the first interpreter it cannot find: the table shows every
        twin, and each missing one has its own problem line"""
        result = self.run_cli("--check", "--twin", "a=no-such-python-a", "--twin", "b=9.9",
                              "--twin", "c=" + sys.executable)
        self.assertStatus(result, 127)
        self.assertRegex(result.stdout, r"(?m)^twin\s+a\s+no-such-python-a\s+-\s+-\s+NOT FOUND")
        self.assertRegex(result.stdout, r"(?m)^twin\s+b\s+9\.9\s+-\s+-\s+NOT FOUND")
        self.assertRegex(result.stdout, r"(?m)^twin\s+c\s+\S+\s+\S+\s+-\s+CPython")
        self.assertIn("problem: cannot start twin 'a': no-such-python-a not found", result.stdout)
        self.assertIn("problem: cannot start twin 'b'", result.stdout)
        self.assertNotIn("problem: cannot start twin 'c'", result.stdout)


class InfoTest(CliTestCase):
    def test_version(self):
        result = self.run_cli("--version")
        self.assertStatus(result, 0)
        self.assertRegex(result.stdout, r"^cpy2py-run \d+\.\d+\.\d+\n$")

    def test_help(self):
        result = self.run_cli("--help")
        self.assertStatus(result, 0)
        for option in ("--twin", "--manifest", "--main-interpreter", "--twin-output", "--shutdown-grace",
                       "--log-level", "--check", "--version", "-m MODULE", "-c CODE"):
            self.assertIn(option, result.stdout)

    def test_log_level_debug_does_not_change_the_program_output(self):
        result = self.run_cli("--log-level", "debug", "-c", "print('x')")
        self.assertStatus(result, 0)
        self.assertEqual(result.stdout, "x\n")


if __name__ == "__main__":
    unittest.main()
