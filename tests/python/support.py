"""
Shared helpers of the runtime suites (tests/python/test_*.py)

The suites run in a python3 main, either standalone (``python3 -m unittest``) or under
``cpy2py-run`` (see run_suites.py). Two twins take part:

* ``'twin'``: the interpreter under test (``CPY2PY_TEST_TWIN``: pypy3, python2.7, ...)
* ``'peer'``: always a python3 twin (``CPY2PY_TEST_PEER``), for twin-to-twin calls

Twins import the test modules (classes and functions travel by reference), so this file
and every test module must stay valid Python 2.7: no f-strings, no keyword-only
arguments, print as a function.
"""
from __future__ import print_function

import functools
import os
import subprocess
import sys
import threading
import time
import unittest

from cpy2py import TwinMaster, kernel_state

TWIN_ID = 'twin'
PEER_ID = 'peer'
TWIN_EXECUTABLE = os.environ.get('CPY2PY_TEST_TWIN') or sys.executable
PEER_EXECUTABLE = os.environ.get('CPY2PY_TEST_PEER') or sys.executable
#: 'supervised' (under cpy2py-run) or 'standalone'
MODE = os.environ.get('CPY2PY_TEST_MODE', 'standalone')
SUPERVISED = MODE == 'supervised'
RUN_BINARY = os.environ.get('CPY2PY_RUN_BINARY', 'cpy2py-run')
HERE = os.path.dirname(os.path.abspath(__file__))
HELPERS = os.path.join(HERE, 'helpers')
BOOTSTRAP = os.path.join(
    os.environ.get('CPY2PY_SOURCE_DIR') or os.path.dirname(os.path.dirname(HERE)), 'bootstrap')
#: seconds a single cross-interpreter operation may take before a test calls it a hang
HANG_TIMEOUT = 30.0


def start_twin(twin_id=TWIN_ID, executable=None):
    """The master of ``twin_id`` (started); works standalone (spawns) and supervised"""
    if executable is None:
        executable = PEER_EXECUTABLE if twin_id == PEER_ID else TWIN_EXECUTABLE
    master = TwinMaster(executable=executable, twinterpreter_id=twin_id)
    master.start()
    return master


# -- facts about the twin (module functions: they run wherever they are sent) ----------
def version_info():
    return tuple(sys.version_info[:3])


def implementation():
    return 'pypy' if hasattr(sys, 'pypy_version_info') else 'cpython'


def getpid():
    return os.getpid()


def where():
    return kernel_state.TWIN_ID, os.getpid()


_twin_version = []


def twin_version():
    """``sys.version_info[:3]`` of the twin under test (asked once)"""
    if not _twin_version:
        _twin_version.append(start_twin().execute(version_info))
    return _twin_version[0]


def twin_is_py2():
    return twin_version()[0] == 2


# -- hang protection --------------------------------------------------------------------
class Hang(AssertionError):
    """An operation did not finish in time (instead of blocking the whole suite)"""


def call_with_timeout(timeout, func, *args, **kwargs):
    """
    Run ``func(*args, **kwargs)`` in a daemon thread; return its result or raise its error

    Raises :py:class:`Hang` if it takes longer than ``timeout`` seconds: a hang fails the
    test instead of blocking CI (the stuck thread is left behind as a daemon).
    """
    outcome = {}

    def target():
        try:
            outcome['result'] = func(*args, **kwargs)
        except BaseException:
            outcome['error'] = sys.exc_info()

    thread = threading.Thread(target=target, name='watchdog-%s' % getattr(func, '__name__', 'call'))
    thread.daemon = True
    started = time.time()
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise Hang('%r did not finish within %.0f s' % (func, timeout))
    outcome['elapsed'] = time.time() - started
    if 'error' in outcome:
        error = outcome['error'][1]
        raise error
    return outcome['result']


def guarded(timeout=HANG_TIMEOUT):
    """Decorator for test methods: run the test under :py:func:`call_with_timeout`"""
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            return call_with_timeout(timeout, method, self, *args, **kwargs)
        return wrapper
    return decorator


def wait_until(predicate, timeout=10.0, interval=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def process_alive(pid):
    """True while ``pid`` exists and is not a zombie"""
    try:
        with open('/proc/%d/stat' % pid) as stat_file:
            stat = stat_file.read()
    except (IOError, OSError):
        return False
    return stat[stat.rindex(')') + 2] != 'Z'


# -- running separate applications (main-module, debug-log, run-dir tests) -------------
def keep_path(testcase):
    """Restore PATH as it is now when ``testcase`` ends (for tests that change it)"""
    old_path = os.environ.get('PATH')

    def restore():
        if old_path is None:
            os.environ.pop('PATH', None)
        else:
            os.environ['PATH'] = old_path
    testcase.addCleanup(restore)


def clean_env(extra=None):
    """Our environment without any cpy2py run context, plus the bootstrap on PYTHONPATH"""
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('CPY2PY_'))
    env['PYTHONPATH'] = BOOTSTRAP + os.pathsep + HERE
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    # (CPY2PY_BOOTSTRAP_DIR: an application run under cpy2py-run uses the runtime under test,
    # as the suite itself does, not the one the binary was built with)
    for key in ('CPY2PY_TEST_TWIN', 'CPY2PY_TEST_PEER', 'CPY2PY_TEST_MODE', 'CPY2PY_BOOTSTRAP_DIR'):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


def run_app(main_args, twins=None, env=None, cwd=None, timeout=90, supervised=None):
    """
    Run a separate application, the same way the suite itself runs (``MODE``)

    :param main_args: what follows the interpreter: ``['script.py', ...]`` or ``['-m', 'mod', ...]``
    :param twins: ``{twin_id: executable}`` declared to cpy2py-run (ignored standalone)
    Returns ``(returncode, stdout, stderr)`` as text.
    """
    if supervised is None:
        supervised = SUPERVISED
    if supervised:
        command = [RUN_BINARY, '--main-interpreter', os.path.realpath(sys.executable)]
        for twin_id, executable in sorted((twins or {}).items()):
            command += ['--twin', '%s=%s' % (twin_id, executable)]
        command += list(main_args)
    else:
        command = [os.path.realpath(sys.executable)] + list(main_args)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=clean_env(env), cwd=cwd or HELPERS)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        out, err = process.communicate()
    finally:
        timer.cancel()
    return process.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


class TwinTestCase(unittest.TestCase):
    """Base class: ``self.twin`` and ``self.peer`` are the started masters of both twins"""

    @classmethod
    def setUpClass(cls):
        cls.twin = start_twin(TWIN_ID)
        cls.peer = start_twin(PEER_ID)

    def setUp(self):
        # a test of an earlier class may have stopped or destroyed them
        self.twin = start_twin(TWIN_ID)
        self.peer = start_twin(PEER_ID)

    def require_py2_twin(self, reason):
        if not twin_is_py2():
            self.skipTest(reason)

    def require_py3_twin(self, reason):
        if twin_is_py2():
            self.skipTest(reason)
