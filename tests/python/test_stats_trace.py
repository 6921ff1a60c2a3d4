"""Seeing what runs (issue 13, point 9): CPY2PY_STATS=1 counts calls per target and sends
one ``STATS <json>`` control line per process at exit (standalone: the main prints a
table), CPY2PY_TRACE=FILE appends one line per call from every process"""
from __future__ import print_function

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

import support
from support import TWIN_EXECUTABLE

APP = os.path.join(support.HELPERS, 'stats_app.py')
CALLS, CALLBACKS = 20, 3
APP_ENV = {'APP_TWIN': TWIN_EXECUTABLE, 'APP_CALLS': str(CALLS), 'APP_CALLBACKS': str(CALLBACKS)}
TRACE_LINE = re.compile(
    r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (\S+) (\S+) (\S+) (\S+) (\d+) (ok|error:\S+)$')


def bucket_bounds():
    """Every valid histogram key: 2**(k/4) microseconds rounded to an integer"""
    return set(str(int(round(2 ** (k / 4.0)))) for k in range(0, 200))


def result_of(out):
    lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
    return json.loads(lines[0][len('RESULT '):]) if len(lines) == 1 else None


class LineCollector(object):
    """Reads the lines a child sends on its control socket, in a thread, until EOF"""

    def __init__(self, sock, answer=None):
        self.sock = sock
        self.lines = []
        self.answer = answer
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read)
        self.thread.daemon = True
        self.thread.start()

    def _read(self):
        buffer = b''
        while True:
            try:
                chunk = self.sock.recv(65536)
            except socket.error:
                break
            if not chunk:
                break
            buffer += chunk
            while b'\n' in buffer:
                line, _, buffer = buffer.partition(b'\n')
                text = line.decode('utf-8')
                self.lines.append(text)
                if text.startswith('READY'):
                    self.ready.set()
                elif self.answer is not None:
                    self.answer(self, text)
        self.ready.set()

    def stats(self):
        found = [json.loads(line[len('STATS '):]) for line in self.lines if line.startswith('STATS ')]
        return found


class FakeSupervisor(object):
    """Just enough of cpy2py-run: a run directory, a twin and a main with control sockets"""

    def __init__(self, testcase, extra_env):
        self.run_dir = tempfile.mkdtemp(prefix='cpy2py-fake-')
        os.chmod(self.run_dir, 0o700)
        testcase.addCleanup(shutil.rmtree, self.run_dir, True)
        self.env = support.clean_env(dict(extra_env, **{
            'CPY2PY_RUN_DIR': self.run_dir, 'CPY2PY_TOKEN': '5ec7e7' * 5 + 'ab',
            'CPY2PY_MAIN_ID': 'main', 'CPY2PY_TWINS': 'twin',
            'CPY2PY_BOOTSTRAP': support.BOOTSTRAP, 'CPY2PY_MAIN_FILE': APP}))
        self.processes = []
        self.sockets = []
        testcase.addCleanup(self.kill_all)

    def spawn(self, twin_id, command, answer=None):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(self.env, CPY2PY_TWIN_ID=twin_id, CPY2PY_CONTROL_FD=str(theirs.fileno()))
        process = subprocess.Popen(command, env=env, pass_fds=(theirs.fileno(),),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=support.HELPERS)
        theirs.close()
        self.processes.append(process)
        self.sockets.append(ours)
        return process, ours, LineCollector(ours, answer)

    def kill_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.communicate()
        for sock in self.sockets:
            sock.close()


def answer_start(collector, line):
    """The fake supervisor's answers: the twin is up already"""
    verb, _, rest = line.partition(' ')
    if verb == 'START':
        collector.sock.sendall(('UP %s 1\n' % rest.split(' ')[0]).encode('utf-8'))
    elif verb == 'STOP':
        collector.sock.sendall(('DOWN %s\n' % rest).encode('utf-8'))


class StatsLineTest(unittest.TestCase):
    """The contract with the supervisor: one STATS line per process, checked field by field"""

    def test_stats_lines_of_main_and_twin(self):
        fake = FakeSupervisor(self, dict(APP_ENV, CPY2PY_STATS='1'))
        twin, twin_sock, twin_lines = fake.spawn(
            'twin', [TWIN_EXECUTABLE, os.path.join(support.BOOTSTRAP, 'cpy2py_twin.py')], answer_start)
        self.assertTrue(twin_lines.ready.wait(60), 'the twin never said READY')
        main, main_sock, main_lines = fake.spawn(
            'main', [os.path.realpath(sys.executable), APP], answer_start)
        out, err = main.communicate(timeout=120)
        out, err = out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
        self.assertEqual(main.returncode, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertNotIn('Traceback', err)
        main_lines.thread.join(30)
        twin_sock.sendall(b'SHUTDOWN\n')
        twin_lines.thread.join(30)
        self.assertEqual(twin.wait(timeout=30), 0)

        main_stats = main_lines.stats()
        self.assertEqual(len(main_stats), 1, main_lines.lines)
        stats = main_stats[0]
        self.assertEqual(stats['id'], 'main')
        self.assertEqual(sorted(stats['calls']), ['twin'])
        self.assertCounts(stats['calls']['twin'], CALLS + 2, 1)

        twin_stats = twin_lines.stats()
        self.assertEqual(len(twin_stats), 1, twin_lines.lines)
        self.assertEqual(twin_stats[0]['id'], 'twin')
        self.assertEqual(sorted(twin_stats[0]['calls']), ['main'])
        self.assertCounts(twin_stats[0]['calls']['main'], CALLBACKS, 0)
        # a standalone table is printed only without a supervisor
        self.assertNotIn('CALLS', err)

    def assertCounts(self, entry, calls, errors):
        self.assertEqual(sorted(entry), ['bytes_in', 'bytes_out', 'calls', 'errors', 'hist'])
        self.assertEqual(entry['calls'], calls, entry)
        self.assertEqual(entry['errors'], errors, entry)
        self.assertGreater(entry['bytes_out'], 0)
        self.assertGreater(entry['bytes_in'], 0)
        self.assertEqual(sum(entry['hist'].values()), calls, entry)
        self.assertTrue(set(entry['hist']) <= bucket_bounds(), entry['hist'])


class StandaloneTableTest(unittest.TestCase):
    """Without a supervisor the main prints the table itself"""

    def test_table_at_exit(self):
        code, out, err = support.run_app(['stats_app.py'], supervised=False,
                                         env=dict(APP_ENV, CPY2PY_STATS='1'))
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertNotIn('Traceback', err)
        main = result_of(out)['main']  # standalone, the executable's name (python3.11)
        rows = {}
        for line in err.splitlines():
            fields = line.split()
            if len(fields) >= 8 and fields[2].isdigit():
                rows[(fields[0], fields[1])] = fields
        self.assertIn((main, 'twin'), rows, err)
        self.assertEqual(rows[(main, 'twin')][2:4], [str(CALLS + 2), '1'], err)
        self.assertIn(('twin', main), rows, err)
        self.assertEqual(rows[('twin', main)][2:4], [str(CALLBACKS), '0'], err)
        self.assertIn('P99', err)

    def test_no_table_without_stats(self):
        code, out, err = support.run_app(['stats_app.py'], supervised=False, env=APP_ENV)
        self.assertEqual(code, 0, err)
        self.assertNotIn('P99', err)


class SupervisedStatsTest(unittest.TestCase):
    """``cpy2py-run --stats``: the supervisor gathers the STATS lines and prints the table"""

    def test_stats_option(self):
        try:
            usage = subprocess.check_output([support.RUN_BINARY, '--help'], stderr=subprocess.STDOUT)
        except (OSError, subprocess.CalledProcessError) as err:
            self.skipTest('cpy2py-run not usable (CPY2PY_RUN_BINARY=%s): %s' % (support.RUN_BINARY, err))
        if b'--stats' not in usage:
            self.skipTest('%s has no --stats option (yet)' % support.RUN_BINARY)
        code, out, err = support.run_app(['--stats', 'stats_app.py'], twins={'twin': TWIN_EXECUTABLE},
                                         env=APP_ENV, supervised=True)
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertNotIn('Traceback', err)
        rows = [line.split() for line in err.splitlines()]
        self.assertTrue(any('twin' in row and str(CALLS + 2) in row for row in rows),
                        'no row for the %d calls into twin in:\n%s' % (CALLS + 2, err))


class TraceTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix='cpy2py-trace-')
        self.addCleanup(shutil.rmtree, self.directory, True)

    def test_one_line_per_call_from_every_process(self):
        trace = os.path.join(self.directory, 'calls.trace')
        code, out, err = support.run_app(['stats_app.py'], twins={'twin': TWIN_EXECUTABLE},
                                         env=dict(APP_ENV, CPY2PY_TRACE=trace))
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        main = result_of(out)['main']
        with open(trace) as trace_file:
            lines = trace_file.read().splitlines()
        parsed = []
        for line in lines:
            match = TRACE_LINE.match(line)
            self.assertTrue(match, 'malformed trace line %r' % line)
            parsed.append(match.groups())
        to_twin = [fields for fields in parsed if fields[1:3] == (main, 'twin')]
        to_main = [fields for fields in parsed if fields[1:3] == ('twin', main)]
        self.assertEqual(len(to_twin), CALLS + 2, lines)
        self.assertEqual(len(to_main), CALLBACKS, lines)
        self.assertEqual(len(parsed), CALLS + 2 + CALLBACKS, lines)
        self.assertTrue(all(fields[3] == 'call' for fields in parsed), lines)
        targets = [fields[4] for fields in to_twin]
        self.assertEqual(targets.count('builtins.len') + targets.count('__builtin__.len'), CALLS, targets)
        errors = [fields for fields in to_twin if fields[6] != 'ok']
        self.assertEqual(len(errors), 1, lines)
        self.assertEqual(errors[0][6], 'error:ValueError')
        self.assertTrue(errors[0][4].endswith('.int'), errors)
        self.assertTrue(all(fields[4].endswith('plus_one') for fields in to_main), to_main)

    def test_unwritable_trace_file(self):
        trace = os.path.join(self.directory, 'missing', 'calls.trace')
        code, out, err = support.run_app(['stats_app.py'], twins={'twin': TWIN_EXECUTABLE},
                                         env=dict(APP_ENV, CPY2PY_TRACE=trace))
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        self.assertTrue(result_of(out), out)
        self.assertNotIn('Traceback', err)
        self.assertIn('cannot open', err)
        self.assertIn(trace, err)
        self.assertFalse(os.path.exists(trace))


if __name__ == '__main__':
    unittest.main()
