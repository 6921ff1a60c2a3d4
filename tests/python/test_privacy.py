"""Private by default: only processes that prove the run's secret can make a twin do anything"""
from __future__ import print_function

import json
import os
import pickle
import socket
import stat
import struct
import tempfile
import shutil
import time
import unittest

from cpy2py.meta import PROTOCOL_VERSION

import support
from support import TWIN_ID, TWIN_EXECUTABLE


def run_dir_of_twin():
    return os.environ.get('CPY2PY_RUN_DIR')


def forged_request(marker):
    """A complete request frame that would make the receiver create the directory ``marker``"""
    body = pickle.dumps(('intruder:1', 'call', (os.mkdir, (marker,), {})), 2)
    payload = struct.pack('<BQ', 0, 1) + body   # REQUEST, request id 1
    return struct.pack('<II', len(payload), 0) + payload


def handshake_line(token, twin_id='intruder', boot='0123456789ab', protocol=2):
    return ('CPY2PY %d %s %s %s %d\n' % (PROTOCOL_VERSION, token, twin_id, boot, protocol)).encode('ascii')


def read_until_closed(sock, timeout=15.0):
    """Everything the server sends until it closes the connection (or the timeout)"""
    sock.settimeout(timeout)
    data = b''
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            return data, False
        except socket.error:
            return data, True  # reset by the server
        if not chunk:
            return data, True
        data += chunk
    return data, False


class PrivacyTest(support.TwinTestCase):
    def setUp(self):
        support.TwinTestCase.setUp(self)
        self.run_dir = self.twin.execute(run_dir_of_twin)
        self.assertTrue(self.run_dir, 'the twin has no CPY2PY_RUN_DIR')
        self.socket_path = os.path.join(self.run_dir, TWIN_ID + '.sock')
        self.assertTrue(os.path.exists(self.socket_path), os.listdir(self.run_dir))
        self.scratch = tempfile.mkdtemp(prefix='cpy2py-privacy-')
        self.addCleanup(shutil.rmtree, self.scratch, True)
        self.marker = os.path.join(self.scratch, 'created-by-intruder')

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.socket_path)
        self.addCleanup(sock.close)
        return sock

    def assertRefused(self, data):
        sock = self.connect()
        sock.sendall(data)
        reply, closed = read_until_closed(sock)
        self.assertTrue(closed, 'the twin kept the connection open; it sent %r' % (reply,))
        self.assertFalse(reply.startswith(b'OK'), reply)
        time.sleep(0.2)
        self.assertFalse(os.path.exists(self.marker), 'the twin ran the intruder\'s request')
        self.assertEqual(self.twin.execute(len, 'still works'), 11)
        return reply

    def test_run_dir_is_private(self):
        mode = stat.S_IMODE(os.stat(self.run_dir).st_mode)
        self.assertEqual(mode, 0o700, oct(mode))
        self.assertEqual(os.stat(self.run_dir).st_uid, os.getuid())
        self.assertTrue(stat.S_ISSOCK(os.stat(self.socket_path).st_mode))

    def test_wrong_secret_is_refused(self):
        reply = self.assertRefused(handshake_line('0' * 32) + forged_request(self.marker))
        self.assertTrue(reply.startswith(b'NO'), reply)

    def test_empty_secret_is_refused(self):
        self.assertRefused(handshake_line('') + forged_request(self.marker))

    def test_request_without_handshake_is_refused(self):
        self.assertRefused(forged_request(self.marker) + b'\n')

    def test_raw_pickle_is_never_loaded(self):
        self.assertRefused(pickle.dumps((os.mkdir, (self.marker,)), 2) + b'\n')

    def test_overlong_handshake_is_refused(self):
        self.assertRefused(b'CPY2PY ' + b'x' * 5000 + b'\n')

    def test_wrong_secret_then_request(self):
        """The intruder waits for the answer to its handshake before sending the request"""
        sock = self.connect()
        sock.sendall(handshake_line('f' * 32))
        sock.settimeout(15)
        reply = sock.recv(1024)
        self.assertTrue(reply.startswith(b'NO'), reply)
        try:
            sock.sendall(forged_request(self.marker))
        except socket.error:
            pass  # already closed: fine
        reply, closed = read_until_closed(sock)
        self.assertTrue(closed)
        time.sleep(0.2)
        self.assertFalse(os.path.exists(self.marker))

    def test_forged_request_works_with_the_secret(self):
        """Control: the same request with the real secret does run, so the refusals are real"""
        from cpy2py.kernel.kernel_state import get_kernel
        sock = self.connect()
        sock.sendall(handshake_line(get_kernel().token, twin_id='control', protocol=2))
        sock.settimeout(15)
        self.assertTrue(sock.recv(1024).startswith(b'OK'))
        sock.sendall(forged_request(self.marker))
        self.assertTrue(support.wait_until(lambda: os.path.isdir(self.marker), timeout=10),
                        'the control request did not run: the forged frame is wrong')


    def test_request_sent_together_with_the_handshake(self):
        """A peer may send its first request right behind its handshake (no wait for OK)"""
        from cpy2py.kernel.kernel_state import get_kernel
        sock = self.connect()
        sock.sendall(handshake_line(get_kernel().token, twin_id='pipelined', protocol=2) +
                     forged_request(self.marker))
        self.assertTrue(support.wait_until(lambda: os.path.isdir(self.marker), timeout=10),
                        'a request that arrived with the handshake was never run')


class RunDirLifetimeTest(unittest.TestCase):
    def test_run_dir_is_removed_at_exit(self):
        code, out, err = support.run_app(
            ['run_dir_app.py'], twins={'rdtwin': TWIN_EXECUTABLE}, env={'APP_TWIN': TWIN_EXECUTABLE})
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
        self.assertEqual(len(lines), 1, out)
        result = json.loads(lines[0][len('RESULT '):])
        self.assertTrue(result['run_dir'])
        self.assertEqual(result['mode'], 0o700)
        self.assertTrue(result['sockets'], result)
        self.assertTrue(support.wait_until(lambda: not os.path.exists(result['run_dir']), timeout=10),
                        'run directory %s still exists after exit' % result['run_dir'])


if __name__ == '__main__':
    unittest.main()
