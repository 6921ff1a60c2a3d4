"""The main cannot listen on its socket: the error it dies with names the socket, the
reason and what helps, without the runtime's frames or the OSError it came out of (before:
"During handling of the above exception" and kernel.py's frames)"""
from __future__ import print_function

import errno
import os
import unittest

import support
from cpy2py.kernel.kernel import cannot_listen


class ListenFailureTest(unittest.TestCase):
    def test_the_uncaught_error_is_ours_alone(self):
        code, out, err = support.run_app(['listen_fails_app.py'], twins={'twin': support.TWIN_EXECUTABLE})
        self.assertEqual(code, 1, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertIn('TwinterpreterUnavailable', err)
        self.assertIn('cannot listen on ', err)
        self.assertIn('Address already in use', err)
        self.assertNotIn('During handling', err)
        self.assertNotIn(os.path.join('cpy2py', 'kernel'), err)

    def test_a_full_file_system_says_what_helps(self):
        message = cannot_listen('/tmp/cpy2py-x/main.sock', OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        self.assertIn('/tmp/cpy2py-x/main.sock', message)
        self.assertIn(os.strerror(errno.ENOSPC), message)
        self.assertIn('set TMPDIR', message)


if __name__ == '__main__':
    unittest.main()
