"""The remote agent's interpreter search (bootstrap/cpy2py_ssh/interpreters.py) chooses what
cpy2py-run chooses locally (core/interpreter_search.cpp) for the same spec in the same
places: both run against the scratch machine of test_interpreters.FakeMachineTest (pyenv,
uv and conda layouts whose interpreters answer the probe), the local choice read from
`--check`, the remote one from the agent's Finder with the spec as core/remote_interpreter
sends it. No ssh is needed: the search is the same code the agent runs at SPAWN.
"""
import os
import sys
import unittest

import test_interpreters

SOURCE = os.environ.get("CPY2PY_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "bootstrap"))
from cpy2py_ssh import interpreters  # noqa: E402


def clause(op, version, prefix=False):
    numbers = [int(n) for n in version.split(".")]
    return {"op": op, "version": numbers + [0] * (3 - len(numbers)), "parts": len(numbers), "prefix": prefix}


#: spec as written -> its search JSON (what core/remote_interpreter.cpp sends)
SPECS = {
    ">=3.8,<3.10": {"implementation": "any", "clauses": [clause(">=", "3.8"), clause("<", "3.10")]},
    "==3.9.*": {"implementation": "any", "clauses": [clause("==", "3.9", prefix=True)]},
    ">=3": {"implementation": "any", "clauses": [clause(">=", "3")]},
    "<3": {"implementation": "any", "clauses": [clause("<", "3")]},
    "pypy>=3": {"implementation": "PyPy", "clauses": [clause(">=", "3")]},
    "cp~=3.9": {"implementation": "CPython", "clauses": [clause("~=", "3.9")]},
    "!=3.12.*,>=3.10": {"implementation": "any", "clauses": [clause("!=", "3.12", prefix=True), clause(">=", "3.10")]},
}


class TestSameChoiceAsLocally(unittest.TestCase):
    # the scratch machine of the local tests, without their tests
    setUp = test_interpreters.FakeMachineTest.setUp
    script = test_interpreters.FakeMachineTest.script
    fake = test_interpreters.FakeMachineTest.fake
    run_cli = test_interpreters.FakeMachineTest.run_cli

    def remote_env(self):
        """What the agent would search with: the same HOME and PATH as the local run"""
        env = dict(os.environ)
        for name in test_interpreters.SEARCH_VARIABLES:
            env.pop(name, None)
        env.update(HOME=self.home, PATH=os.path.join(self.tmp, "shims") + ":" + os.path.join(self.tmp, "bin"))
        return env

    def test_versions(self):
        finder = interpreters.Finder()
        for text, search in sorted(SPECS.items()):
            local = self.run_cli("--check", "--no-manifest", "--main-interpreter", text, "-c", "pass")
            rows = [line.split() for line in local.stdout.splitlines() if line.startswith("main ")]
            self.assertTrue(rows and local.returncode == 0, text + ": " + local.stdout + local.stderr)
            found = finder.find(dict(search, kind="version", text=text, value=text, describe=text), self.remote_env())
            self.assertEqual(found["path"], rows[0][3], "%s: locally %s, remotely %s (%s)"
                             % (text, rows[0][3], found["path"], found["reason"]))

    def test_pyenv_and_conda(self):
        finder = interpreters.Finder()
        env = self.remote_env()
        found = finder.find({"kind": "pyenv", "text": "pyenv:3.8", "value": "3.8"}, env)
        self.assertEqual(found["path"], os.path.join(self.home, ".pyenv/versions/3.8.18/bin/python"))
        self.assertEqual(found["reason"], "pyenv version 3.8.18, the highest installed matching 3.8")
        found = finder.find({"kind": "conda", "text": "conda:py39", "value": "py39"}, env)
        self.assertEqual(found["conda_prefix"], os.path.realpath(os.path.join(self.home, "miniconda3/envs/py39")))
        self.assertEqual(finder.find({"kind": "conda", "text": "conda:base", "value": "base"}, env)["label"], "base")
        with self.assertRaises(interpreters.NotFound) as caught:
            finder.find({"kind": "conda", "text": "conda:nope", "value": "nope"}, env)
        self.assertIn("conda environment 'nope' not found; found: base (", str(caught.exception))
        self.assertIn("%s/.conda/environments.txt" % self.home, str(caught.exception))
