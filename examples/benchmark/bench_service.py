"""
Work for the load benchmarks, served by a twin and by a ``multiprocessing`` manager

threads.py, head_of_line.py and bigdata.py compare the runtime with the standard
library's way of serving an object to several threads: a ``BaseManager`` subclass whose
server process holds a :py:class:`Service` (one server thread per client connection, one
connection per client thread). The same functions run in a twin through ``execute``.
Runs on Python 2.7 and 3.x.
"""
import time

try:
    from multiprocessing.managers import BaseManager
except ImportError:  # pragma: no cover - a Python without multiprocessing
    BaseManager = object


def now():
    return time.time()


def sleep_ms(ms):
    """A call that waits (sleep, as I/O would) for ``ms`` milliseconds"""
    time.sleep(ms / 1000.0)


def burn_ms(ms):
    """A call that holds the CPU (and the GIL) for ``ms`` milliseconds"""
    end = time.time() + ms / 1000.0
    count = 0
    while time.time() < end:
        count += 1
    return count


class Service(object):
    """The object a manager serves: the same work as the module functions"""

    def now(self):
        return now()

    def sleep_ms(self, ms):
        return sleep_ms(ms)

    def burn_ms(self, ms):
        return burn_ms(ms)


class ServiceManager(BaseManager):
    pass


ServiceManager.register('Service', Service)


def start_manager():
    """A started manager (a forked server process) and the proxy of its Service; fork
    before any runtime thread runs"""
    import multiprocessing
    manager = ServiceManager(ctx=multiprocessing.get_context('fork'))
    manager.start()
    return manager, manager.Service()
