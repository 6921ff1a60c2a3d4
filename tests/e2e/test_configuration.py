"""End-to-end tests of the project's configuration: manifest discovery (cpy2py.toml and
pyproject.toml's [tool.cpy2py], from the current directory up to the repository root), a
program named in [main], and the environment for everyone ([env], --env, per-process env).

The fixtures are directory trees in tests/data/discovery; each test runs the real binary
with its cwd inside one of them. Run: `python3 -m unittest -v test_configuration`.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("CPY2PY_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
DISCOVERY = os.path.join(SOURCE_DIR, "tests", "data", "discovery")
REPORT_APP = os.path.join(HERE, "helpers", "env_report_app.py")
TIMEOUT = 120
PRINT_WHICH = "import os; print(os.environ.get('WHICH'))"


class ConfigurationTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-conf-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def run_cli(self, *args, **kw):
        env = dict(os.environ)
        env.pop("CPY2PY_DEBUG", None)
        env.pop("WHICH", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # the fixtures stay as committed
        env["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")
        env.update(kw.get("env", {}))
        return subprocess.run([BINARY] + list(args), cwd=kw.get("cwd", self.tmp), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=TIMEOUT)

    def assertStatus(self, result, status):
        self.assertEqual(result.returncode, status, "exit status %d, expected %d\nstdout: %s\nstderr: %s"
                         % (result.returncode, status, result.stdout, result.stderr))

    def which(self, cwd, *options):
        result = self.run_cli(*(list(options) + ["-c", PRINT_WHICH]), cwd=cwd)
        self.assertStatus(result, 0)
        return result.stdout.strip()

    def write(self, rel, text):
        path = os.path.join(self.tmp, rel)
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        with open(path, "w") as f:
            f.write(text)
        return path


class DiscoveryTest(ConfigurationTestCase):
    def test_pyproject_found_from_a_subdirectory_and_named_by_check(self):
        result = self.run_cli("--check", cwd=os.path.join(DISCOVERY, "pyproject", "sub", "deeper"))
        self.assertStatus(result, 0)
        self.assertIn("manifest:   %s [tool.cpy2py]" % os.path.join(DISCOVERY, "pyproject", "pyproject.toml"),
                      result.stdout)
        self.assertRegex(result.stdout, r"(?m)^twin\s+helper\s+python3\s.*lazy\s+never$")
        self.assertIn("shutdown_grace=0.5s", result.stdout)

    def test_cpy2py_toml_beats_pyproject_toml_in_the_same_directory(self):
        self.assertEqual(self.which(os.path.join(DISCOVERY, "both")), "cpy2py.toml")

    def test_pyproject_without_the_table_is_ignored(self):
        self.assertEqual(self.which(os.path.join(DISCOVERY, "no_table", "inner")), "outer cpy2py.toml")

    def test_search_stops_at_the_repository_root(self):
        self.write("cpy2py.toml", '[main]\nenv = { WHICH = "above the repository" }\n')
        os.makedirs(os.path.join(self.tmp, "repo", ".git"))
        os.makedirs(os.path.join(self.tmp, "repo", "src"))
        self.assertEqual(self.which(os.path.join(self.tmp, "repo", "src")), "None")
        self.assertEqual(self.which(self.tmp), "above the repository")

    def test_explicit_manifest_and_no_manifest(self):
        pyproject = os.path.join(DISCOVERY, "both", "pyproject.toml")
        self.assertEqual(self.which(self.tmp, "--manifest", pyproject), "pyproject.toml")
        self.assertEqual(self.which(os.path.join(DISCOVERY, "both"), "--no-manifest"), "None")
        result = self.run_cli("--manifest", os.path.join(DISCOVERY, "no_table", "inner", "pyproject.toml"),
                              "-c", "pass")
        self.assertStatus(result, 78)
        self.assertIn("no [tool.cpy2py] table", result.stderr)

    def test_errors_in_pyproject_carry_file_line_column(self):
        result = self.run_cli("-c", "pass", cwd=os.path.join(DISCOVERY, "bad_pyproject"))
        self.assertStatus(result, 78)
        self.assertIn("pyproject.toml:6:1: unknown key 'colour' in [tool.cpy2py.twins.fast]", result.stderr)
        self.write("pyproject.toml", "[tool.cpy2py\n")
        result = self.run_cli("-c", "pass")
        self.assertStatus(result, 78)
        self.assertRegex(result.stderr, r"pyproject\.toml:1:\d+: invalid TOML")

    def test_a_nul_written_as_an_escape_is_an_error_with_its_position(self):
        # a NUL would cut the value short where it reaches an environment or argv
        for text, where in (('[env]\nA = "x\\u0000y"\n', "cpy2py.toml:2:5: env.A must not contain a NUL"),
                            ('[twins.tw]\ninterpreter = "python3"\nargs = ["a\\u0000"]\n',
                             "cpy2py.toml:3:9: args must not contain a NUL"),
                            ('[twins.tw]\ninterpreter = "python3"\nenv = { B = "\\u0000" }\n',
                             "cpy2py.toml:3:13: env.B must not contain a NUL")):
            self.write("cpy2py.toml", text)
            result = self.run_cli("-c", "import os; print(repr(os.environ.get('A')))")
            self.assertStatus(result, 78)
            self.assertIn(where, result.stderr)
            self.assertEqual(result.stdout, "")

    def test_command_line_wins_over_the_file(self):
        self.write("pyproject.toml", '[tool.cpy2py.main]\ninterpreter = "no-such-python-xyz"\n'
                                     'env = { WHICH = "file" }\n')
        self.assertStatus(self.run_cli("-c", "pass"), 127)
        self.assertEqual(self.which(self.tmp, "--main-interpreter", "python3", "--env", "WHICH=command line"),
                         "command line")

    def test_characters_toml_plus_plus_cannot_classify_reach_the_program_exactly(self):
        # U+00E9, U+FEDF, U+2C5E, U+3001 and U+FB26 hit an unreachable point in toml++ 3.3 and are
        # swapped away while it parses (core/toml_code_point_swap.hpp); U+3000 is not.
        value = u"caf\u00e9 \ufedf\u2c5e\u3001\ufb26\u3000"
        with open(os.path.join(self.tmp, "cpy2py.toml"), "wb") as f:
            f.write((u'# r\u00e9glages \ufedf\n[main]\nenv = { WHICH = "%s", "N\u00c9" = "\\u00e9" }\n'
                     % value).encode("utf-8"))
        result = self.run_cli("-c", "import os; print(ascii(os.environb[b'WHICH'].decode('utf-8')),"
                                    " ascii(os.environb[u'N\u00c9'.encode('utf-8')].decode('utf-8')))")
        self.assertStatus(result, 0)
        self.assertEqual(result.stdout.strip(), "%s %s" % (ascii(value), ascii(u"\u00e9")))

    def test_a_quote_in_a_broken_token_before_such_a_character_is_a_toml_error(self):
        # Found by the fuzzer: reached toml++'s unreachable point before the swap.
        with open(os.path.join(self.tmp, "cpy2py.toml"), "wb") as f:
            f.write(b'\nr= -777main7"e["-O\xef\xbb\x9f\n"\n')
        result = self.run_cli("-c", "pass")
        self.assertStatus(result, 78)
        self.assertRegex(result.stderr, r"cpy2py\.toml:2:\d+: invalid TOML")


class ProgramInManifestTest(ConfigurationTestCase):
    def run_program(self, *args, **kw):
        result = self.run_cli(*args, cwd=os.path.join(DISCOVERY, kw.get("fixture", "program")))
        self.assertStatus(result, 0)
        return json.loads(result.stdout)

    def test_cpy2py_run_alone_runs_the_script_with_the_file_args(self):
        self.assertEqual(self.run_program(), {"argv": ["--from-file", "two words"], "file": "app.py"})

    def test_arguments_after_dashes_replace_the_file_args(self):
        self.assertEqual(self.run_program("--", "x", "--twin", "y")["argv"], ["x", "--twin", "y"])
        self.assertEqual(self.run_program("--")["argv"], [])

    def test_a_program_on_the_command_line_replaces_the_files(self):
        result = self.run_cli("-c", "print('from the command line')", cwd=os.path.join(DISCOVERY, "program"))
        self.assertStatus(result, 0)
        self.assertEqual(result.stdout, "from the command line\n")

    def test_module_from_pyproject(self):
        self.assertEqual(self.run_program(fixture="program_module"), {"argv": ["from-pyproject"], "name": "__main__"})

    def test_check_shows_the_manifest_program(self):
        result = self.run_cli("--check", cwd=os.path.join(DISCOVERY, "program"))
        self.assertStatus(result, 0)
        self.assertIn("program:    %s" % os.path.join(DISCOVERY, "program", "app.py"), result.stdout)

    def test_script_and_module_together_is_a_manifest_error(self):
        self.write("cpy2py.toml", '[main]\nscript = "a.py"\nmodule = "b"\n')
        result = self.run_cli()
        self.assertStatus(result, 78)
        self.assertIn("cpy2py.toml:3:10: [main] names script or module, not both", result.stderr)

    def test_nothing_to_run_is_still_a_usage_error(self):
        result = self.run_cli()
        self.assertStatus(result, 2)
        self.assertIn("nothing to run", result.stderr)
        self.assertStatus(self.run_cli("--"), 2)


class HelpTest(ConfigurationTestCase):
    def test_help_names_the_new_options_and_forms(self):
        result = self.run_cli("--help")
        self.assertStatus(result, 0)
        for text in ("--env NAME=VALUE", "--list-interpreters", "[-- ARGS...]", "pyproject.toml", "conda:ENV"):
            self.assertIn(text, result.stdout)


class EnvironmentTest(ConfigurationTestCase):
    def test_precedence_inherited_env_table_per_process_command_line(self):
        result = self.run_cli("--env", "CLI=command line", "--", REPORT_APP, "twin",
                              cwd=os.path.join(DISCOVERY, "precedence"),
                              env={"INHERITED": "inherited", "EVERYONE": "inherited", "CLI": "inherited"})
        self.assertStatus(result, 0)
        report = json.loads(result.stdout)
        self.assertEqual(report["main"]["env"]["INHERITED"], "inherited")
        self.assertEqual(report["main"]["env"]["EVERYONE"], "file [env]")
        self.assertEqual(report["main"]["env"]["PER_PROCESS"], "file [main] env")
        self.assertEqual(report["main"]["env"]["CLI"], "command line")
        self.assertEqual(report["helper"]["env"]["INHERITED"], "inherited")
        self.assertEqual(report["helper"]["env"]["EVERYONE"], "file [env]")
        self.assertEqual(report["helper"]["env"]["PER_PROCESS"], "file [twins.helper] env")
        self.assertEqual(report["helper"]["env"]["CLI"], "command line")

    def test_env_reaches_command_line_twins_and_bad_values_are_usage_errors(self):
        result = self.run_cli("--no-manifest", "--env", "EVERYONE=all", "--twin", "helper=python3", REPORT_APP, "twin")
        self.assertStatus(result, 0)
        report = json.loads(result.stdout)
        self.assertEqual(report["helper"]["env"]["EVERYONE"], "all")
        self.assertEqual(report["main"]["env"]["EVERYONE"], "all")
        for bad in ("NOVALUE", "=x"):
            with self.subTest(env=bad):
                result = self.run_cli("--env", bad, "-c", "pass")
                self.assertStatus(result, 2)
                self.assertIn("NAME=VALUE", result.stderr)


if __name__ == "__main__":
    unittest.main()
