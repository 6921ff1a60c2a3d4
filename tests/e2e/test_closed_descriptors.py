"""A main that closes the runtime's descriptors gets an error that says so

`os.closerange(3, ...)` after the first call closes the connection, the epoll descriptor
and the control channel. Before, the next call said the twin had *terminated* ("connection
lost while sending: Bad file descriptor"), and the next object's creation failed with a
bare "OSError: [Errno 9] Bad file descriptor" from the poller. Now both say that this
process closed a descriptor cpy2py opened, and what to do instead.
"""
import os
import shutil
import tempfile
import unittest

from first_day_support import run

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "helpers", "closed_fds", "close_everything.py")
PYTHON = "/usr/bin/python3"
HINT = "this process closed a descriptor that cpy2py opened"


@unittest.skipUnless(os.path.exists(PYTHON), "needs %s" % PYTHON)
class ClosedDescriptorsTest(unittest.TestCase):
    def test_calls_after_closerange_say_what_happened(self):
        tmp = tempfile.mkdtemp(prefix="cpy2py-closed-")
        self.addCleanup(shutil.rmtree, tmp, True)
        result = run([APP], twins={"tw": PYTHON}, main=PYTHON, env={"TMPDIR": tmp}, cwd=os.path.dirname(APP))
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("FIRST 1", result.stdout)
        lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
        self.assertIn(HINT, lines.get("EXISTING", ""), output)
        self.assertIn(HINT, lines.get("NEW", ""), output)
        self.assertTrue(lines["NEW"].startswith("TwinterpreterUnavailable:"), output)
        self.assertNotIn("Traceback", output)
        self.assertEqual(os.listdir(tmp), [], "the run directory was left behind")


if __name__ == "__main__":
    unittest.main()
