"""Issue 10, point 5: undeclared twin ids behave the same supervised and standalone

A class with ``__twin_id__ = 'pypy'`` that nobody declared, used without a TwinMaster: the
id is taken as the executable (``pypy`` falling back to ``pypy3``) in both modes. An id
that cannot be started gets a message in the user's words: the declared ids and how to
declare one, no protocol words.
"""
import shutil
import unittest

from first_day_support import MODES, PYTHON3_NAME, FirstDayTestCase, run


class UndeclaredIdTest(FirstDayTestCase):
    def test_pypy_id_runs_pypy(self):
        if not (shutil.which("pypy") or shutil.which("pypy3")):
            self.skipTest("neither pypy nor pypy3 on PATH")
        for mode in MODES:
            with self.subTest(mode=mode):
                result = run(["app_undeclared.py"], mode=mode)
                self.assertOk(result)
                self.assertEqual(result.lines("RESULT"), ["PyPy"], str(result))

    def test_interpreter_named_like_the_id(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                result = run(["app_undeclared.py"], mode=mode, env={"APP_TWIN_ID": PYTHON3_NAME})
                self.assertOk(result)
                self.assertEqual(result.lines("RESULT"), ["CPython"], str(result))

    def test_unknown_id_supervised(self):
        result = run(["app_undeclared.py"], {"other": self.twin("python3")},
                     env={"APP_TWIN_ID": "no-such-python"})
        self.assertFailed(result)
        for part in ("no-such-python", "other", "--twin no-such-python=INTERPRETER", "[twins.no-such-python]"):
            self.assertIn(part, result.stderr)
        self.assertNotIn("START", result.stderr)

    def test_unknown_id_standalone(self):
        result = run(["app_undeclared.py"], mode="standalone", env={"APP_TWIN_ID": "no-such-python"})
        self.assertFailed(result)
        for part in ("no-such-python", "PATH", "TwinMaster("):
            self.assertIn(part, result.stderr)
        self.assertNotIn("START", result.stderr)


if __name__ == "__main__":
    unittest.main()
