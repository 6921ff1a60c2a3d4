"""The handshake checks every field before it answers OK (issue 13, F7): a client with the
right secret but a wrong version, id, boot id or pickle protocol is answered NO and closed"""
from __future__ import print_function

import os
import socket
import unittest

from cpy2py.meta import PROTOCOL_VERSION

import support
from support import TWIN_ID, guarded


# -- code that runs in the twin (valid Python 2.7) --------------------------------------
def getenv(name):
    return os.environ.get(name)


def line(version=None, token=None, twin_id='checker', boot='0123456789ab', protocol='2'):
    return 'CPY2PY %s %s %s %s %s\n' % (
        PROTOCOL_VERSION if version is None else version, token, twin_id, boot, protocol)


class HandshakeCase(support.TwinTestCase):
    """Raw connections to the twin's socket"""

    def setUp(self):
        support.TwinTestCase.setUp(self)
        self.path = os.path.join(self.twin.execute(getenv, 'CPY2PY_RUN_DIR'), TWIN_ID + '.sock')
        self.token = self.twin.execute(getenv, 'CPY2PY_TOKEN')

    def answer(self, text):
        """Send one handshake line; returns (everything the twin answered, closed)"""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.settimeout(30)
        sock.connect(self.path)
        sock.sendall(text.encode('ascii'))
        data = b''
        while True:
            try:
                chunk = sock.recv(1024)
            except socket.timeout:
                return data, False
            except socket.error:
                return data, True
            if not chunk:
                return data, True
            data += chunk
            if data.startswith(b'OK') and data.endswith(b'\n'):
                return data, False  # accepted: it waits for frames now

    def assertRefused(self, text, reason):
        data, closed = self.answer(text)
        self.assertTrue(data.startswith(b'NO'), 'answer to %r: %r' % (text, data))
        self.assertIn(reason, data.decode('ascii'), data)
        self.assertTrue(closed, 'the connection stayed open after %r' % (data,))
        self.assertEqual(self.twin.execute(len, 'still works'), 11)


class HandshakeChecksTest(HandshakeCase):
    @guarded()
    def test_a_correct_line_is_accepted(self):
        """Control: the lines below differ from an accepted one in one field only"""
        data, closed = self.answer(line(token=self.token))
        self.assertTrue(data.startswith(b'OK'), data)
        self.assertFalse(closed)

    @guarded()
    def test_wrong_protocol_version(self):
        self.assertRefused(line(version=PROTOCOL_VERSION + 1, token=self.token), 'protocol version')
        self.assertRefused(line(version='one', token=self.token), 'protocol version')

    @guarded()
    def test_malformed_ids(self):
        for bad in ('a/b', 'x' * 300, '\x01'):
            self.assertRefused(line(token=self.token, twin_id=bad), 'id')

    @guarded()
    def test_malformed_boot_ids(self):
        for bad in ('xyz', '0123456789abcdef0', 'ZZZZZZZZZZZZ'):
            self.assertRefused(line(token=self.token, boot=bad), 'boot id')

    @guarded()
    def test_pickle_protocol_out_of_range(self):
        for bad in ('1', '0', '-2', 'five', '100000'):
            self.assertRefused(line(token=self.token, protocol=bad), 'pickle protocol')

    @guarded()
    def test_wrong_secret_wins_over_other_faults(self):
        """Without the secret the answer says nothing about the other fields"""
        data, closed = self.answer(line(token='f' * 32, boot='xyz', protocol='x'))
        self.assertTrue(data.startswith(b'NO'), data)
        self.assertIn(b'secret', data)
        self.assertTrue(closed)


class HandshakeAbandonedTest(HandshakeCase):
    """A client that goes away (or stalls) between the twin's OK and its answer to the
    shared-memory offer must not stop the twin from accepting connections: once, it left the
    one-shot listener unarmed for good and every later connection hung"""

    def offer_and_leave(self, stall=False):
        """Offer shared memory, read the OK, then close (or stay silent); whether the twin
        offered shared memory back (else there is no answer it waits for)"""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.settimeout(30)
        sock.connect(self.path)
        sock.sendall((line(token=self.token, protocol='5').rstrip('\n') + ' shm:%d\n' % os.getpid()).encode('ascii'))
        data = b''
        while not data.endswith(b'\n'):
            chunk = sock.recv(1024)
            if not chunk:
                break
            data += chunk
        self.assertTrue(data.startswith(b'OK'), data)
        if not stall:
            sock.close()
        return b'shm:' in data

    @guarded(60)
    def test_a_client_gone_before_its_answer(self):
        for _ in range(3):
            offered = self.offer_and_leave()
            data, closed = self.answer(line(token=self.token))
            self.assertTrue(data.startswith(b'OK'), 'not accepted after an abandoned handshake: %r' % data)
        if not offered:
            self.skipTest('the twin offers no shared memory (Python %s): no answer to abandon'
                          % '.'.join(map(str, support.twin_version())))

    @guarded(60)
    def test_a_client_silent_after_the_offer(self):
        self.offer_and_leave(stall=True)
        data, closed = self.answer(line(token=self.token))
        self.assertTrue(data.startswith(b'OK'), data)
        self.assertEqual(self.twin.execute(len, 'still works'), 11)


if __name__ == '__main__':
    unittest.main()
