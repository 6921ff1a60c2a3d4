"""
A deadline bounds the sending of a call's large argument too (cpy2py.wire.bounded_send)

A twin stopped with SIGSTOP reads nothing: a 64 MiB bytes argument fills the socket buffer
and, before, the call waited in ``sendall`` for as long as the twin stayed stopped, its
deadline notwithstanding. Now it raises CallTimeout; the rest of the frame is finished by a
thread once the twin reads again, so the connection keeps its framing and later calls work.
"""
from __future__ import print_function

import os
import signal
import threading

import cpy2py
from cpy2py.exceptions import CallTimeout

import support

BIG = 64 * 1024 * 1024


def size_of(value):
    return len(value)


class BoundedSendTest(support.TwinTestCase):
    def setUp(self):
        super(BoundedSendTest, self).setUp()
        self.pid = self.twin.execute(support.getpid)
        self.payload = b'x' * BIG

    def stopped(self):
        """A context in which the twin is stopped (SIGSTOP), continued at its end"""
        test = self

        class Stopped(object):
            def __enter__(self):
                os.kill(test.pid, signal.SIGSTOP)

            def __exit__(self, *exc):
                os.kill(test.pid, signal.SIGCONT)
        return Stopped()

    def call_bounded(self, seconds=0.5):
        with cpy2py.deadline(seconds):
            return self.twin.execute(size_of, self.payload)

    @support.guarded(60)
    def test_large_argument_to_a_stopped_twin_times_out(self):
        self.twin.execute(size_of, b'connected')  # this thread's connection exists
        with self.stopped():
            with self.assertRaises(CallTimeout) as context:
                self.call_bounded()
            self.assertIn('deadline of 0.5 s', str(context.exception))
            # a second call while the first frame is still being finished: it cannot begin
            with self.assertRaises(CallTimeout) as context:
                self.call_bounded()
            self.assertIn('could not even be sent', str(context.exception))
        # the twin reads again: the detached frame completes, the framing is intact
        with cpy2py.deadline(30):
            self.assertEqual(self.twin.execute(size_of, b'abc'), 3)
            self.assertEqual(self.twin.execute(size_of, self.payload), BIG)

    @support.guarded(60)
    def test_small_calls_queue_behind_a_detached_frame(self):
        self.twin.execute(size_of, b'connected')
        with self.stopped():
            with self.assertRaises(CallTimeout):
                self.call_bounded()
            with self.assertRaises(CallTimeout):
                with cpy2py.deadline(0.3):
                    self.twin.execute(size_of, b'small')
        self.assertEqual(self.twin.execute(size_of, b'small'), 5)

    @support.guarded(60)
    def test_a_new_thread_does_not_wait_past_its_deadline_to_connect(self):
        errors = []

        def call():
            try:
                self.call_bounded()
            except CallTimeout as err:
                errors.append(err)

        with self.stopped():
            thread = threading.Thread(target=call)
            thread.start()
            thread.join(support.HANG_TIMEOUT)
            self.assertFalse(thread.is_alive(), 'the bounded call of a new thread hangs')
        self.assertEqual(len(errors), 1, errors)
        self.assertEqual(self.twin.execute(size_of, self.payload), BIG)


if __name__ == '__main__':
    import unittest
    unittest.main()
