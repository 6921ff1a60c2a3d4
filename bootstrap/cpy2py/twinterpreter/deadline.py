"""
``cpy2py.deadline(seconds)``: bound every twin call a thread makes inside a block

::

    with cpy2py.deadline(2.5):
        master.execute(crunch, data)   # CallTimeout if it takes longer
        proxy.method()                 # the same deadline: the earliest one wins

At the deadline the caller gets :py:class:`~cpy2py.exceptions.CallTimeout` (a
``TimeoutError`` on Python 3), the twin is asked to interrupt the call, a reply that still
comes is dropped and the connection stays usable. Nested blocks take the earliest
deadline; a twin's own calls while it serves a bounded call inherit the time left. See
:py:mod:`cpy2py.kernel.deadlines` for what can be interrupted where.
"""
from cpy2py.kernel.deadlines import Bound


def _waiter():
    from cpy2py.kernel.kernel_state import get_kernel
    return get_kernel().thread_waiter()


class deadline(object):
    """Context manager: calls of this thread inside the block must end within ``seconds``"""

    def __init__(self, seconds):
        seconds = float(seconds)
        if seconds != seconds or seconds < 0:
            raise ValueError('a deadline needs a number of seconds >= 0, not %r' % (seconds,))
        self.seconds = seconds
        self._saved = []

    def __enter__(self):
        waiter = _waiter()
        self._saved.append((waiter, waiter.bound))
        waiter.bound = Bound(waiter, waiter.bound, self.seconds)
        return self

    def __exit__(self, *exc_info):
        waiter, previous = self._saved.pop()
        waiter.bound = previous
        return False


class cancellable(object):
    """Context manager for TwinMaster.submit's thread: its calls can be cancelled (the
    :py:class:`~cpy2py.kernel.deadlines.Bound` it returns)"""

    def __enter__(self):
        waiter = _waiter()
        self._saved = (waiter, waiter.bound)
        waiter.bound = Bound(waiter, waiter.bound)
        return waiter.bound

    def __exit__(self, *exc_info):
        waiter, previous = self._saved
        waiter.bound = previous
        return False
