"""
A child made by fork() cannot use its parent's twins, and says so; the parent is unharmed

The child's copy of the kernel holds the parent's connections: a call from it would read the
parent's replies or hang on a lock held at the fork (a deadlock in 3 of 3 runs before). Now
it raises TwinterpreterUnavailable naming fork() and what to do instead.
"""
from __future__ import print_function

import os
import unittest
import warnings

from cpy2py.exceptions import TwinterpreterUnavailable

import support


def echo(value):
    return value


class ForkTest(support.TwinTestCase):
    @unittest.skipUnless(hasattr(os, 'register_at_fork'), 'this main has no os.register_at_fork')
    @support.guarded(60)
    def test_a_forked_child_is_refused_and_the_parent_goes_on(self):
        self.assertEqual(self.twin.execute(echo, 'before'), 'before')
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)  # 3.12+: fork with threads
            pid = os.fork()
        if pid == 0:  # the child: report what a call does, never return into the test runner
            os.close(read_end)
            try:
                outcome = 'returned %r' % (self.twin.execute(echo, 'child'),)
            except TwinterpreterUnavailable as error:
                outcome = 'refused: %s' % error
            except BaseException as error:
                outcome = 'other: %s: %s' % (type(error).__name__, error)
            os.write(write_end, outcome.encode('utf-8'))
            os._exit(0)
        os.close(write_end)
        for index in range(100):
            self.assertEqual(self.twin.execute(echo, index), index)
        chunks = []
        while True:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(read_end)
        os.waitpid(pid, 0)
        outcome = b''.join(chunks).decode('utf-8')
        self.assertTrue(outcome.startswith('refused: '), outcome)
        self.assertIn('fork()', outcome)
        self.assertIn("'spawn'", outcome)
        self.assertEqual(self.twin.execute(echo, 'after'), 'after')


if __name__ == '__main__':
    unittest.main()
