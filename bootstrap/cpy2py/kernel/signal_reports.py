"""
Telling cpy2py-run which signals the main caught itself (core/forward_decisions.hpp)

The main shares cpy2py-run's process group: a signal sent to the whole group (``kill -TERM
-PGID``, systemd stopping a service, ``timeout``) reaches the main directly, and
cpy2py-run, which got it too, cannot tell it from one sent to it alone. Forwarding it
anyway ran the main's handler twice: a second KeyboardInterrupt or SystemExit inside the
cleanup of the first. So the main's Python signal wakeup fd becomes the pipe cpy2py-run
handed over (``CPY2PY_SIGNAL_FD``): Python's own C-level handler writes one byte per caught
signal into it, with no thread and no GIL, and cpy2py-run forwards only the signals the main
did not report within a moment.

A wakeup fd the program set itself is left alone (asyncio's ``add_signal_handler`` replaces
ours later: signals are then forwarded after that moment, as before). Only the main thread
can set it; a kernel created in another thread goes without.
"""
import os
import signal
import stat
import sys
import threading

from cpy2py.utility.compat import set_cloexec


def install(control):
    """Make the wakeup fd cpy2py-run's pipe and tell it (``SIGNALS``); whether it worked"""
    fd = _inherited_pipe()
    if fd is None:
        return False
    if not _in_main_thread() or not _set_wakeup_fd(fd):
        os.close(fd)
        return False
    _forget_in_forked_children(fd)
    control.send('SIGNALS')
    return True


def _inherited_pipe():
    """The pipe's write end, or None without one (the variable is taken out of the
    environment either way: our children are not the main)"""
    value = os.environ.pop('CPY2PY_SIGNAL_FD', None)
    try:
        fd = int(value or '')
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return None  # closed and its number reused by the program: not ours to write
    except (ValueError, OSError):
        return None
    set_cloexec(fd)
    return fd


def _in_main_thread():
    main = getattr(threading, 'main_thread', None)
    if main is not None:
        return threading.current_thread() is main()
    return isinstance(threading.current_thread(), threading._MainThread)  # Python 2


def _set_wakeup_fd(fd):
    """Whether ``fd`` is now the wakeup fd; one the program set itself stays"""
    try:
        if sys.version_info >= (3, 7):
            previous = signal.set_wakeup_fd(fd, warn_on_full_buffer=False)
        else:
            previous = signal.set_wakeup_fd(fd)
    except (ValueError, OSError):
        return False
    if previous != -1:
        signal.set_wakeup_fd(previous)
        return False
    return True


def _forget_in_forked_children(fd):
    """A forked child's signals are its own: it must not report them as the main's"""
    register = getattr(os, 'register_at_fork', None)
    if register is None:
        return  # 2.7 and 3.6: a child's report can only make one signal skip its forward

    def in_child():
        try:
            if signal.set_wakeup_fd(-1) != fd:
                signal.set_wakeup_fd(fd)  # the child's own, set after ours: keep it
                return
            os.close(fd)
        except (ValueError, OSError):
            pass
    register(after_in_child=in_child)
