"""
Deep callbacks between the main and twin 'other', and threads calling at the same time

Run with any main interpreter (2.7, 3.6+, PyPy); prints "ok" and must exit silently.
"""
from __future__ import print_function
import sys, threading, time
from cpy2py import TwinObject, twinfunction

class Ponger(TwinObject):
    __twin_id__ = 'other'
    def pong(self, peer, depth):
        if depth <= 0:
            return 0
        return peer.ping(self, depth - 1) + 1

class Pinger(TwinObject):
    __twin_id__ = 'main'
    def ping(self, peer, depth):
        if depth <= 0:
            return 0
        return peer.pong(self, depth - 1) + 1

@twinfunction('other')
def square(x):
    return x * x

def worker(n, out):
    s = 0
    for i in range(n):
        s += square(i)
    out.append(s)

if __name__ == '__main__':
    start = time.time()
    a, b = Pinger(), Ponger()
    for rep in range(20):
        assert a.ping(b, 200) == 200
    out = []
    threads = [threading.Thread(target=worker, args=(300, out)) for _ in range(4)]
    for t in threads: t.start()
    for rep in range(10):
        assert a.ping(b, 100) == 100
        square(3)
    for t in threads: t.join()
    assert out == [sum(i*i for i in range(300))] * 4, out
    print('ok %.2fs' % (time.time() - start))
