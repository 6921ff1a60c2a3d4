"""
Daemon threads that end quietly when Python 2 tears the interpreter down

At exit, Python 2 sets the globals of every module to None while daemon threads still
run; one that wakes up then (a timer tick, a socket closed by the teardown) fails with
errors such as "'NoneType' object is not callable" printed to stderr. Python 3 instead
freezes daemon threads when they next take the GIL. Threads that tick on their own (the
promoter) are stopped by an atexit handler; this wrapper silences the rest.
"""
import atexit

#: False once the interpreter exits (None once Python 2 cleared this module's globals)
_running = True


def _exiting():
    global _running
    _running = False


atexit.register(_exiting)


def daemon_target(function):
    """``function`` as a thread target that ends silently if it fails during the teardown"""
    def run(*args):
        try:
            function(*args)
        except:  # noqa: E722  (no name lookups: the builtins may be gone already)
            if _running:
                raise
    return run
