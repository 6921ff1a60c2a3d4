"""
The twin entry point: the body of a twin process (``<interpreter> cpy2py_twin.py``)

It listens on its socket, tells the supervisor READY and then serves requests on pool
threads; the main thread follows the control channel and ends the process on SHUTDOWN or
when the supervisor disappears.
"""
import os
import signal
import sys

from cpy2py.exceptions import TwinterpreterUnavailable
from cpy2py.kernel import observe, twin_exit
from cpy2py.utility import relayed_output


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


#: the GIL switch interval of a twin, in seconds (CPython's and PyPy's default: 5 ms)
TWIN_SWITCH_INTERVAL = 0.0005


def _favour_waiting_requests():
    """
    Shorten the GIL switch interval to TWIN_SWITCH_INTERVAL (Python 3)

    A twin serves the calls of several caller threads at once. A trivial request that comes
    while another thread runs Python code for milliseconds waits for the GIL a whole switch
    interval before it asks for it: at 5 ms it waits for most long calls to end, at 0.5 ms
    for a fraction of one (head_of_line.py, 1 ms CPU-bound calls beside: p50 0.60x a
    multiprocessing manager instead of 1.04x, the long calls' own rate unchanged). Only
    threads that contend for the GIL see the difference; an application that sets its own
    interval (sys.setswitchinterval, later) keeps it.
    """
    getter = getattr(sys, 'getswitchinterval', None)
    if getter is not None and abs(getter() - 0.005) < 1e-9:
        sys.setswitchinterval(TWIN_SWITCH_INTERVAL)


def _remove_orphaned_run_dir(kernel):
    """A standalone main that died (SIGTERM, SIGKILL, os._exit) never ran the atexit handler
    that removes its run directory: its twins, which notice, do (cpy2py-run cleans up its
    own, so only a standalone main's twins get CPY2PY_STANDALONE_PARENT)"""
    parent = os.environ.get('CPY2PY_STANDALONE_PARENT')
    if not parent or not kernel.run_dir:
        return
    try:
        parent = int(parent)
    except ValueError:
        return
    # a dying process closes its descriptors before its children are handed to init: the
    # end of the channel can come while it still is our parent
    import time
    end = time.time() + 2.0
    while os.getppid() == parent:
        if time.time() > end:
            return  # the main lives: it closed our channel on purpose and removes it itself
        time.sleep(0.01)
    import shutil
    shutil.rmtree(kernel.run_dir, ignore_errors=True)


def main():
    _favour_waiting_requests()
    relayed_output.encode_like_a_terminal()
    # terminal signals belong to the main; a twin stops through SHUTDOWN or SIGTERM
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # (importing this module ran cpy2py/__init__ first: logging, aliases, the proxy hooks)
    from cpy2py.kernel import main_module
    main_module.install_in_twin()
    from cpy2py.kernel.kernel_state import get_kernel
    kernel = get_kernel()
    control = kernel.supervisor
    try:
        kernel.start()
    except TwinterpreterUnavailable as err:
        # e.g. a run directory too long for socket paths: one clear line, no traceback
        sys.stderr.write('cpy2py: twin %r cannot start: %s\n' % (kernel.twin_id, err.reason))
        _flush()
        os._exit(1)

    def shutdown():
        kernel.close_listener()
        twin_exit.finish(kernel)  # atexit handlers, finalizers, files flushed
        report = observe.stats_line(kernel.twin_id)
        if report is not None:
            control.report(report)
        _flush()
        os._exit(0)

    def supervisor_gone():
        kernel.close_listener()
        _remove_orphaned_run_dir(kernel)
        _flush()
        try:
            if os.getpgrp() == os.getpid():
                os.killpg(os.getpid(), signal.SIGKILL)  # takes our own children along
        finally:
            os._exit(1)

    control.on_shutdown = shutdown
    control.on_eof = supervisor_gone
    control.ready()
    control.serve()
    supervisor_gone()
