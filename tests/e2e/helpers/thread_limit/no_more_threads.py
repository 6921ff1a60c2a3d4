"""A twin that can start no more threads while the main's threads call it at once"""
import sys
import threading

from cpy2py import TwinObject


class Limited(TwinObject):
    __twin_id__ = 'tw'

    def leave_no_room_for_threads(self):
        # 4 MiB of address space above what the twin maps now: no thread stack fits
        import resource
        with open('/proc/self/statm') as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (size + (4 << 20), hard))

    def slow_echo(self, value):
        import time
        time.sleep(0.2)  # the calls overlap: the twin wants a thread for each
        return value


if __name__ == '__main__':
    count = int(sys.argv[1])
    limited = Limited()
    limited.leave_no_room_for_threads()
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(limited.slow_echo(i)))
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print('SUM %d' % sum(results))
