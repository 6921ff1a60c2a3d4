"""
Creating this process's kernel: supervised (cpy2py-run, or a twin) or standalone master

:py:func:`cpy2py.kernel.kernel_state.get_kernel` calls :py:func:`create_kernel` once.
"""
import atexit
import binascii
import os
import stat
import sys

from cpy2py.kernel import main_module
from cpy2py.kernel.kernel import Kernel
from cpy2py.kernel import observe
from cpy2py.kernel import user_tracebacks


def _control_fd():
    """The inherited control socket, if there is a valid one"""
    value = os.environ.get('CPY2PY_CONTROL_FD')
    if not value:
        return None
    try:
        fd = int(value)
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            return fd
    except (ValueError, OSError):
        pass
    return None


#: deep callback chains (A -> B -> A ...) need more than Python's default 1000 frames
MIN_RECURSION_LIMIT = 20000


def create_kernel(twin_id, master_id):
    """The kernel of this process, which is twin ``twin_id`` in the group of ``master_id``"""
    if sys.getrecursionlimit() < MIN_RECURSION_LIMIT:
        sys.setrecursionlimit(MIN_RECURSION_LIMIT)
    kernel = _create_kernel(twin_id, master_id)
    if kernel.is_master:
        main_module.install_in_master()
        user_tracebacks.install()
    return kernel


def _create_kernel(twin_id, master_id):
    fd = _control_fd()
    if fd is not None and os.environ.get('CPY2PY_RUN_DIR') and os.environ.get('CPY2PY_TOKEN'):
        from cpy2py.kernel.control import SupervisorControl
        # our children must not believe they are part of this group
        for name in ('CPY2PY_CONTROL_FD', 'CPY2PY_TWIN_ID'):
            os.environ.pop(name, None)
        control = SupervisorControl(fd)
        kernel = Kernel(twin_id, master_id,
                        os.environ['CPY2PY_RUN_DIR'], os.environ['CPY2PY_TOKEN'], control)
        if kernel.is_master:
            control.serve_in_thread()
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
