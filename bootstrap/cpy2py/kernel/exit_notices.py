"""
How the processes of each twin ended, as a supervisor tells it

cpy2py-run sends ``EXITED <id> <how>`` for every twin process that ends; a standalone main
learns it from the exit status of the twins it spawned. A call that lost its twin asks
whether one ended after its connection was made (counting the notices), waiting a moment
for the notice, so that it can say "its process ended with signal 9 (SIGKILL)".
"""
import threading

from cpy2py.wire.transport import clock


class ExitNotices(object):
    """Per twin id: how many of its processes ended, and how the last one did"""

    def __init__(self):
        self._cond = threading.Condition(threading.Lock())
        #: twin id -> (number of notices so far, how the last one says it ended)
        self._exits = {}
        self._closed = False

    def record(self, twin_id, how):
        with self._cond:
            self._exits[twin_id] = (self._exits.get(twin_id, (0, None))[0] + 1, how)
            self._cond.notify_all()

    def close(self):
        """No notice will come any more (the supervisor is gone): waits end at once"""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def seen(self, twin_id):
        """How many notices about ``twin_id`` came so far"""
        with self._cond:
            return self._exits.get(twin_id, (0, None))[0]

    def wait(self, twin_id, seen, timeout):
        """How twin ``twin_id`` ended ("exit code 3"), from a notice after the first ``seen``
        ones, waiting at most ``timeout`` seconds for it; None if none came"""
        end = clock() + timeout
        with self._cond:
            while True:
                count, how = self._exits.get(twin_id, (0, None))
                if count > seen:
                    return how
                left = end - clock()
                if left <= 0 or self._closed:
                    return None
                self._cond.wait(left)
