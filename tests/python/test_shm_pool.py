"""
Reused memfds (cpy2py.wire.shm_pool): a large transfer's memfd is written again only once its
receiver let go of everything it received in it

The sender keeps the descriptor of a transfer of POOL_MIN bytes or more; the receiver marks
the memfd released when the last view of its mapping is gone. These tests check that a value
the receiver still holds is never overwritten (both ways, kept values compared byte for
byte after later transfers), that released memfds are indeed reused, and that the pool
lets go: after its idle time, when a connection closes, and within its size limits.
"""
from __future__ import print_function

import gc
import hashlib
import os

import support
from test_shared_memory import Blob, clear_pool, shm_enabled, open_fds, shm_mappings

SIZE = 20 * 1024 * 1024  # above shm_pool.POOL_MIN
_held = []


def pool_state():
    """This process's pooled segments: [(capacity, generation)]"""
    from cpy2py.wire import shm_pool
    with shm_pool.POOL._lock:
        return sorted((s.capacity, s.generation) for s in shm_pool.POOL._free)


def filled(size, salt):
    data = bytearray(os.urandom(4096)) * (size // 4096)
    data[:8] = b'%08d' % salt if bytes is not str else ('%08d' % salt)
    return data


def md5(value):
    return hashlib.md5(memoryview(value.data)).hexdigest()


def hold(value):
    _held.append(value)
    return md5(value)


def held_digests():
    gc.collect()
    return [md5(value) for value in _held]


def release_held():
    del _held[:]
    gc.collect()
    return len(_held)


def drop(value):
    return md5(value)


def echo(value):
    return value


def described(value):
    """Digests of the payloads in ``value`` (a list or dict of Blobs and bytes), in order"""
    items = [value[key] for key in sorted(value)] if isinstance(value, dict) else value
    return [(type(item).__name__, hashlib.md5(memoryview(item.data if isinstance(item, Blob) else item)).hexdigest())
            for item in items]


def make_and_hold(size, salt):
    """In the twin: a value it keeps sending back (its own reference stays)"""
    value = Blob(filled(size, salt))
    _held.append(value)
    return value


class PoolTest(support.TwinTestCase):
    def setUp(self):
        super(PoolTest, self).setUp()
        if not (shm_enabled() and self.twin.execute(shm_enabled)):
            self.skipTest('the twin under test does not use shared memory (Python %s)'
                          % '.'.join(map(str, support.twin_version())))
        clear_pool()
        self.twin.execute(clear_pool)
        self.twin.execute(release_held)
        self.addCleanup(self.twin.execute, release_held)

    @support.guarded(120)
    def test_a_released_memfd_is_written_again(self):
        for salt in range(4):
            value = Blob(filled(SIZE, salt))
            self.assertEqual(self.twin.execute(drop, value), md5(value))
        state = pool_state()
        if self.twin.execute(support.implementation) == 'pypy':
            # a PyPy receiver maps with mmap and cannot say when it unmaps: never reused
            self.assertEqual([generation for _, generation in state], [1] * len(state), state)
            return
        self.assertEqual(len(state), 1, state)
        self.assertGreaterEqual(state[0][1], 3, 'the memfd was not reused: %s' % state)

    @support.guarded(120)
    def test_a_value_the_receiver_holds_is_never_overwritten(self):
        sent = []
        for salt in range(6):
            value = Blob(filled(SIZE, salt))
            sent.append(md5(value))
            self.assertEqual(self.twin.execute(hold, value), sent[-1])
        self.assertEqual(self.twin.execute(held_digests), sent)
        self.assertEqual(self.twin.execute(release_held), 0)
        # released now: the next transfers may reuse those memfds, and arrive intact
        for salt in range(6, 9):
            value = Blob(filled(SIZE, salt))
            self.assertEqual(self.twin.execute(drop, value), md5(value))

    @support.guarded(120)
    def test_results_the_main_holds_are_never_overwritten(self):
        kept = []
        for salt in range(5):
            kept.append(self.twin.execute(make_and_hold, SIZE, salt))
            self.twin.execute(release_held)  # the twin lets go of its own copy at once
        self.assertEqual([md5(value) for value in kept], self.twin.execute(held_digests) or
                         [md5(value) for value in kept])
        expected = [hashlib.md5(memoryview(value.data)).hexdigest() for value in kept]
        for salt in range(5, 8):  # more results, into memfds the main released or new ones
            received = self.twin.execute(make_and_hold, SIZE, salt)
            self.twin.execute(release_held)
            del received
            gc.collect()
        self.assertEqual([md5(value) for value in kept], expected)
        self.assertEqual([bytes(memoryview(value.data)[:8]) for value in kept],
                         [bytes(filled(8, salt)[:8]) for salt in range(5)])

    @support.guarded(120)
    def test_frames_mixing_shared_and_socket_buffers(self):
        """A memfd's data is written after the frame's start, before the buffers that go on
        the socket (a receiver waits for READY before reading on): either order of a shared
        buffer and a large bytes value in one frame, both ways, must neither hang nor mix up"""
        for salt in range(2):
            blob, raw = Blob(filled(SIZE, salt)), bytes(filled(12 << 20, salt + 7))
            for value in ([blob, raw], [raw, blob], {'a': raw, 'b': blob, 'c': Blob(filled(2 << 20, 3))}):
                back = self.twin.execute(echo, value)
                self.assertEqual(described(back), described(value))


    @support.guarded(120)
    def test_the_pool_lets_go_when_idle(self):
        self.twin.execute(drop, Blob(filled(8192, 0)))  # this thread's own connection exists
        fds = open_fds()
        value = Blob(filled(SIZE, 1))
        self.twin.execute(drop, value)
        self.assertEqual(len(pool_state()), 1)
        self.assertTrue(support.wait_until(lambda: not pool_state(), 10.0), pool_state())
        self.assertTrue(support.wait_until(lambda: open_fds() <= fds, 10.0))
        self.assertEqual(shm_mappings(), 0)  # the sender never maps what it sends

    @support.guarded(120)
    def test_the_pool_stays_within_its_limits(self):
        from cpy2py.wire import shm_pool
        values = [Blob(filled(SIZE + salt * (8 << 20), salt)) for salt in range(6)]
        for value in values:  # held by the twin: none can be reused, each is a new memfd
            self.twin.execute(hold, value)
        self.assertLessEqual(len(pool_state()), shm_pool.MAX_SEGMENTS)
        self.assertLessEqual(sum(capacity for capacity, _ in pool_state()), shm_pool.MAX_BYTES)

    @support.guarded(120)
    def test_a_closed_connection_takes_its_memfds_along(self):
        from cpy2py import TwinMaster
        self.twin.execute(drop, Blob(filled(8192, 0)))
        fds = open_fds()
        master = TwinMaster(executable=support.TWIN_EXECUTABLE, twinterpreter_id='shm-pool-victim')
        master.start()
        try:
            master.execute(hold, Blob(filled(SIZE, 3)))
            self.assertEqual(len(pool_state()), 1)
        finally:
            support.call_with_timeout(support.HANG_TIMEOUT, master.destroy)
        self.assertTrue(support.wait_until(lambda: not pool_state(), 5.0), pool_state())
        self.assertTrue(support.wait_until(lambda: open_fds() <= fds, 10.0))


if __name__ == '__main__':
    import unittest
    unittest.main()
