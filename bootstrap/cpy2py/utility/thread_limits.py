"""
When the system refuses a thread

A process at its address-space limit (``ulimit -v``: every thread reserves a stack), at
its user's process limit (``ulimit -u``: threads count) or at the system's threads-max
cannot start another thread: ``thread.start()`` raises RuntimeError (Python 2:
``thread.error``). The runtime reports that with what helps, never as a traceback of its
own threads.
"""
try:  # Python 2
    from thread import error as _thread_error
except ImportError:
    _thread_error = RuntimeError

#: what starting a thread raises when the system refuses one
THREAD_ERRORS = (_thread_error, RuntimeError, MemoryError)

HINT = ('the process is at a limit: its address space (`ulimit -v`), its processes and '
        'threads (`ulimit -u`), or the system\'s threads-max')


def describe(err, what):
    """``cannot start <what> (RuntimeError: can't start new thread): <hint>``"""
    return 'cannot start %s (%s: %s): %s' % (what, type(err).__name__, err, HINT)


#: what this process already warned about (warn_once)
_warned = set()


def warn_once(what, message):
    """``cpy2py: warning: process PID: <message>`` on stderr, once per process for ``what``"""
    if what in _warned:
        return
    _warned.add(what)
    import os
    from cpy2py.utility.notices import warn
    warn('process %d: %s' % (os.getpid(), message))
