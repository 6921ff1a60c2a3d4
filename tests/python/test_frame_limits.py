"""Frame sizes are checked before allocation (issue 13, F5): a header announcing gigabytes
makes the receiver allocate no more than what actually arrives, and stalls nothing else"""
from __future__ import print_function

import os
import socket
import struct
import time
import unittest

from cpy2py.meta import PROTOCOL_VERSION

import support
from support import TWIN_ID, guarded

#: what the receiver's RSS may grow by while a forged frame is pending
RSS_SLACK_KIB = 64 * 1024
FOUR_GIB = 2 ** 32 - 1


# -- code that runs in the twins (valid Python 2.7) -------------------------------------
def getenv(name):
    return os.environ.get(name)


def twin_len(text):
    """Run in 'peer': a call into 'twin' over a new connection"""
    from cpy2py import TwinMaster
    return TwinMaster(twinterpreter_id=TWIN_ID).execute(len, text)


def make_bytes(size, kind):
    value = b'\xa5' * size  # not ASCII: a Python 2 str arrives as bytes
    return bytearray(value) if kind == 'bytearray' else value


def make_pattern(size, kind):
    """Bytes that differ from offset to offset (a misplaced piece shows in the digest)"""
    import struct
    value = b''.join(struct.pack('<I', i) for i in range(size // 4 + 1))[:size]
    return bytearray(value) if kind == 'bytearray' else value


def receive_target_kinds(size):
    """In the twin: what cpy2py.wire.receive_targets makes for ``size`` bytes here"""
    from cpy2py.wire import receive_targets
    kinds = []
    for as_bytes in (True, False):
        made = receive_targets.new_target(size, as_bytes)
        if made is None:
            kinds.append(None)
            continue
        target, view = made
        view[:] = b'\x5a' * size
        view.release()
        kinds.append((type(target).__name__, len(target), target[:1] + target[-1:]))
    return kinds


def digest(value):
    import hashlib
    return len(value), hashlib.sha1(bytes(value)).hexdigest()


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise AssertionError('no VmRSS for pid %d' % pid)


class ForgedFrameTest(support.TwinTestCase):
    def setUp(self):
        support.TwinTestCase.setUp(self)
        self.pid = self.twin.execute(os.getpid)
        self.path = os.path.join(self.twin.execute(getenv, 'CPY2PY_RUN_DIR'), TWIN_ID + '.sock')
        self.token = self.twin.execute(getenv, 'CPY2PY_TOKEN')

    def authenticated(self):
        """A connection to the twin that passed the handshake (as an authorised peer would)"""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.settimeout(30)
        sock.connect(self.path)
        line = 'CPY2PY %d %s forger 0123456789ab 2\n' % (PROTOCOL_VERSION, self.token)
        sock.sendall(line.encode('ascii'))
        reply = sock.recv(1024)
        self.assertTrue(reply.startswith(b'OK'), reply)
        return sock

    def assertHarmless(self, data):
        """Send ``data`` (a forged frame's start) on an authenticated connection: the twin
        stays small and keeps serving while it waits for the rest"""
        rss_before = rss_kib(self.pid)
        sock = self.authenticated()
        sock.sendall(data)
        time.sleep(1.0)  # the twin reads the header (and what follows), then waits for more
        # calls keep working: the existing connection, a new one (accepted by the twin's
        # poller while the forged frame waits), and a sizeable value
        self.assertEqual(support.call_with_timeout(30, self.twin.execute, len, 'still works'), 11)
        self.assertEqual(support.call_with_timeout(30, self.peer.execute, twin_len, 'new peer'), 8)
        rss_during = rss_kib(self.pid)
        self.assertLess(rss_during - rss_before, RSS_SLACK_KIB,
                        'a forged header made the twin grow from %d KiB to %d KiB'
                        % (rss_before, rss_during))
        sock.close()
        self.assertEqual(self.twin.execute(len, 'after'), 5)

    @guarded(120)
    def test_payload_of_four_gib(self):
        self.assertHarmless(struct.pack('<II', FOUR_GIB, 0) + b'\x00' * 1000)

    @guarded(120)
    def test_payload_of_four_gib_arriving_slowly(self):
        """Some megabytes of the 4 GiB arrive: the receiver holds about as much as arrived"""
        self.assertHarmless(struct.pack('<II', FOUR_GIB, 0) + b'\x00' * (8 * 1024 * 1024))

    @guarded(120)
    def test_payloads_received_into_their_final_object_arriving_slowly(self):
        """Below RESERVE_LIMIT the payload is received into its final object at once (CPython
        3): 200 MiB (advised to use huge pages) and 900 MiB announced, 8 MiB sent: the
        reservation is address space only, the receiver holds about what arrived"""
        for announced in (200 * 1024 * 1024, 900 * 1024 * 1024):
            self.assertHarmless(struct.pack('<II', announced, 0) + b'\x00' * (8 * 1024 * 1024))

    @guarded(120)
    def test_out_of_band_bytes_received_into_their_final_object_arriving_slowly(self):
        """The same for an out-of-band ``bytes`` buffer of 600 MiB"""
        self.assertHarmless(struct.pack('<IIQ', 100, 1, (1 << 63) | (600 * 1024 * 1024))
                            + b'\x00' * (100 + 8 * 1024 * 1024))

    @guarded(120)
    def test_out_of_band_bytearray_of_four_gib(self):
        """A buffer table announcing a 4 GiB buffer after a small payload"""
        self.assertHarmless(struct.pack('<IIQ', 100, 1, FOUR_GIB) + b'\x00' * 1100)

    @guarded(120)
    def test_out_of_band_bytes_of_huge_size(self):
        """A ``bytes`` buffer of 2**62 bytes announced"""
        self.assertHarmless(struct.pack('<IIQ', 100, 1, (1 << 63) | (2 ** 62)) + b'\x00' * 1100)

    @guarded(120)
    def test_many_buffers_announced(self):
        """A buffer count of 2**32 - 1: refused, or the table is read as it arrives"""
        self.assertHarmless(struct.pack('<II', 100, FOUR_GIB) + b'\x00' * 1000)


class LargeValuesTest(support.TwinTestCase):
    """Real large values still cross whole (they grow the receive buffer as they arrive)"""

    def assertBothWays(self, make, size):
        """``make(size, kind)`` values cross whole to the twin and back, keeping their type"""
        for kind in ('bytes', 'bytearray'):
            value = make(size, kind)
            self.assertEqual(self.twin.execute(digest, value), digest(value), kind)
            back = self.twin.execute(make, size, kind)
            self.assertEqual(type(back), type(value), kind)
            self.assertEqual(digest(back), digest(value), kind)

    @guarded(120)
    def test_large_values_both_ways(self):
        self.assertBothWays(make_bytes, 70 * 1024 * 1024 + 3)

    @guarded(120)
    def test_large_values_received_into_advised_memory_arrive_intact(self):
        """Above receive_targets.MIN_SIZE (CPython 3: the final object, faulted in as huge
        pages), with an odd size and the frame's first bytes read before the target exists"""
        self.assertBothWays(make_pattern, 5 * 1024 * 1024 + 7)

    def test_receive_targets_where_the_interpreter_allows(self):
        size = 4 * 1024 * 1024
        kinds = self.twin.execute(receive_target_kinds, size)
        if self.twin.execute(support.implementation) == 'pypy' or support.twin_is_py2():
            self.assertEqual(kinds, [None, None])  # plain bytearrays there
        else:
            self.assertEqual(kinds, [('bytes', size, b'ZZ'), ('bytearray', size, bytearray(b'ZZ'))])
        self.assertEqual(self.twin.execute(receive_target_kinds, size - 1), [None, None])


if __name__ == '__main__':
    unittest.main()
