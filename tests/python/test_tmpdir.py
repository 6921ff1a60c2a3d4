"""A TMPDIR the runtime cannot use for its sockets (issue 13, F7, standalone side): the run
directory goes elsewhere with a clear warning, never a traceback"""
from __future__ import print_function

import json
import os
import shutil
import tempfile
import unittest

import support
from support import TWIN_EXECUTABLE

#: AF_UNIX socket paths hold at most 107 bytes on Linux
SUN_PATH_MAX = 107


def result_of(out):
    lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
    return json.loads(lines[0][len('RESULT '):]) if len(lines) == 1 else None


class StandaloneTmpdirTest(unittest.TestCase):
    def setUp(self):
        self.base = tempfile.mkdtemp(prefix='cpy2py-tmpdir-')
        self.addCleanup(shutil.rmtree, self.base, True)

    def run_standalone(self, tmpdir):
        return support.run_app(['run_dir_app.py'], supervised=False,
                               env={'TMPDIR': tmpdir, 'APP_TWIN': TWIN_EXECUTABLE})

    def test_tmpdir_too_long_for_socket_paths(self):
        longdir = self.base
        while len(longdir) <= SUN_PATH_MAX:
            longdir = os.path.join(longdir, 'd' * 40)
        os.makedirs(longdir)
        code, out, err = self.run_standalone(longdir)
        self.assertNotIn('Traceback', err)
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        result = result_of(out)
        self.assertTrue(result, out)
        self.assertFalse(result['run_dir'].startswith(longdir), result)
        self.assertIn('TMPDIR', err)
        self.assertIn(longdir, err)
        self.assertEqual(os.listdir(longdir), [], 'something was left in the long TMPDIR')

    def test_tmpdir_that_does_not_exist(self):
        code, out, err = self.run_standalone(os.path.join(self.base, 'missing'))
        self.assertNotIn('Traceback', err)
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertTrue(result_of(out), out)


if __name__ == '__main__':
    unittest.main()
