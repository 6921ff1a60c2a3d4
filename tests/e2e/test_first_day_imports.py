"""Issue 10, points 2, 3, 4 and 7: how a twin finds the application's classes

2. When a twin cannot import a class's module, the error names the twin, the module, the
   file and line, the original exception, and what helps.
3. Directories the main puts on sys.path at run time reach the twin (pytest's rootdir).
4. ``cpy2py-run -m mypkg`` with the TwinObject in ``mypkg/__main__.py`` works.
7. A main script without the ``__main__`` guard: one clear message naming the script and
   the twin, telling to guard the top-level code.
"""
import os
import subprocess
import unittest

from first_day_support import APPS, MODES, FirstDayTestCase, main_version, run

#: interpreters that lack tomllib (Python 3.11+), which the apps import at top level
WITHOUT_TOMLLIB = ("pypy3", "python2.7")
HINTS = ("__main__", "own module", "importable")


class RealImportErrorTest(FirstDayTestCase):
    def setUp(self):
        if main_version() < (3, 11):
            self.skipTest("the main must have tomllib (Python 3.11+), this is %d.%d" % main_version())

    def check(self, result, *parts):
        self.assertFailed(result)
        for part in ("twin 'twin'",) + parts:
            self.assertIn(part, result.stderr)
        self.assertRegex(result.stderr, "No module named '?tomllib'?|SyntaxError|No module named '?vanished_mod'?")

    def test_main_script_imports_what_the_twin_lacks(self):
        for name in WITHOUT_TOMLLIB:
            for program in (["app_missing_dep.py"], ["app_missing_dep.py", "function"]):
                with self.subTest(twin=name, program=program):
                    result = run(program, {"twin": self.twin(name)})
                    self.check(result, "app_missing_dep.py", "line 3", "tomllib", *HINTS)

    def test_main_script_with_python3_syntax_in_a_27_twin(self):
        result = run(["app_py3_syntax.py"], {"twin": self.twin("python2.7")})
        self.check(result, "app_py3_syntax.py", "line 4", "SyntaxError", *HINTS)

    def test_class_module_imports_what_the_twin_lacks(self):
        for name in WITHOUT_TOMLLIB:
            with self.subTest(twin=name):
                result = run(["app_lib_dep.py"], {"twin": self.twin(name)})
                self.check(result, "crunch_lib", "crunch_lib.py", "line 3", "tomllib", "importable")

    def test_class_module_in_a_directory_the_twin_does_not_have(self):
        for name in ("python3",) + WITHOUT_TOMLLIB:
            with self.subTest(twin=name):
                result = run(["app_vanished_dir.py"], {"twin": self.twin(name)})
                self.check(result, "vanished_mod", "importable")


class MainImportPathTest(FirstDayTestCase):
    def test_directory_added_at_run_time(self):
        for mode in MODES:
            for name in ("python3", "pypy3", "python2.7"):
                with self.subTest(twin=name, mode=mode):
                    result = run(["app_runtime_path.py"], {"twin": self.twin(name)}, mode=mode)
                    self.assertOk(result)
                    self.assertEqual(result.lines("RESULT"), ["twin:plugin_mod.py twin:plugin_mod.py"], str(result))

    def test_pytest_rootdir_reaches_the_twin(self):
        main = "/usr/bin/python3"
        probe = subprocess.run([main, "-c", "import pytest"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode != 0:
            self.skipTest("pytest not importable by %s (Debian package python3-pytest; "
                          "scripts/setup-debian.sh installs it)" % main)
        for name in ("python3", "pypy3"):
            with self.subTest(twin=name):
                result = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_remote.py"],
                             {"twin": self.twin(name)}, main=main, cwd=os.path.join(APPS, "pytest_project"))
                self.assertOk(result)
                self.assertIn("1 passed", result.stdout)


class PackageMainTest(FirstDayTestCase):
    def test_run_package_with_class_in_its_main(self):
        for mode in MODES:
            for name in ("python3", "pypy3", "python2.7"):
                with self.subTest(twin=name, mode=mode):
                    result = run(["-m", "mypkg"], {"twin": self.twin(name)}, mode=mode)
                    self.assertOk(result)
                    self.assertEqual(result.lines("RESULT"), ["twin twin:42"], str(result))


class UnguardedMainTest(FirstDayTestCase):
    def check(self, result, script, line, *parts):
        self.assertFailed(result)
        for part in (script, "twin 'twin'", "if __name__ == '__main__'", "line %d" % line) + parts:
            self.assertIn(part, result.stderr)
        self.assertNotIn("cpy2py_twin.py", result.stderr)
        self.assertEqual(result.lines("RESULT"), [], str(result))

    def test_argparse_exit(self):
        for name in ("python3", "pypy3", "python2.7"):
            with self.subTest(twin=name):
                result = run(["app_unguarded_argparse.py", "21"], {"twin": self.twin(name)})
                self.check(result, "app_unguarded_argparse.py", 17, "SystemExit")

    def test_top_level_error(self):
        for name in ("python3", "pypy3", "python2.7"):
            with self.subTest(twin=name):
                script = os.path.join(APPS, "app_unguarded_raise.py")
                result = run(["app_unguarded_raise.py", script], {"twin": self.twin(name)})
                self.check(result, "app_unguarded_raise.py", 15, "IndexError")

    def test_sys_exit_at_top_level(self):
        for name in ("python3", "pypy3"):
            with self.subTest(twin=name):
                result = run(["app_unguarded_exit.py"], {"twin": self.twin(name)})
                self.assertFailed(result)
                for part in ("app_unguarded_exit.py", "twin 'twin'", "if __name__ == '__main__'", "SystemExit"):
                    self.assertIn(part, result.stderr)


if __name__ == "__main__":
    unittest.main()
