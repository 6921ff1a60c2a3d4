"""Connections of single threads (issue 12): a thread other than the main one calls a twin
over a connection of its own; callbacks still reach the waiting thread, the connection is
closed when its thread ends (and the twin does not take that for our death), and a twin
restart replaces every one of them"""
from __future__ import print_function

import gc
import os
import signal
import socket
import threading
import time
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state
from cpy2py.kernel import kernel_state as _state
from cpy2py.kernel import kernel as _kernel_module
from cpy2py.kernel.references import thread_state as _tls

import support
from support import TWIN_ID, TWIN_EXECUTABLE, call_with_timeout, guarded

MAIN_ID = kernel_state.MASTER_ID
#: caller threads at once
THREADS = 6


# -- code that runs in the twins (valid Python 2.7) -------------------------------------
def arrived_over():
    """Which connection the request running this came over (its id in this process)"""
    return id(_tls.origin)


def still_open(conn_ids):
    """Those of ``conn_ids`` (see arrived_over) still open here"""
    return [id(conn) for conn in _state.get_kernel().poller.connections()
            if id(conn) in conn_ids and not conn.dead]


def thinks_dead(boot):
    """Whether this process took the process ``boot`` for dead"""
    return boot in _state.get_kernel().dead_boots


def whoami():
    return threading.current_thread().ident


def bounce(depth):
    """Bounce between the twin and the main ``depth`` times; returns the main's thread idents
    that ran the callbacks"""
    if kernel_state.TWIN_ID == MAIN_ID:
        here = [whoami()]
        if depth == 0:
            return here
        return here + TwinMaster(twinterpreter_id=TWIN_ID).execute(bounce, depth - 1)
    return TwinMaster(twinterpreter_id=MAIN_ID).execute(bounce, depth)


def relay(path):
    """Call along ``path`` (a list of twin ids); returns the ids that ran, in order"""
    if not path:
        return [kernel_state.TWIN_ID]
    return [kernel_state.TWIN_ID] + TwinMaster(twinterpreter_id=path[0]).execute(relay, path[1:])


def cut_own_connections():
    """End this thread's own connections without a goodbye, as a failed read of shared memory
    (no descriptor left) ends one while both processes live; returns how many"""
    holder = getattr(_tls, 'connections', None)
    mine = [conn for conn in (holder.conns.values() if holder else ()) if not conn.dead]
    for conn in mine:
        conn.channel.sock.shutdown(socket.SHUT_RDWR)
    return len(mine)


def call_main_from_a_thread_then_cut():
    """In a twin: a thread of its own calls the main over its own connection, which then
    ends without a goodbye; returns (the main's answer, connections cut)"""
    results = []

    def body():
        results.append(TwinMaster(twinterpreter_id=MAIN_ID).execute(whoami))
        results.append(cut_own_connections())
    thread = threading.Thread(target=body)
    thread.start()
    thread.join(support.HANG_TIMEOUT)
    return tuple(results)


def cut_connections_from(peer_id, delay):
    """In a twin: after ``delay`` seconds end every connection from ``peer_id`` (its shared one
    too) without a goodbye, as failed reads (no descriptor left) would, and live on"""
    def cut():
        time.sleep(delay)
        for conn in _state.get_kernel().poller.connections():
            if conn.peer_id == peer_id and not conn.dead:
                try:
                    conn.channel.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
    thread = threading.Thread(target=cut)
    thread.daemon = True
    thread.start()
    return os.getpid()


def short_lived_callers(count):
    """In a twin: ``count`` threads, one after the other, each call the main once, with the
    garbage collector off (PyPy drops a thread's locals only when it runs); returns how many
    connections of single threads this process has open then"""
    import gc
    gc.disable()
    try:
        for _ in range(count):
            thread = threading.Thread(target=TwinMaster(twinterpreter_id=MAIN_ID).execute, args=(whoami,))
            thread.start()
            thread.join(support.HANG_TIMEOUT)
        # (CPython drops them as each thread ends; its releaser thread closes them soon after)
        support.wait_until(lambda: len(own_connections()) <= 2)
        return len(own_connections())
    finally:
        gc.enable()


_HELD = []


def hold_every_descriptor():
    """In a twin: use up every file descriptor (under a lowered limit), so that it can accept
    no connection; returns how many it holds"""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    _HELD.append((soft, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir('/proc/self/fd')) + 4, hard))
    try:
        while True:
            _HELD.append(open(os.devnull))
    except (IOError, OSError):
        pass
    return len(_HELD) - 1


def connections_from(peer_id):
    """How many connections from ``peer_id`` this process has open"""
    return len([conn for conn in _state.get_kernel().poller.connections()
                if conn.peer_id == peer_id and not conn.dead])


def release_descriptors():
    import resource
    limits = _HELD.pop(0)
    for held in _HELD:
        held.close()
    del _HELD[:]
    resource.setrlimit(resource.RLIMIT_NOFILE, limits)


class Box(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value

    def pid(self):
        return os.getpid()


def in_threads(count, function):
    """Run ``function(n)`` in ``count`` threads that all started before any of them ends;
    returns their results"""
    results, errors = [None] * count, []
    barrier = threading.Barrier(count) if hasattr(threading, 'Barrier') else None

    def body(n):
        try:
            results[n] = function(n, barrier)
        except BaseException as err:
            errors.append(err)
            if barrier is not None:
                barrier.abort()
    threads = [threading.Thread(target=body, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.daemon = True
        thread.start()
    for thread in threads:
        thread.join(support.HANG_TIMEOUT)
    if any(thread.is_alive() for thread in threads):
        raise support.Hang('caller threads still running')
    if errors:
        raise errors[0]
    return results


def own_connections():
    """This process's open connections of single threads"""
    kernel = _state.get_kernel()
    with kernel._lock:
        return [conn for conn in kernel._private if not conn.dead]


class ThreadConnectionsTest(support.TwinTestCase):
    def setUp(self):
        support.TwinTestCase.setUp(self)
        if not _state.get_kernel().is_master or os.environ.get('CPY2PY_THREAD_CONNECTIONS') == '0':
            self.skipTest('connections of single threads are off')
        self.boot = _state.get_kernel().boot_id

    @guarded()
    def test_each_thread_has_its_own_connection_closed_when_it_ends(self):
        box = Box(42)
        self.assertEqual(box.get(), 42)
        # (this test runs in a thread of its own: it has a connection of its own too)
        ours = set(own_connections())
        mine = self.twin.execute(arrived_over)

        def call(n, barrier):
            value = box.get()
            barrier.wait(support.HANG_TIMEOUT)  # all threads hold their connections now
            return value, self.twin.execute(arrived_over)
        results = in_threads(THREADS, call)
        self.assertEqual([value for value, _ in results], [42] * THREADS)
        theirs = set(conn_id for _, conn_id in results)
        self.assertEqual(len(theirs), THREADS, 'the threads did not call over a connection each')
        self.assertNotIn(mine, theirs)

        # the threads ended: their connections close (PyPy: once their locals are collected)
        def left():
            gc.collect()
            return set(own_connections()) - ours
        self.assertTrue(support.wait_until(lambda: not left()), left())
        self.assertTrue(support.wait_until(lambda: not self.twin.execute(still_open, theirs)),
                        'the twin still has %d of their connections'
                        % len(self.twin.execute(still_open, theirs)))
        # ... and the twin did not take that for our death: our proxies still work both ways
        self.assertFalse(self.twin.execute(thinks_dead, self.boot))
        self.assertEqual(box.get(), 42)
        self.assertEqual(self.twin.execute(arrived_over), mine)
        self.assertEqual(in_threads(2, lambda n, barrier: box.get()), [42, 42])

    @guarded()
    def test_a_connection_that_ends_without_goodbye_is_not_its_process_death(self):
        # (the end of a connection the other side opened tells nothing of which of its
        # connections it was: before, the twin took it for our death, closed every other
        # connection of ours, and we in turn took that for its death: StaleProxy)
        box = Box(7)
        twin_boot = _state.get_kernel().connection(TWIN_ID).peer_boot

        def call(n, barrier):
            value = box.get()
            return value, cut_own_connections()
        self.assertEqual(in_threads(1, call), [(7, 1)])
        self.assertEqual(self.twin.execute(arrived_over), self.twin.execute(arrived_over))
        self.assertFalse(self.twin.execute(thinks_dead, self.boot))
        self.assertEqual(box.get(), 7)
        self.assertEqual(set(bounce(2)), set([whoami()]))
        # the other way round: a thread of the twin cuts its own connection to us
        answer, cut = self.twin.execute(call_main_from_a_thread_then_cut)
        self.assertEqual(cut, 1)
        self.assertTrue(answer)
        self.assertNotIn(twin_boot, _state.get_kernel().dead_boots)
        self.assertEqual(box.get(), 7)
        self.assertEqual(in_threads(2, lambda n, barrier: box.get()), [7, 7])

    @guarded()
    def test_connections_of_ended_threads_close_before_new_ones_open(self):
        # (before: a PyPy twin kept them until its garbage collector ran, and a program
        # starting many short-lived calling threads ran out of descriptors and hung)
        self.assertLessEqual(self.twin.execute(short_lived_callers, 60), 2)

    @guarded()
    def test_a_twin_that_accepts_no_connection_is_called_over_the_shared_one(self):
        # (before: a new thread's call waited for its own connection's handshake until the
        # twin closed some files, for ever if it never did)
        box = Box(3)
        patience = getattr(_kernel_module, 'THREAD_CONNECT_PATIENCE', None)
        self.addCleanup(setattr, _kernel_module, 'THREAD_CONNECT_PATIENCE', patience)
        _kernel_module.THREAD_CONNECT_PATIENCE = 0.5  # (quicker to give up than the 3 s a run waits)
        # connections that earlier threads' ends close meanwhile would give the twin back
        # descriptors at random: let them close first
        kernel = _state.get_kernel()
        gc.collect()
        kernel._close_for_ended_threads()

        def settled():
            ours = len([conn for conn in kernel.poller.connections() if conn.peer_id == TWIN_ID and not conn.dead])
            return self.twin.execute(connections_from, kernel.twin_id) == ours
        self.assertTrue(support.wait_until(settled))
        self.assertGreater(self.twin.execute(hold_every_descriptor), 0)
        try:
            results = in_threads(2, lambda n, barrier: (box.get(), box.get(), Box(n).get()))
        finally:
            self.twin.execute(release_descriptors)
        self.assertEqual(results, [(3, 3, 0), (3, 3, 1)])
        self.assertEqual(in_threads(1, lambda n, barrier: box.get()), [3])

    @guarded()
    def test_main_thread_is_not_slowed_into_the_shared_path(self):
        kernel = _state.get_kernel()
        kernel.multi_caller = False  # (set for good by threads that called over a shared one)
        in_threads(THREADS, lambda n, barrier: Box(n).get())
        # threads that called over their own connections never read the main's frames
        self.assertFalse(kernel.multi_caller)

    @guarded()
    def test_callbacks_reach_the_waiting_thread_with_several_connections(self):
        def call(n, barrier):
            barrier.wait(support.HANG_TIMEOUT)
            return whoami(), bounce(8)
        for me, idents in in_threads(THREADS, call):
            self.assertEqual(idents, [me] * 9)

    @guarded(timeout=2 * support.HANG_TIMEOUT)
    def test_twin_restart_replaces_every_connection(self):
        kernel = _state.get_kernel()
        boxes = [Box(n) for n in range(THREADS)]
        pid = boxes[0].pid()
        old_boot = kernel.connection(TWIN_ID).peer_boot
        held = threading.Event()
        gate = threading.Event()

        def call(n, barrier):
            first = boxes[n].get()
            if barrier.wait(support.HANG_TIMEOUT) == 0:
                held.set()  # every thread holds a connection of its own to the old process
            gate.wait(support.HANG_TIMEOUT)
            # a new process, reached over new connections
            return first, Box(n).get(), Box(n).pid()
        done = []

        def run():
            done.append(in_threads(THREADS, call))
        runner = threading.Thread(target=run)
        runner.daemon = True
        runner.start()
        self.assertTrue(held.wait(support.HANG_TIMEOUT))
        self.assertGreaterEqual(
            len([conn for conn in own_connections() if conn.peer_boot == old_boot]), THREADS)
        os.kill(pid, signal.SIGKILL)
        self.assertTrue(support.wait_until(lambda: not support.process_alive(pid)))

        # every connection to the killed process is noticed dead, the threads' own ones too
        def still_open():
            return [conn for conn in own_connections() + kernel.live_peers() if conn.peer_boot == old_boot]
        self.assertTrue(support.wait_until(lambda: not still_open()), still_open())
        self.twin = support.start_twin(TWIN_ID)
        gate.set()
        runner.join(support.HANG_TIMEOUT)
        self.assertTrue(done, 'caller threads did not finish')
        for n, (first, again, new_pid) in enumerate(done[0]):
            self.assertEqual((first, again), (n, n))
            self.assertNotEqual(new_pid, pid)
        self.assertNotEqual(kernel.connection(TWIN_ID).peer_boot, old_boot)


class ConnectionsEndWhileThePeerLivesTest(support.TwinTestCase):
    @guarded()
    def test_the_twin_ends_every_connection_of_ours_and_lives_on(self):
        # (before: the end of our shared connection counted as the twin's death, so its
        # proxies, even of objects made afterwards, raised StaleProxy while it ran on)
        kernel = _state.get_kernel()
        box = Box(5)
        twin_boot = kernel.connection(TWIN_ID).peer_boot
        ours = [conn for conn in kernel.poller.connections() if conn.peer_id == TWIN_ID and not conn.dead]
        pid = self.twin.execute(cut_connections_from, kernel.twin_id, 0.1)
        self.assertTrue(support.wait_until(lambda: all(conn.dead for conn in ours)),
                        'the connections the twin ended are not noticed')
        self.assertNotIn(twin_boot, kernel.dead_boots)
        self.assertEqual(box.get(), 5)
        self.assertEqual(Box(6).get(), 6)
        self.assertEqual(box.pid(), pid)
        self.assertFalse(self.twin.execute(thinks_dead, kernel.boot_id))


class ThirdProcessJoinsTest(unittest.TestCase):
    """A callback of a chain may come from a process that connects only during the call (a
    caller that counted one peer when it began must still see it: it once hung)"""
    IDS = ('join-a', 'join-b')

    def tearDown(self):
        for twin_id in self.IDS:
            call_with_timeout(support.HANG_TIMEOUT, TwinMaster(
                executable=TWIN_EXECUTABLE, twinterpreter_id=twin_id).destroy)

    @guarded()
    def test_callback_over_a_connection_opened_during_the_call(self):
        first, second = self.IDS
        for twin_id in self.IDS:  # fresh processes: neither has talked to the other yet
            support.start_twin(twin_id, TWIN_EXECUTABLE)
        path = [first, MAIN_ID, second, first]
        self.assertEqual(relay(path), [MAIN_ID] + path)


if __name__ == '__main__':
    unittest.main()
