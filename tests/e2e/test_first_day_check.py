"""Issue 10, point 9: ``cpy2py-run --check SCRIPT`` checks that every twin imports it

For each twin the script's module is imported there the way the runtime would (the code
under the ``__main__`` guard not run); what fails is reported per twin, and the exit
status is non-zero, before the application ever runs.
"""
import os
import shutil
import tempfile
import unittest

from first_day_support import FirstDayTestCase, main_version, run


class CheckImportsTest(FirstDayTestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-check-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def check(self, program, twins):
        return run(program, twins, options=["--check"])

    def test_good_script_in_every_twin(self):
        twins = {"a": self.twin("python3"), "b": self.twin("pypy3"), "c": self.twin("python2.7")}
        marker = os.path.join(self.tmp, "ran")
        result = run(["app_good.py"], twins, options=["--check"], env={"APP_MARKER": marker})
        self.assertOk(result)
        for twin_id in twins:
            self.assertIn("twin '%s'" % twin_id, result.stdout)
        self.assertEqual(result.stdout.count(": ok"), 3, str(result))
        self.assertFalse(os.path.exists(marker), "the guarded block ran")
        self.assertNotIn("RESULT", result.stdout)

    def test_missing_module_in_one_twin(self):
        if main_version() < (3, 11):
            self.skipTest("the main must have tomllib (Python 3.11+)")
        result = self.check(["app_missing_dep.py"], {"fine": self.twin("python3"), "pypy": self.twin("pypy3")})
        self.assertEqual(result.returncode, 1, str(result))
        self.assertIn("twin 'fine' (", result.stdout)
        self.assertRegex(result.stdout, r"twin 'fine' \([^)]*\): ok")
        self.assertRegex(result.stdout, r"twin 'pypy' \([^)]*\): FAILED")
        for part in ("app_missing_dep.py", "line 3", "No module named 'tomllib'", "__main__"):
            self.assertIn(part, result.stdout)

    def test_python3_syntax_in_a_27_twin(self):
        result = self.check(["app_py3_syntax.py"], {"legacy": self.twin("python2.7")})
        self.assertEqual(result.returncode, 1, str(result))
        for part in ("twin 'legacy'", "app_py3_syntax.py", "line 4", "SyntaxError"):
            self.assertIn(part, result.stdout)

    def test_unguarded_top_level_exit(self):
        result = self.check(["app_unguarded_argparse.py", "21"], {"twin": self.twin("python3")})
        self.assertEqual(result.returncode, 1, str(result))
        for part in ("SystemExit", "app_unguarded_argparse.py", "line 17", "if __name__ == '__main__'"):
            self.assertIn(part, result.stdout)

    def test_package_module(self):
        result = self.check(["-m", "mypkg"], {"twin": self.twin("pypy3")})
        self.assertOk(result)
        self.assertRegex(result.stdout, r"twin 'twin' \([^)]*\): ok")

    def test_no_script_no_import_check(self):
        result = self.check([], {"twin": self.twin("python3")})
        self.assertOk(result)
        self.assertNotIn("imports of", result.stdout)


if __name__ == "__main__":
    unittest.main()
