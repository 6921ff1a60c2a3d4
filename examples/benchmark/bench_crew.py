"""
A crew of persistent threads that run a block of calls together

Threads are created once, so thread start-up and the runtime's per-thread set-up are not
timed; each block starts all threads at one barrier and is timed until the last one ends.
"""
import threading
import time


class Crew(object):
    """``size`` threads; :py:meth:`run` makes each call ``function()`` ``count`` times"""

    def __init__(self, size):
        self.size = size
        self._start = threading.Barrier(size + 1)
        self._done = threading.Barrier(size + 1)
        self._job = None
        self.errors = []
        self.threads = [threading.Thread(target=self._loop, name='crew-%d' % i) for i in range(size)]
        for thread in self.threads:
            thread.daemon = True
            thread.start()

    def _loop(self):
        while True:
            self._start.wait()
            job = self._job
            if job is None:
                return
            function, count = job
            try:
                for _ in range(count):
                    function()
            except Exception as err:  # reported by run()
                self.errors.append(err)
            self._done.wait()

    def run(self, function, count):
        """Seconds until every thread made ``count`` calls of ``function()``"""
        self._job = (function, count)
        self._start.wait()
        start = time.perf_counter()
        self._done.wait()
        seconds = time.perf_counter() - start
        if self.errors:
            raise self.errors[0]
        return seconds

    def stop(self):
        self._job = None
        self._start.wait()
        for thread in self.threads:
            thread.join()
