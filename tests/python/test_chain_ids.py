"""Call chains of threads that ended stay theirs: a new thread that gets the same thread
ident starts a chain of its own (a late callback of the old chain must not run in it)"""
from __future__ import print_function

import threading
import unittest

from cpy2py import kernel_state

import support


def chain_ids_of_two_threads():
    """The chain ids and thread idents of two threads, the second started after the first
    ended (tried until the system gave the second the first one's ident)"""
    kernel = kernel_state.get_kernel()
    for _ in range(200):
        seen = []

        def record():
            seen.append((kernel._chain(), threading.current_thread().ident))
        for _ in range(2):
            thread = threading.Thread(target=record)
            thread.start()
            thread.join()
        if seen[0][1] == seen[1][1]:
            return seen
    return seen


class ChainIdTest(support.TwinTestCase):
    def assert_chains_differ(self, seen):
        if seen[0][1] != seen[1][1]:
            self.skipTest('the system never gave a new thread the ident of one that ended')
        # before: the chain was the thread's ident, so a late callback of the first
        # thread's chain (a call abandoned at its deadline) ran in the second thread, in
        # the middle of its own call, which then hung
        self.assertNotEqual(seen[0][0], seen[1][0])

    def test_a_new_thread_starts_a_new_chain_here(self):
        self.assert_chains_differ(chain_ids_of_two_threads())

    def test_a_new_thread_starts_a_new_chain_in_the_twin(self):
        self.assert_chains_differ(self.twin.execute(chain_ids_of_two_threads))


if __name__ == '__main__':
    unittest.main()
