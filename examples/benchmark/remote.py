"""
Twins on another host: call latency and bulk throughput over SSH, and start-up

    python3 examples/benchmark/remote.py [--blocks 21] [--calls 500] [--bulk-mb 16]
                                         [--startup-repeats 5 (0: skip)]

Starts a throwaway OpenSSH server on 127.0.0.1 (tests/e2e/sshd_fixture.py; needs
openssh-server) and runs itself under cpy2py-run with twin 'far' behind that sshd and twin
'near' a local python3. In one run, in interleaved blocks, it times:

* ``execute(time.time)`` in 'far' (remote), in 'near' (local), and the *raw floor*: the
  same pickled request and reply as a blocking ping-pong with a plain ``python3 -c`` loop
  started through ``ssh host python3 -c ...`` over the same kind of connection;
* bulk: ``execute(len, bytes)`` with --bulk-mb MB to 'far' beside the raw ping-pong
  sending the same bytes;

and, outside the supervisor, the start-up of ``cpy2py-run`` with one remote twin and one
call, over a fresh ssh connection and over an existing one (ControlMaster).
"""
import argparse
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))

from bench_binary import find_binary  # noqa: E402
from bench_timing import median, time_repr  # noqa: E402

PYTHON = os.path.realpath(sys.executable)

#: the raw floor's remote side: read a length-prefixed pickle, call, answer the same way
RAW_SERVER = (
    "import os,pickle,struct,time\n"
    "def r(n):\n"
    " b=b''\n"
    " while len(b)<n:\n"
    "  c=os.read(0,n-len(b))\n"
    "  if not c: raise SystemExit\n"
    "  b+=c\n"
    " return b\n"
    "while True:\n"
    " f,a=pickle.loads(r(struct.unpack('>I',r(4))[0]))\n"
    " d=pickle.dumps(f(*a),5)\n"
    " os.write(1,struct.pack('>I',len(d))+d)\n"
)


class RawPingPong(object):
    """``ssh host python3 -c RAW_SERVER``: one blocking request/reply per call"""

    def __init__(self, ssh):
        command = "%s -c '%s'" % (PYTHON, RAW_SERVER.replace("'", "'\"'\"'"))
        self.proc = subprocess.Popen(ssh + [command], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.out = self.proc.stdin.fileno()
        self.inp = self.proc.stdout.fileno()

    def _read(self, n):
        b = b''
        while len(b) < n:
            c = os.read(self.inp, n - len(b))
            if not c:
                raise EOFError
            b += c
        return b

    def call(self, function, *args):
        data = pickle.dumps((function, args), 5)
        os.write(self.out, struct.pack('>I', len(data)) + data)
        return pickle.loads(self._read(struct.unpack('>I', self._read(4))[0]))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def per_call(function, calls):
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def inner(args):
    """Runs under cpy2py-run"""
    from cpy2py import TwinMaster
    far, near = TwinMaster('far'), TwinMaster('near')
    raw = RawPingPong(json.loads(os.environ['BENCH_SSH']))
    payload = b'x' * (args.bulk_mb << 20)
    rows = {'far': [], 'near': [], 'raw': [], 'far bulk': [], 'raw bulk': []}
    for _ in range(50):   # warm up all three
        far.execute(time.time)
        near.execute(time.time)
        raw.call(time.time)
    for _ in range(args.blocks):
        rows['far'].append(per_call(lambda: far.execute(time.time), args.calls))
        rows['near'].append(per_call(lambda: near.execute(time.time), args.calls))
        rows['raw'].append(per_call(lambda: raw.call(time.time), args.calls))
        rows['far bulk'].append(per_call(lambda: far.execute(len, payload), 3))
        rows['raw bulk'].append(per_call(lambda: raw.call(len, payload), 3))
    raw.close()
    print('execute(time.time), median of %d interleaved blocks of %d calls:' % (args.blocks, args.calls))
    floor = median(rows['raw'])
    for name in ('far', 'near', 'raw'):
        value = median(rows[name])
        print('  %-28s %10s   %.2fx the raw ssh ping-pong' % (
            {'far': "remote twin 'far' (sshd)", 'near': "local twin 'near'", 'raw': 'raw ping-pong over ssh'}[name],
            time_repr(value), value / floor))
    # on a loaded machine the load shifts between blocks: a block's ratio compares times
    # taken seconds apart, the ratio of the medians times taken minutes apart
    ratios = [far_block / raw_block for far_block, raw_block in zip(rows['far'], rows['raw'])]
    print('  remote twin / raw ping-pong, median of the per-block ratios: %.2fx (range %.2f-%.2f)' % (
        median(ratios), min(ratios), max(ratios)))
    mb = args.bulk_mb * (1 << 20) / 1e6
    print('bulk: %d MiB bytes argument, median:' % args.bulk_mb)
    for name in ('far bulk', 'raw bulk'):
        value = median(rows[name])
        print('  %-28s %10s   %7.1f MB/s' % (
            {'far bulk': "remote twin 'far'", 'raw bulk': 'raw ping-pong over ssh'}[name], time_repr(value), mb / value))


def manifest(path, server, extra_options=()):
    with open(path, 'w') as f:
        f.write('\n'.join([
            '[main]', 'interpreter = "%s"' % PYTHON, '',
            '[twins.far]', 'host = "%s"' % server.host, 'interpreter = "%s"' % PYTHON,
            'ssh_options = %s' % json.dumps(list(server.ssh_options) + list(extra_options)), '',
            '[twins.near]', 'interpreter = "%s"' % PYTHON, 'start = "eager"', '']))


def startup(binary, server, tmp, repeats):
    app = os.path.join(tmp, 'one_call.py')
    with open(app, 'w') as f:
        f.write('from cpy2py import TwinMaster\nimport os\nTwinMaster("far").execute(os.getpid)\n')
    control = os.path.join(tmp, 'cm-%C')
    cm = ['-o', 'ControlMaster=auto', '-o', 'ControlPath=' + control, '-o', 'ControlPersist=60']
    results = {}
    for name, options in (('fresh ssh connection', ()), ('existing connection (ControlMaster)', cm)):
        path = os.path.join(tmp, 'startup.toml')
        manifest(path, server, options)
        if options:   # open the master once
            subprocess.check_call(['ssh'] + server.ssh_options + list(options) + [server.host, 'true'])
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.check_call([binary, '--manifest', path, app])
            samples.append(time.perf_counter() - start)
        results[name] = median(samples)
        if options:
            subprocess.call(['ssh'] + server.ssh_options + list(options) + ['-O', 'exit', server.host],
                            stderr=subprocess.DEVNULL)
    local = os.path.join(tmp, 'local.toml')
    with open(local, 'w') as f:
        f.write('[main]\ninterpreter = "%s"\n[twins.far]\ninterpreter = "%s"\n' % (PYTHON, PYTHON))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.check_call([binary, '--manifest', local, app])
        samples.append(time.perf_counter() - start)
    results['local twin (reference)'] = median(samples)
    print('start-up: cpy2py-run, one twin, one call, exit (median of %d):' % repeats)
    for name, value in results.items():
        print('  %-40s %10s' % (name, time_repr(value)))
    plain = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.check_call(['ssh'] + server.ssh_options + [server.host, PYTHON, '-c', 'pass'])
        plain.append(time.perf_counter() - start)
    print('  %-40s %10s' % ('plain `ssh host python3 -c pass`', time_repr(median(plain))))


def outer(args):
    from sshd_fixture import SshServer
    binary = find_binary()
    if binary is None:
        sys.exit('cpy2py-run not found (build it, or set CPY2PY_RUN_BINARY)')
    import shutil
    with SshServer() as server:
        tmp = tempfile.mkdtemp(prefix='cpy2py-bench-')
        try:
            path = os.path.join(tmp, 'cpy2py.toml')
            manifest(path, server)
            env = dict(os.environ, BENCH_SSH=json.dumps(['ssh', '-T'] + server.ssh_options + [server.host]))
            subprocess.check_call([binary, '--manifest', path, os.path.abspath(__file__), '--inner'] + sys.argv[1:],
                                  env=env)
            if args.startup_repeats > 0:
                startup(binary, server, tmp, args.startup_repeats)
        finally:
            shutil.rmtree(tmp, True)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--blocks', type=int, default=21)
    parser.add_argument('--calls', type=int, default=500)
    parser.add_argument('--bulk-mb', type=int, default=16)
    parser.add_argument('--startup-repeats', type=int, default=5)
    parser.add_argument('--inner', action='store_true')
    args = parser.parse_args()
    if args.inner:
        inner(args)
    else:
        outer(args)
