"""
Creating this process's kernel: supervised (cpy2py-run, or a twin) or standalone master

:py:func:`cpy2py.kernel.kernel_state.get_kernel` calls :py:func:`create_kernel` once.
"""
import atexit
import binascii
import os
import stat
import sys

from cpy2py.exceptions import ControlChannelLost, TwinterpreterUnavailable
from cpy2py.kernel import main_module
from cpy2py.kernel.kernel import Kernel
from cpy2py.kernel import observe
from cpy2py.kernel import signal_reports
from cpy2py.kernel import user_tracebacks
from cpy2py.utility.thread_limits import THREAD_ERRORS, describe


def _control_fd(value):
    """The inherited control socket (``value`` is what CPY2PY_CONTROL_FD said), or None
    without one (standalone). A socket from cpy2py-run (CPY2PY_RUN_DIR and CPY2PY_TOKEN set
    too) that is no longer there is an error: going on standalone would start twins
    cpy2py-run knows nothing of, or fail for twins only it can start."""
    if not value:
        return None
    try:
        fd = int(value)
    except ValueError:
        return None
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            return fd
        problem = 'is no longer a socket (it was closed and its number reused)'
    except OSError:
        problem = 'is closed'
    if not (os.environ.get('CPY2PY_RUN_DIR') and os.environ.get('CPY2PY_TOKEN')):
        return None
    if not _child_of_cpy2py_run():
        # a program started by a main that never imported cpy2py (which takes the variable
        # out of the environment): it inherited the variable, not the descriptor, and is a
        # main of its own
        return None
    raise ControlChannelLost(
        'the control channel to cpy2py-run was lost: descriptor %d (CPY2PY_CONTROL_FD) %s; the '
        'program closed it (os.closerange(3, ...), say), but twins need it: keep descriptor %d open'
        % (fd, problem, fd))


def _child_of_cpy2py_run():
    """Whether our parent process is cpy2py-run (True where /proc cannot tell)"""
    try:
        parent = os.readlink('/proc/%d/exe' % os.getppid())
    except (OSError, AttributeError):
        return True
    return os.path.basename(parent).startswith('cpy2py-run')


#: deep callback chains (A -> B -> A ...) need more than Python's default 1000 frames
MIN_RECURSION_LIMIT = 20000


def create_kernel(twin_id, master_id, control_fd=None):
    """The kernel of this process, which is twin ``twin_id`` in the group of ``master_id``;
    ``control_fd`` is the value CPY2PY_CONTROL_FD had (default: what it has now)"""
    if sys.getrecursionlimit() < MIN_RECURSION_LIMIT:
        sys.setrecursionlimit(MIN_RECURSION_LIMIT)
    if control_fd is None:
        control_fd = os.environ.get('CPY2PY_CONTROL_FD')
    if twin_id == master_id:
        # first: an error creating the kernel (no thread, no socket) shows the user's frames
        user_tracebacks.install()
    kernel = _create_kernel(twin_id, master_id, control_fd)
    if kernel.is_master:
        main_module.install_in_master()
    return kernel


def _create_kernel(twin_id, master_id, control_fd):
    fd = _control_fd(control_fd)
    if fd is not None and os.environ.get('CPY2PY_RUN_DIR') and os.environ.get('CPY2PY_TOKEN'):
        from cpy2py.kernel.control import SupervisorControl
        # our children must not believe they are part of this group
        for name in ('CPY2PY_CONTROL_FD', 'CPY2PY_TWIN_ID'):
            os.environ.pop(name, None)
        control = SupervisorControl(fd)
        kernel = Kernel(twin_id, master_id,
                        os.environ['CPY2PY_RUN_DIR'], os.environ['CPY2PY_TOKEN'], control)
        if kernel.is_master:
            refused = None
            try:
                control.serve_in_thread()
            except THREAD_ERRORS as err:  # `ulimit -u`: a clear error at the first call
                refused = describe(err, 'the thread that reads the control channel of cpy2py-run')
            if refused is not None:  # (raised here: not chained to the RuntimeError)
                raise TwinterpreterUnavailable(twin_id, refused)
            signal_reports.install(control)
            if observe.STATS:
                # a twin reports on SHUTDOWN (twin_main); the main when it exits
                atexit.register(lambda: control.report(observe.stats_line(twin_id)))
        return kernel
    from cpy2py.kernel.standalone import StandaloneSupervisor, make_run_dir
    run_dir = make_run_dir(master_id)
    token = binascii.hexlify(os.urandom(16)).decode('ascii')
    supervisor = StandaloneSupervisor(master_id, run_dir, token)
    kernel = Kernel(twin_id, master_id, run_dir, token, supervisor)
    supervisor.kernel = kernel
    return kernel
