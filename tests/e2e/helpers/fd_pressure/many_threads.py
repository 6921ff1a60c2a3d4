"""40 threads call a twin that may open only ~40 files: some of their connections fail"""
import collections
import sys
import threading

from cpy2py import TwinObject


class Sleeper(TwinObject):
    __twin_id__ = 'tw'

    def sleep(self, seconds):
        import time
        time.sleep(seconds)
        return seconds

    def echo(self, value):
        return value


if __name__ == '__main__':
    sleeper = Sleeper()
    count = int(sys.argv[1])
    outcomes = collections.Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def worker():
        barrier.wait()
        for _ in range(3):
            try:
                sleeper.sleep(0.1)
                outcome = 'ok'
            except Exception as error:
                outcome = type(error).__name__
            with lock:
                outcomes[outcome] += 1
    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    print('OUTCOMES %s' % sorted(outcomes.items()))
    print('FINAL %s' % sleeper.echo('still here'))
