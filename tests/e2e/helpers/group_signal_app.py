"""
A main with a twin that counts the signals its handlers get (tests/e2e/test_group_signals.py)

    group_signal_app.py handler SIGNAME   count SIGNAME with a handler; prints 'hits N' at the end
    group_signal_app.py interrupt         default SIGINT: a KeyboardInterrupt whose cleanup
                                          takes a while; prints 'cleaned up' after it
    group_signal_app.py own-wakeup-fd     sets its own signal wakeup fd first: prints whether
                                          it still receives its bytes
Prints 'ready' once the twin answered; then waits up to 30 s. Python 2.7 and 3.
"""
from __future__ import print_function

import os
import signal
import sys
import time

from cpy2py import TwinObject


class Counter(TwinObject):
    __twin_id__ = 'tw'

    def pid(self):
        return os.getpid()


def say(text):
    print(text)
    sys.stdout.flush()


def wait(seconds, until=lambda: False):
    end = time.time() + seconds
    while time.time() < end and not until():
        time.sleep(0.002)


def count_with_handler(name):
    hits = []

    def handler(signum, frame):
        hits.append(signum)
        wait(0.3)  # a second copy would arrive meanwhile
    signal.signal(getattr(signal, name), handler)
    Counter().pid()
    say('ready')
    wait(30, until=lambda: hits)
    wait(1.0)  # time for a second copy to arrive
    say('hits %d' % len(hits))


def interrupt():
    Counter().pid()
    try:
        say('ready')  # (inside: the signal may come as soon as the line is out)
        wait(30)
    except KeyboardInterrupt:
        wait(1.0)  # a second KeyboardInterrupt would land here
        say('cleaned up')


def own_wakeup_fd():
    read_end, write_end = os.pipe()
    import fcntl
    fcntl.fcntl(write_end, fcntl.F_SETFL, fcntl.fcntl(write_end, fcntl.F_GETFL) | os.O_NONBLOCK)
    signal.set_wakeup_fd(write_end)
    signal.signal(signal.SIGUSR1, lambda signum, frame: None)
    Counter().pid()
    say('ready')
    fcntl.fcntl(read_end, fcntl.F_SETFL, fcntl.fcntl(read_end, fcntl.F_GETFL) | os.O_NONBLOCK)
    received = []

    def got_byte():
        try:
            received.append(os.read(read_end, 1))
        except OSError:
            pass
        return received
    wait(30, until=got_byte)
    say('own wakeup fd %s' % ('kept' if received else 'lost'))


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'handler':
        count_with_handler(sys.argv[2])
    elif mode == 'interrupt':
        interrupt()
    else:
        own_wakeup_fd()
