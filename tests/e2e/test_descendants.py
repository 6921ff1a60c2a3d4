"""A Python program that the main of a cpy2py-run run starts (a multiprocessing 'spawn'
worker, a subprocess) is a main of its own: using a twin id of the run there fails with a
message that says so (before: "declare it with --twin tw=...", which it was), and a twin
it names itself works."""
import os
import subprocess
import sys
import unittest

BINARY = os.environ.get("CPY2PY_RUN_BINARY", "cpy2py-run")

CHILD = ("from cpy2py import TwinMaster\n"
         "import sys\n"
         "if sys.argv[1] == 'own':\n"
         "    TwinMaster(executable=sys.executable, twinterpreter_id='tw').start()\n"
         "print(TwinMaster('tw').execute(len, [1, 2]))\n")
MAIN = ("import subprocess, sys\n"
        "for how in ('run', 'own'):\n"
        "    proc = subprocess.run([sys.executable, '-c', %r, how], stderr=subprocess.PIPE,\n"
        "                          stdout=subprocess.PIPE, universal_newlines=True)\n"
        "    print(how, proc.returncode, proc.stdout.strip(), proc.stderr.strip().splitlines()[-1:])\n"
        % CHILD)


class DescendantTest(unittest.TestCase):
    def test_child_program_of_the_main(self):
        proc = subprocess.run([BINARY, "--no-manifest", "--twin", "tw=" + sys.executable, "-c", MAIN],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                              universal_newlines=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        run, own = proc.stdout.splitlines()
        self.assertTrue(run.startswith("run 1  "), run)
        self.assertIn("started by a program that cpy2py-run runs", run)
        self.assertNotIn("--twin tw=", run)
        self.assertEqual(own, "own 0 2 []")


if __name__ == "__main__":
    unittest.main()
