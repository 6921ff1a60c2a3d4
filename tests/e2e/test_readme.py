"""The README's examples, copied out of README.md and run as a reader would.

A reader pastes the first Python block into app.py and runs the command under it; what
they see must be what the README says (here: the result printed once, by the main).
Runs with the stdlib only; CPY2PY_RUN_BINARY names the binary (set by CTest).
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")
SOURCE_DIR = os.environ.get(
    "CPY2PY_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
README = os.path.join(SOURCE_DIR, "README.md")


def fenced_blocks(text):
    """(language, body) of every ``` block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)


class FirstExampleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cpy2py-readme-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        with open(README) as f:
            self.blocks = fenced_blocks(f.read())

    def test_first_example_prints_its_result_once(self):
        if not shutil.which("pypy3"):
            self.skipTest("pypy3 not found on PATH (%s)" % os.environ.get("PATH", ""))
        language, code = self.blocks[0]
        self.assertEqual(language, "python")
        command = self.blocks[1][1].split()
        self.assertEqual(command[0], "cpy2py-run")
        with open(os.path.join(self.tmp, "app.py"), "w") as f:
            f.write(code)
        env = dict(os.environ)
        env.pop("CPY2PY_DEBUG", None)
        result = subprocess.run([BINARY, "--no-manifest"] + command[1:], cwd=self.tmp, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        # once, from the main: a twin that imports the script must not run the program again
        self.assertEqual(result.stdout, "%d\n" % sum(a + b for a in range(1000) for b in range(1000)))


if __name__ == "__main__":
    unittest.main()
