"""A Python 2.7 twin prints unicode (print(u'caf\u00e9')) under cpy2py-run: its stdout and
stderr are pipes to the supervisor, which Python 2 gives no encoding; before, the twin's
print raised UnicodeEncodeError where the same code prints fine at a terminal."""
import os
import subprocess
import unittest

from test_other_mains import BINARY, TIMEOUT, find

CODE = r"""
from cpy2py import TwinMaster
twin = TwinMaster('legacy')
twin.execute(eval, "__import__('__builtin__').__dict__['print'](u'caf\\xe9')")
twin.execute(eval, "__import__('__builtin__').__dict__['print']('bytes')")
twin.execute(eval, "__import__('sys').stderr.write(u'\\u2713\\n')")
print(twin.execute(eval, "__import__('sys').stdout.encoding"))
"""


class Python2TwinOutputTest(unittest.TestCase):
    def run_app(self, locale):
        twin = find("python2.7")
        if twin is None:
            self.skipTest("python2.7 not found (looked on PATH and in pyenv versions)")
        env = dict(os.environ, LC_ALL=locale, LANG=locale)
        env.pop("PYTHONIOENCODING", None)
        proc = subprocess.run([BINARY, "--twin", "legacy=" + twin, "-c", CODE], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        stderr = proc.stderr.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 0, stderr)
        return proc.stdout.decode("utf-8").splitlines(), stderr.splitlines()

    def test_utf8_locale(self):
        out, err = self.run_app("C.UTF-8")
        self.assertEqual(out, ["[legacy] caf\u00e9", "[legacy] bytes", "utf-8"])
        self.assertEqual(err, ["[legacy] \u2713"])

    def test_c_locale_prints_utf8_like_a_python3_main(self):
        out, err = self.run_app("C")
        self.assertEqual(out[0], "[legacy] caf\u00e9")


if __name__ == "__main__":
    unittest.main()
