"""
A main for the remote-twin tests: twin 'far' runs on the test sshd ("another host").

    remote_app.py basic        calls, output, exceptions, callbacks, threads, lifetime
    remote_app.py killssh CFG  kills the ssh client (found by its -F CFG) between two calls
    remote_app.py info         prints the remote twin's pid and run directory only
    remote_app.py hold FILE    writes the twin's pid and run dir to FILE, then sleeps

Prints one JSON line "RESULT {...}" that the test reads.
"""
from __future__ import print_function
import json
import os
import platform
import signal
import sys
import threading
import time

from cpy2py import TwinObject, twinfunction, kernel_state


class Counter(TwinObject):
    __twin_id__ = 'far'

    def __init__(self, start):
        self.value = start

    def add(self, n):
        self.value += n
        return self.value

    def call_back(self, func, arg):
        return func(arg) + 1


@twinfunction('far')
def where():
    return {'twin': kernel_state.TWIN_ID, 'pid': os.getpid(), 'run_dir': os.environ.get('CPY2PY_RUN_DIR'),
            'host': os.environ.get('CPY2PY_REMOTE_HOST'), 'cwd': os.getcwd(),
            'mode': os.stat(os.environ['CPY2PY_RUN_DIR']).st_mode & 0o777,
            'greeting': os.environ.get('GREETING'), 'no_bytecode': sys.dont_write_bytecode,
            'executable': sys.executable, 'version': platform.python_version(),
            'implementation': platform.python_implementation(), 'conda_prefix': os.environ.get('CONDA_PREFIX')}


@twinfunction('far')
def speak(text):
    print(text)
    sys.stdout.flush()
    sys.stderr.write('err ' + text + '\n')
    sys.stderr.flush()
    return len(text)


@twinfunction('far')
def fail(message):
    raise ValueError(message)


@twinfunction('far')
def square(x):
    return x * x


@twinfunction('far')
def echo(data):
    return data


@twinfunction('far')
def nap(seconds):
    time.sleep(seconds)
    return seconds


def _where():
    return (kernel_state.TWIN_ID, os.getpid(), os.environ.get('CPY2PY_REMOTE_HOST'))


@twinfunction('far1')
def where_far1():
    return _where()


@twinfunction('far2')
def where_far2():
    return _where()


@twinfunction('other')
def where_other():
    return _where()


@twinfunction('near')
def where_near():
    return _where()


@twinfunction('main')
def where_main():
    return _where()


def _ask(target):
    """Where ``target`` runs, asked from here"""
    where = {'far1': where_far1, 'far2': where_far2, 'other': where_other, 'near': where_near, 'main': where_main}
    return [kernel_state.TWIN_ID, where[target]()]


@twinfunction('far1')
def ask_from_far1(target):
    return _ask(target)


@twinfunction('near')
def ask_from_near(target):
    return _ask(target)


@twinfunction('other')
def ask_from_other(target):
    return _ask(target)


def mesh(config):
    """Every kind of peer connection through the links: main -> remote, local twin -> remote,
    remote -> remote on the same host and across hosts, remote -> main"""
    calls = [
        ask_from_near('far1'), ask_from_far1('far2'), ask_from_far1('other'), ask_from_other('far1'),
        ask_from_far1('main'), ask_from_far1('near'), ask_from_other('main'),
    ]
    hosts = sorted(argv[-2].decode() for argv in
                   (open('/proc/%d/cmdline' % pid, 'rb').read().split(b'\0')[:-1] for pid in ssh_clients(config)))
    result(calls=calls, direct=[where_far1(), where_far2(), where_other()], ssh_destinations=hosts)


def _state():
    return [kernel_state.TWIN_ID, kernel_state.MASTER_ID, kernel_state.is_twinterpreter()]


def double(x):
    return 2 * x


def result(**values):
    print('RESULT ' + json.dumps(values))
    sys.stdout.flush()


def ssh_clients(config):
    pids = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % name, 'rb') as f:
                argv = f.read().split(b'\0')
        except (IOError, OSError):
            continue
        if os.path.basename(argv[0]) == b'ssh' and config.encode() in argv:
            pids.append(int(name))
    return pids


def basic():
    info = where()
    assert speak('hello from afar') == 15
    try:
        fail('boom')
    except ValueError as err:
        cause = getattr(err, '__cause__', None)
        error = {'type': type(err).__name__, 'message': str(err), 'cause': str(cause)}
    counter = Counter(10)
    counter.add(5)
    callback = counter.call_back(double, 20)
    out = []
    threads = [threading.Thread(target=lambda: out.append(sum(square(i) for i in range(50)))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    big = echo(b'x' * (3 << 20))
    result(info=info, error=error, value=counter.value, callback=callback, threads=out, big=len(big))


def killssh(config):
    from cpy2py.kernel.exceptions import TwinterpreterTerminated
    first = where()
    clients = ssh_clients(config)

    def kill_later():
        time.sleep(0.5)   # while nap() below is in flight
        for pid in clients:
            os.kill(pid, signal.SIGKILL)

    threading.Thread(target=kill_later).start()
    try:
        nap(60)
        failed = None
    except TwinterpreterTerminated as err:
        failed = type(err).__name__
    second = None
    for _ in range(100):   # the restart policy brings it back; until then calls fail
        try:
            second = where()
            break
        except Exception:
            time.sleep(0.1)
    result(first=first, second=second, failed=failed, clients=clients)


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'basic':
        basic()
    elif mode == 'killssh':
        killssh(sys.argv[2])
    elif mode == 'mesh':
        mesh(sys.argv[2])
    elif mode == 'stopstart':
        from cpy2py import TwinMaster
        first = where()
        TwinMaster('far').stop()
        TwinMaster('far').start()
        future = TwinMaster('far').submit(square, 7)
        result(first=first, second=where(), future=future.result(), twin_state=TwinMaster('far').execute(_state))
    elif mode == 'info':
        result(info=where())
    elif mode == 'partition':
        from cpy2py.kernel.exceptions import TwinterpreterTerminated
        info = where()
        with open(sys.argv[2] + '.tmp', 'w') as f:
            json.dump(info, f)
        os.rename(sys.argv[2] + '.tmp', sys.argv[2])
        messages = []
        try:
            nap(120)
            failed = None
        except TwinterpreterTerminated as err:
            failed = type(err).__name__
            messages.append(str(err))
        try:
            where()
            again = None
        except Exception as err:
            again = type(err).__name__
            messages.append(str(err))
        result(info=info, failed=failed, again=again, messages=messages)
    elif mode == 'hold':
        info = where()
        with open(sys.argv[2] + '.tmp', 'w') as f:
            json.dump(info, f)
        os.rename(sys.argv[2] + '.tmp', sys.argv[2])
        time.sleep(600)
