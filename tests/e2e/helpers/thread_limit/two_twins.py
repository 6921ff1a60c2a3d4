"""Eight threads call two twins; run under a low `ulimit -u`, anything may fail to start"""
import threading

from cpy2py import TwinObject


class InA(TwinObject):
    __twin_id__ = 'a'

    def echo(self, value):
        return value


class InB(TwinObject):
    __twin_id__ = 'b'

    def echo(self, value):
        return value


if __name__ == '__main__':
    a, b = InA(), InB()
    results = []

    def work(i):
        results.append(a.echo(i) + b.echo(i))
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print('SUM %d' % sum(results))
