"""
Seeing what runs: call statistics (``CPY2PY_STATS=1``) and a call trace (``CPY2PY_TRACE=FILE``)

Both are read once, when the kernel module is imported. When neither is set nothing here
is active and calls pay nothing: :py:func:`install` leaves ``Kernel.call`` and the channel
class alone. When one is set, ``Kernel.call`` is wrapped to time each call, and (stats)
connections use a channel that counts the bytes of calls.

Statistics are kept per target peer id: calls, errors (calls that raised), bytes of those
calls (requests sent, replies received, frame headers included), and a latency histogram
whose buckets are powers of ``2**0.25`` microseconds rounded to integers (so percentiles
read from merged histograms are within about 19 %). Before the process exits it reports them once: a twin on
SHUTDOWN, the main at exit, as the control line ``STATS <json>`` (see docs/DESIGN.md); a
standalone main, which has no supervisor, prints a table on stderr instead, with the rows
its twins reported to it.

The trace gets one line per call, appended by every process of the run to the same file
(``O_APPEND``, one ``write`` per line, so lines never interleave)::

    2026-11-30T08:30:00.123456Z main twin call builtins.len 41 ok
"""
import json
import math
import os
import threading
import time

from cpy2py.utility.compat import qualname
from cpy2py.utility.notices import warn
from cpy2py.protocol.messages import PREFIX, REQUEST
from cpy2py.wire.transport import FrameChannel, clock

#: whether calls are counted (CPY2PY_STATS set to anything but empty or 0)
STATS = os.environ.get('CPY2PY_STATS', '').strip() not in ('', '0')
#: where calls are traced, or None
TRACE_PATH = os.environ.get('CPY2PY_TRACE') or None
#: buckets per doubling of the latency histogram
BUCKETS_PER_OCTAVE = 4


def bucket(micros):
    """The histogram key of a latency: the smallest 2**(k/4) (rounded) not below it"""
    if micros <= 1:
        return '1'
    k = int(math.ceil(BUCKETS_PER_OCTAVE * math.log(micros, 2) - 1e-9))
    return str(int(round(2 ** (float(k) / BUCKETS_PER_OCTAVE))))


def percentile(hist, fraction):
    """The bucket bound below which ``fraction`` of the calls of ``hist`` lie (us), or None"""
    total = sum(hist.values())
    if not total:
        return None
    seen = 0
    for bound in sorted(hist, key=int):
        seen += hist[bound]
        if seen >= fraction * total:
            return int(bound)
    return None


class Recorder(object):
    """Counts per target peer id; thread-safe"""

    def __init__(self):
        self._lock = threading.Lock()
        #: peer id -> {'calls', 'errors', 'bytes_out', 'bytes_in', 'hist'}
        self.peers = {}

    def _entry(self, peer):
        entry = self.peers.get(peer)
        if entry is None:
            entry = self.peers[peer] = {
                'calls': 0, 'errors': 0, 'bytes_out': 0, 'bytes_in': 0, 'hist': {}}
        return entry

    def call(self, peer, micros, failed):
        key = bucket(micros)
        with self._lock:
            entry = self._entry(peer)
            entry['calls'] += 1
            if failed:
                entry['errors'] += 1
            entry['hist'][key] = entry['hist'].get(key, 0) + 1

    def moved(self, peer, sent, received):
        with self._lock:
            entry = self._entry(peer)
            entry['bytes_out'] += sent
            entry['bytes_in'] += received

    def report(self, twin_id):
        """The ``STATS`` document of this process: only peers it called"""
        with self._lock:
            calls = dict((peer, dict(entry, hist=dict(entry['hist'])))
                         for peer, entry in self.peers.items() if entry['calls'])
        return {'id': twin_id, 'calls': calls}


RECORDER = Recorder()


class CountingChannel(FrameChannel):
    """
    A frame channel that counts the bytes of the calls this process makes over it: request
    frames it sends (one-way messages such as releases aside) and reply frames it receives.
    Requests the peer makes and our replies to them count on the peer's side.
    """

    def __init__(self, sock, pending, peer, side=None):
        FrameChannel.__init__(self, sock, pending, side)
        self.peer = peer

    def send_message(self, kind, request_id, body, buffers=None, deadline=None):
        FrameChannel.send_message(self, kind, request_id, body, buffers, deadline)
        if kind == REQUEST and request_id:
            RECORDER.moved(self.peer, _HEADER_BYTES + len(body) + _buffer_bytes(buffers), 0)

    def read_frame(self):
        payload, buffers = FrameChannel.read_frame(self)
        if bytearray(payload[:1]) != _REQUEST_KIND:
            RECORDER.moved(self.peer, 0, 8 + len(payload) + _buffer_bytes(buffers))
        return payload, buffers


#: frame header and message prefix (kind, request id)
_HEADER_BYTES = 8 + PREFIX.size
_REQUEST_KIND = bytearray([REQUEST])


def _buffer_bytes(buffers):
    if not buffers:
        return 0
    return sum(8 + memoryview(buf).nbytes for buf in buffers)


# -- the trace ---------------------------------------------------------------------------
class TraceFile(object):
    """The shared trace file, opened for appending; None-like when it cannot be opened"""

    def __init__(self, path, who):
        self.fd = None
        try:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0)
            self.fd = os.open(path, flags, 0o644)
        except OSError as err:
            warn('cannot open the trace file %s (CPY2PY_TRACE): %s; %s does not trace its calls'
                  % (path, err.strerror or err, who))

    def write(self, line):
        try:
            os.write(self.fd, line.encode('utf-8'))
        except OSError:
            pass  # e.g. a full disk: tracing must never break a call


def describe(op, data):
    """What a request of ``op`` is about, as one word: a function, class or member"""
    try:
        if op == 'call':
            func = data[0]
            module = getattr(func, '__module__', None) or type(func).__module__
            name = qualname(func) if hasattr(func, '__name__') else type(func).__name__
            return _word('%s.%s' % (module, name))
        if op == 'new':
            return _word('%s.%s' % tuple(data[0]))
        if op in ('class_method', 'class_get', 'class_set', 'class_del'):
            return _word('%s.%s.%s' % (data[0][0], data[0][1], data[1]))
        if op in ('method', 'getattr', 'setattr', 'delattr'):
            return _word('#%s.%s' % (data[1], data[2]))
        if op in ('next', 'incref'):
            return '#%s' % (data[1],)
    except Exception:
        pass
    return '-'


def _word(text):
    return '_'.join(str(text).split()) or '-'


def _timestamp(seconds):
    whole = int(seconds)
    return '%s.%06dZ' % (time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(whole)),
                         int((seconds - whole) * 1e6))


# -- wiring it in ------------------------------------------------------------------------
def install(kernel_class):
    """
    Wrap ``kernel_class.call`` if statistics or tracing are on

    Returns the factory ``(sock, pending bytes, peer id, side socket) -> channel`` for new connections.
    """
    trace = None
    if TRACE_PATH:
        trace = TraceFile(TRACE_PATH, 'process %d' % os.getpid())
        if trace.fd is None:
            trace = None
    if trace is not None or STATS:
        kernel_class.call = _observed(kernel_class.call, trace)
    if STATS:
        return CountingChannel
    return _plain_channel


def _plain_channel(sock, pending, peer, side=None):
    return FrameChannel(sock, pending, side)


def _observed(call, trace):
    record = RECORDER.call if STATS else None

    def observed_call(kernel, conn, op, data, large_values=()):
        start = clock()
        failure = None
        try:
            return call(kernel, conn, op, data, large_values)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            micros = (clock() - start) * 1e6
            if record is not None:
                record(conn.peer_id, micros, failure is not None)
            if trace is not None:
                trace.write('%s %s %s %s %s %d %s\n' % (
                    _timestamp(time.time() - micros / 1e6), kernel.twin_id, conn.peer_id, op,
                    describe(op, data), int(round(micros)),
                    'ok' if failure is None else 'error:' + type(failure).__name__))
    observed_call.__doc__ = call.__doc__
    return observed_call


def stats_line(twin_id):
    """The control line a process sends before it exits, or None when stats are off"""
    if not STATS:
        return None
    return 'STATS ' + json.dumps(RECORDER.report(twin_id), sort_keys=True, separators=(',', ':'))


def table(reports):
    """A plain-text table of ``STATS`` documents (a standalone main prints it at exit)"""
    rows = [('FROM', 'TO', 'CALLS', 'ERRORS', 'P50', 'P99', 'BYTES_OUT', 'BYTES_IN')]
    for report in reports:
        for peer in sorted(report.get('calls', {})):
            entry = report['calls'][peer]
            rows.append((report.get('id', '?'), peer, str(entry['calls']), str(entry['errors']),
                         _micros(percentile(entry['hist'], 0.5)), _micros(percentile(entry['hist'], 0.99)),
                         str(entry['bytes_out']), str(entry['bytes_in'])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return 'cpy2py calls (CPY2PY_STATS):\n' + '\n'.join(lines) + '\n'


def _micros(value):
    if value is None:
        return '-'
    if value >= 10000:
        return '%.1fms' % (value / 1000.0)
    return '%dus' % value
