"""
Standalone mode: the main interpreter supervises its own twins

Used when the application runs as plain ``python3 app.py`` (no ``cpy2py-run``): like the
original library, ``TwinMaster.start()`` or the first use of a twin id spawns it. The
twins get the same environment and control channel as under ``cpy2py-run``; each runs
in its own process group and exits when this process goes away.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from cpy2py.kernel.control import LineReader, encode_line
from cpy2py.exceptions import TwinterpreterUnavailable
from cpy2py.kernel import launch_env, observe, stale_run_dirs
from cpy2py.kernel.exit_notices import ExitNotices
from cpy2py.kernel.kernel import SOCKET_PATH_MAX
from cpy2py.kernel.main_module import main_module_env
from cpy2py.protocol import handshake
from cpy2py.utility.compat import PY3, set_inheritable, set_cloexec
from cpy2py.utility.notices import warn

#: seconds a twin gets to stop after SHUTDOWN, and again after SIGTERM
SHUTDOWN_GRACE = 2.0
#: a run directory must leave room in socket paths for twin ids this long
ID_ROOM = 24
#: where the run directory goes when the temporary directory cannot take it
FALLBACK_DIRS = ('/tmp', '/var/tmp', '/dev/shm')


def make_run_dir(master_id):
    """
    A new private (0700) run directory for a standalone main

    In the temporary directory (``TMPDIR``, as :py:mod:`tempfile` picks it), unless that is
    unusable or too long for socket paths: then in the first of FALLBACK_DIRS that works,
    with a warning that says why. Raises TwinterpreterUnavailable when none works.
    """
    default = tempfile.gettempdir()
    problems = []
    for base in [default] + [path for path in FALLBACK_DIRS if path != default]:
        # mkdtemp adds 'cpy2py-' and 8 characters; a socket is '<id>.sock'
        longest = len(os.path.join(base, 'cpy2py-12345678', 'i' * ID_ROOM + '.sock').encode('utf-8'))
        if longest > SOCKET_PATH_MAX:
            problems.append('%s is too long for the sockets in it (a socket path would have %d '
                            'bytes, at most %d work)' % (base, longest, SOCKET_PATH_MAX))
            continue
        stale_run_dirs.sweep(base)
        try:
            run_dir = tempfile.mkdtemp(prefix='cpy2py-', dir=base)
            os.chmod(run_dir, 0o700)
        except (OSError, IOError) as err:
            reason = getattr(err, 'strerror', None) or err
            problems.append('cannot create a directory in %s: %s' % (base, reason))
            continue
        if problems:
            warn('the run directory is %s, because %s%s' % (
                run_dir, '; '.join(problems), ' (set by TMPDIR)' if os.environ.get('TMPDIR') else ''))
        return run_dir
    raise TwinterpreterUnavailable(master_id, 'no directory for the run\'s sockets: %s; set TMPDIR '
                                   'to a short, writable directory' % '; '.join(problems))


def describe_exit(returncode):
    """"exit code 3" or "signal 9 (SIGKILL)", as cpy2py-run says it"""
    if returncode is None or returncode >= 0:
        return 'exit code %s' % returncode
    number = -returncode
    names = [name for name in dir(signal) if name.startswith('SIG') and not name.startswith('SIG_')
             and getattr(signal, name) == number]
    # the canonical name where a signal has aliases (SIGABRT, not SIGIOT)
    names.sort(key=lambda name: (name in ('SIGIOT', 'SIGCLD', 'SIGPOLL'), name))
    return 'signal %d (%s)' % (number, names[0]) if names else 'signal %d' % number


class _Twin(object):
    def __init__(self, twin_id, executable, process, control):
        self.twin_id = twin_id
        self.executable = executable
        self.process = process
        self.control = control
        self.reader = LineReader(control)
        self.send_lock = threading.Lock()
        #: the thread reading this twin's control lines
        self.serving = None

    def send(self, line):
        with self.send_lock:
            try:
                self.control.sendall(encode_line(line))
            except (OSError, socket.error):
                pass

    def alive(self):
        return self.process.poll() is None


class StandaloneSupervisor(object):
    """Spawns and stops twins for a master that runs without cpy2py-run"""

    def __init__(self, master_id, run_dir, token):
        self.master_id = master_id
        self.run_dir = run_dir
        self.token = token
        self._twins = {}
        self._lock = threading.Lock()
        self._start_locks = {}
        #: twin id -> dict of TwinMaster settings (main_module, run_main, restore_argv)
        self.settings = launch_env.SETTINGS
        self.kernel = None
        #: STATS documents the twins sent before they exited (CPY2PY_STATS)
        self.reports = []
        #: how the twins' processes ended, as cpy2py-run's EXITED notices tell it: a call
        #: that lost its twin says "its process ended with signal 9"
        self._exits = ExitNotices()
        atexit.register(self.shutdown)

    def exits_seen(self, twin_id):
        """How many processes of ``twin_id`` ended so far (see Kernel._how_it_ended)"""
        return self._exits.seen(twin_id)

    def wait_exit(self, twin_id, seen, timeout):
        """How twin ``twin_id``'s process ended once more than ``seen`` did (see
        ExitNotices.wait)"""
        return self._exits.wait(twin_id, seen, timeout)

    def _start_lock(self, twin_id):
        with self._lock:
            return self._start_locks.setdefault(twin_id, threading.Lock())

    def start_twin(self, twin_id, executable=None):
        handshake.check_twin_id(twin_id)
        with self._start_lock(twin_id):
            twin = self._twins.get(twin_id)
            if twin is not None and twin.alive():
                return
            # a twin asking for a twin id names no executable: use the one our TwinMaster knows,
            # else the id itself (as cpy2py-run does for an undeclared id)
            named = executable or launch_env.EXECUTABLES.get(twin_id)
            self._twins[twin_id] = self._spawn(twin_id, named or twin_id, named is not None)

    def _spawn(self, twin_id, executable, named=True):
        try:
            path = launch_env.resolve_interpreter(executable)
        except OSError as err:
            if twin_id in os.environ.get('CPY2PY_TWINS', '').split():
                # a program that a process of a cpy2py-run run started (a multiprocessing
                # 'spawn' worker, a subprocess): "declare it with --twin" would mislead
                raise TwinterpreterUnavailable(twin_id, (
                    "this process (pid %d) was started by a program that cpy2py-run runs, not by "
                    "cpy2py-run: it is a main of its own, without the twins of that run (twin %r "
                    "serves the processes cpy2py-run started). Make the twin calls in the main, or "
                    "start a twin of this process's own: TwinMaster(executable='pypy3', "
                    "twinterpreter_id=%r).start() (%s)" % (os.getpid(), twin_id, twin_id, err)))
            if named:
                raise TwinterpreterUnavailable(twin_id, str(err))
            raise TwinterpreterUnavailable(twin_id, (
                "no TwinMaster names its interpreter, and %s. Name it before the twin is used, e.g. "
                "TwinMaster(executable='pypy3', twinterpreter_id=%r); under cpy2py-run, declare it with "
                "--twin %s=INTERPRETER or a [twins.%s] table in cpy2py.toml"
                % (err, twin_id, twin_id, twin_id)))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        set_cloexec(ours.fileno())
        set_inheritable(theirs.fileno())
        env = dict(os.environ)
        for name in ('CPY2PY_MAIN_FILE', 'CPY2PY_MAIN_MODULE', 'CPY2PY_RUN_MAIN', 'CPY2PY_ARGV'):
            env.pop(name, None)
        env.update(main_module_env(**self.settings.get(twin_id, {})))
        env.update({
            'CPY2PY_TWIN_ID': twin_id,
            'CPY2PY_MAIN_ID': self.master_id,
            'CPY2PY_RUN_DIR': self.run_dir,
            'CPY2PY_TOKEN': self.token,
            'CPY2PY_CONTROL_FD': str(theirs.fileno()),
            # a twin that outlives this process removes the run directory (twin_main)
            'CPY2PY_STANDALONE_PARENT': str(os.getpid()),
            'CPY2PY_BOOTSTRAP': launch_env.BOOTSTRAP_DIR,
            'PYTHONPATH': launch_env.pythonpath_with_bootstrap(),
        })
        command = [path] + (['-O'] if not __debug__ else []) + [launch_env.TWIN_SCRIPT]
        kwargs = {'env': env, 'preexec_fn': os.setpgrp}
        if PY3:
            kwargs['pass_fds'] = (theirs.fileno(),)
        else:
            kwargs['close_fds'] = False
        try:
            process = subprocess.Popen(command, **kwargs)
        except OSError as err:
            ours.close()
            theirs.close()
            raise TwinterpreterUnavailable(twin_id, 'cannot run %s: %s' % (path, err))
        theirs.close()
        twin = _Twin(twin_id, path, process, ours)
        line = twin.reader.read_line()
        if line is None or not line.startswith('READY'):
            status = process.wait()
            ours.close()
            raise TwinterpreterUnavailable(
                twin_id, '%s exited with status %s before it was ready' % (path, status))
        thread = twin.serving = threading.Thread(
            target=self._serve_twin, args=(twin,), name='cpy2py-control-%s' % twin_id)
        thread.daemon = True
        thread.start()
        return twin

    def _serve_twin(self, twin):
        """Answer START/STOP requests a twin sends us; notice its death"""
        while True:
            line = twin.reader.read_line()
            if line is None:
                break
            verb, _, rest = line.partition(' ')
            target, _, executable = rest.partition(' ')
            if verb == 'START':
                threading.Thread(target=self._answer_start, args=(twin, target, executable or None)).start()
            elif verb == 'STOP':
                self.stop_twin(target)
                twin.send('DOWN %s' % target)
            elif verb == 'STATS':
                try:
                    self.reports.append(json.loads(rest))
                except ValueError:
                    pass
        try:
            twin.control.close()
        except (OSError, socket.error):
            pass
        if self.kernel is not None:
            self._exits.record(twin.twin_id, describe_exit(twin.process.wait()))
            self.kernel.peer_died(twin.twin_id)

    def _answer_start(self, twin, target, executable):
        try:
            if target == self.master_id:
                twin.send('UP %s %d' % (target, os.getpid()))
                return
            self.start_twin(target, executable)
            twin.send('UP %s %d' % (target, self._twins[target].process.pid))
        except TwinterpreterUnavailable as err:
            twin.send('ERROR %s %s' % (target, err.reason))

    def stop_twin(self, twin_id):
        with self._start_lock(twin_id):
            twin = self._twins.pop(twin_id, None)
        if twin is not None:
            self._stop(twin)

    def _stop(self, twin):
        """SHUTDOWN, then SIGTERM, then SIGKILL, each after the grace period"""
        if twin.alive():
            twin.send('SHUTDOWN')
            steps = [(SHUTDOWN_GRACE, signal.SIGTERM), (SHUTDOWN_GRACE, signal.SIGKILL)]
            for grace, signum in steps:
                if self._wait(twin.process, grace):
                    break
                try:
                    os.killpg(twin.process.pid, signum)
                except OSError:
                    pass
            twin.process.wait()
        if twin.serving is not None and twin.serving is not threading.current_thread():
            twin.serving.join(1.0)  # its last lines (STATS) are read before we close
        try:
            twin.control.close()
        except (OSError, socket.error):
            pass

    @staticmethod
    def _wait(process, timeout):
        deadline = time.time() + timeout
        delay = 0.001
        while process.poll() is None:
            if time.time() > deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return True

    def pid_of(self, twin_id):
        twin = self._twins.get(twin_id)
        return twin.process.pid if twin is not None and twin.alive() else None

    def shutdown(self):
        """Stop every twin (in parallel) and remove the run directory"""
        with self._lock:
            twins = list(self._twins.values())
            self._twins.clear()
        threads = [threading.Thread(target=self._stop, args=(twin,)) for twin in twins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        if observe.STATS and self.kernel is not None:
            # no supervisor to aggregate the counts: print them, with the twins' rows
            reports = [observe.RECORDER.report(self.kernel.twin_id)] + self.reports
            try:
                sys.stderr.write(observe.table(reports))
                sys.stderr.flush()
            except Exception:
                pass
