"""Issue 10, point 10: the docs, the binary and the suites' skips agree

* ``--twin ID=...`` directly after SCRIPT is cpy2py-run's (the short form); after ``--``
  every word goes to the script. The binary, the man page (DESCRIPTION and EXAMPLES) and
  the README say the same.
* A skipped runtime suite says which interpreter it looked for and where.
* The README says how to run the 2.7/3.6/3.13 suites and how to make a 2.7 virtualenv.
"""
import json
import os
import re
import subprocess
import sys
import unittest

from first_day_support import SOURCE_DIR, FirstDayTestCase, run


def read(*parts):
    with open(os.path.join(SOURCE_DIR, *parts)) as f:
        return f.read()


class TwinAfterScriptTest(FirstDayTestCase):
    def test_binary_takes_twin_directly_after_script(self):
        python = self.twin("python3")
        result = run(["print_argv.py", "--twin", "extra=" + python, "--verbose", "--twin", "x=y"])
        self.assertOk(result)
        seen = json.loads(result.stdout.splitlines()[-1])
        self.assertEqual(seen["argv"], ["--verbose", "--twin", "x=y"])
        self.assertEqual(seen["twins"], ["extra"])

    def test_after_double_dash_everything_goes_to_the_script(self):
        result = run(["--", "print_argv.py", "--twin", "x=y"])
        self.assertOk(result)
        seen = json.loads(result.stdout.splitlines()[-1])
        self.assertEqual(seen["argv"], ["--twin", "x=y"])
        self.assertEqual(seen["twins"], [])

    def test_man_page_examples_agree(self):
        man = read("man", "cpy2py-run.1")
        examples = man[man.index(".SH EXAMPLES"):man.index(".SH SEE ALSO")]
        self.assertIn("app.py \\-\\-twin pypy=pypy3", examples)
        self.assertNotRegex(examples, r"\\-\\-twin\\fR belongs to\s+\\fBapp\.py")
        self.assertIn("taken by cpy2py\\-run", examples)
        description = man[man.index(".SH DESCRIPTION"):man.index(".SH OPTIONS")]
        self.assertIn("taken by cpy2py\\-run", description)

    def test_readme_agrees(self):
        readme = read("README.md")
        self.assertIn("`--twin ID=...` options directly after\n`SCRIPT` are cpy2py-run's", readme)


class SuiteDocsTest(FirstDayTestCase):
    def test_skipped_suite_names_interpreter_and_places(self):
        runner = os.path.join(SOURCE_DIR, "tests", "python", "run_suites.py")
        process = subprocess.run([sys.executable, runner, "--twin", "python9.99", "--mode", "standalone"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                                 timeout=120)
        self.assertEqual(process.returncode, 77, process.stdout)
        self.assertIn("python9.99", process.stdout)
        self.assertIn("PATH", process.stdout)
        self.assertRegex(process.stdout, re.escape(os.sep + "versions" + os.sep))

    def test_readme_explains_the_other_interpreters(self):
        readme = read("README.md")
        for version in ("2.7", "3.6", "3.13"):
            self.assertIn("--twin python%s" % version, readme)
        self.assertIn("virtualenv --no-seed -p", readme)


if __name__ == "__main__":
    unittest.main()
