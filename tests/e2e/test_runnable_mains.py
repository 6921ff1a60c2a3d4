"""A main given as a directory or a zipapp works in twins, as `python PATH` runs it

`python3 app/` and `python3 app.pyz` run the `__main__.py` inside, with PATH first on
sys.path. Before, a twin read PATH itself as the script: "IsADirectoryError" or
"SyntaxError: source code string cannot contain null bytes" at the first TwinObject.
"""
import os
import shutil
import subprocess
import tempfile
import unittest
import zipapp

from first_day_support import BINARY, app_env

PYTHON = "/usr/bin/python3"

MAIN = """\
import helper
from cpy2py import TwinObject


class Doubler(TwinObject):
    __twin_id__ = 'tw'

    def double(self, x):
        return helper.twice(x)


if __name__ == '__main__':
    print('RESULT %d' % Doubler().double(21))
"""


@unittest.skipUnless(os.path.exists(PYTHON), "needs %s" % PYTHON)
class RunnableMainsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-runnable-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.app = os.path.join(self.tmp, "app")
        os.mkdir(self.app)
        with open(os.path.join(self.app, "__main__.py"), "w") as f:
            f.write(MAIN)
        with open(os.path.join(self.app, "helper.py"), "w") as f:
            f.write("def twice(x):\n    return 2 * x\n")
        self.runs = os.path.join(self.tmp, "runs")
        os.mkdir(self.runs)

    def run_app(self, *args):
        env = app_env()
        env["TMPDIR"] = self.runs
        return subprocess.run([BINARY, "--no-manifest", "--main-interpreter", PYTHON, "--twin", "tw=" + PYTHON]
                              + list(args), cwd=self.tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=120)

    def assert_runs(self, target):
        result = self.run_app(target)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("RESULT 42", result.stdout)
        checked = self.run_app("--check", target)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("twin 'tw' (%s): ok" % PYTHON, checked.stdout)
        self.assertEqual(os.listdir(self.runs), [])

    def test_a_directory_with_a_main_file(self):
        self.assert_runs("app")

    def test_a_zipapp(self):
        zipapp.create_archive(self.app, os.path.join(self.tmp, "app.pyz"))
        self.assert_runs("app.pyz")


if __name__ == "__main__":
    unittest.main()
