"""Callbacks: A -> B -> A chains to any depth, run in the waiting thread; twin-to-twin calls"""
from __future__ import print_function

import sys
import threading
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state

import support
from support import TWIN_ID, PEER_ID, guarded

MAIN_ID = kernel_state.MASTER_ID


# -- code that runs anywhere (valid Python 2.7) -----------------------------------------
def master_for(twin_id):
    """The master to call ``twin_id`` from wherever this runs"""
    return TwinMaster(twinterpreter_id=twin_id)


def ping_pong(depth, here, there):
    """Bounce between ``here`` and ``there`` ``depth`` times; returns the ids visited"""
    if depth == 0:
        return [kernel_state.TWIN_ID]
    return [kernel_state.TWIN_ID] + master_for(there).execute(ping_pong, depth - 1, there, here)


def ping_pong_count(depth, here, there):
    """Like ping_pong, but only counts hops (small replies for deep chains)"""
    if depth == 0:
        return 0
    return 1 + master_for(there).execute(ping_pong_count, depth - 1, there, here)


def relay(path):
    """Call along ``path`` (a list of twin ids); returns the ids that ran, in order"""
    if not path:
        return [kernel_state.TWIN_ID]
    return [kernel_state.TWIN_ID] + master_for(path[0]).execute(relay, path[1:])


def call_main_back(function, *args):
    """Runs in a twin: call ``function(*args)`` back in the main"""
    return master_for(MAIN_ID).execute(function, *args)


class ChainError(Exception):
    pass


def raise_at_depth(depth, here, there):
    """Bounce ``depth`` times, then raise at the bottom of the chain"""
    if depth == 0:
        raise ChainError('bottom in %s' % kernel_state.TWIN_ID)
    return master_for(there).execute(raise_at_depth, depth - 1, there, here)


def catch_in_the_middle(depth, catch_at, here, there):
    """Like raise_at_depth, but the level ``catch_at`` catches the error and returns normally"""
    if depth == 0:
        raise ChainError('bottom')
    try:
        return master_for(there).execute(catch_in_the_middle, depth - 1, catch_at, there, here)
    except ChainError as err:
        if depth == catch_at:
            return 'caught at %d in %s: %s' % (depth, kernel_state.TWIN_ID, err)
        raise


# main-side state the callbacks inspect
MAIN_LOCK = threading.RLock()
MAIN_LOCAL = threading.local()


def inspect_thread():
    """Runs in the main, called back from a twin: what thread am I, what can I see"""
    acquired = MAIN_LOCK.acquire(False)
    if acquired:
        MAIN_LOCK.release()
    return {
        'twin': kernel_state.TWIN_ID,
        'ident': threading.current_thread().ident,
        'rlock': acquired,
        'local': getattr(MAIN_LOCAL, 'value', None),
    }


def nested_inspect(depth):
    """main -> twin -> main -> twin ... and inspect the main thread at every main level"""
    here = kernel_state.TWIN_ID
    seen = []
    if here == MAIN_ID:
        seen.append(inspect_thread())
    if depth:
        there = TWIN_ID if here == MAIN_ID else MAIN_ID
        seen.extend(master_for(there).execute(nested_inspect, depth - 1))
    return seen


CHAIN_LOCAL = threading.local()
_CHAIN_LOCKS = {}
_CHAIN_LOCKS_GUARD = threading.Lock()


def chain_lock(token):
    """One RLock per chain token (concurrent chains must not block each other)"""
    with _CHAIN_LOCKS_GUARD:
        return _CHAIN_LOCKS.setdefault(token, threading.RLock())


def lock_chain(depth, token, there):
    """
    Bounce between this process and ``there``, holding the chain's lock at every level

    The first visit of each process sets a thread-local; later visits (callbacks) report
    whether they run in the same thread: same ident, lock re-entrant, thread-local visible.
    """
    first = getattr(CHAIN_LOCAL, 'token', None) is None
    lock = chain_lock(token)
    acquired = lock.acquire(False)
    if acquired:
        lock.release()
    info = {'twin': kernel_state.TWIN_ID, 'ident': threading.current_thread().ident,
            'rlock': acquired, 'local': getattr(CHAIN_LOCAL, 'token', None), 'first': first}
    if first:
        CHAIN_LOCAL.token = token
    try:
        with lock:
            rest = []
            if depth:
                rest = master_for(there).execute(lock_chain, depth - 1, token, kernel_state.TWIN_ID)
    finally:
        if first:
            del CHAIN_LOCAL.token
    return [info] + rest


class MainSide(TwinObject):
    """Lives in the main; twins call it back"""
    __twin_id__ = MAIN_ID

    def __init__(self):
        self.calls = []

    def record(self, value):
        self.calls.append((value, threading.current_thread().ident))
        return len(self.calls)

    def twin_id(self):
        return kernel_state.TWIN_ID


class TwinSide(TwinObject):
    __twin_id__ = TWIN_ID

    def call_back(self, target, values):
        """Call ``target.record`` for each value from the twin"""
        return [target.record(value) for value in values]

    def call_peer(self, peer_object, value):
        return peer_object.identify(value)

    def make_peer_object(self):
        return PeerSide()

    def twin_id(self):
        return kernel_state.TWIN_ID


class PeerSide(TwinObject):
    __twin_id__ = PEER_ID

    def identify(self, value):
        return kernel_state.TWIN_ID, value

    def call_twin(self, twin_object):
        return twin_object.twin_id()


# -- a record of the requests a process serves (installed in main and peer) ----------------
_SEEN = []
_ORIGINAL = {}


def install_request_recorder():
    """Record ``(peer id, op)`` of every request this process serves (except releases)"""
    from cpy2py.kernel.handlers import HANDLERS
    del _SEEN[:]
    if _ORIGINAL:
        return
    for op, handler in list(HANDLERS.items()):
        if op in ('release', 'stats'):
            continue
        _ORIGINAL[op] = handler

        def recording(kernel, conn, data, _op=op, _handler=handler):
            _SEEN.append((conn.peer_id, _op))
            return _handler(kernel, conn, data)
        HANDLERS[op] = recording


def remove_request_recorder(remote=False):
    """Stop recording; returns what was seen (without this call itself when ``remote``)"""
    from cpy2py.kernel.handlers import HANDLERS
    HANDLERS.update(_ORIGINAL)
    _ORIGINAL.clear()
    seen = list(_SEEN[:-1] if remote else _SEEN)
    del _SEEN[:]
    return seen


class DeepChainTest(support.TwinTestCase):
    @guarded(120)
    def test_main_twin_depth_500(self):
        """main -> twin -> main -> ... 500 calls deep"""
        hops = self.twin.execute(ping_pong_count, 500, TWIN_ID, MAIN_ID)
        self.assertEqual(hops, 500)

    @guarded(60)
    def test_chain_visits_alternate(self):
        visited = self.twin.execute(ping_pong, 20, TWIN_ID, MAIN_ID)
        self.assertEqual(visited, [TWIN_ID, MAIN_ID] * 10 + [TWIN_ID])

    @guarded(120)
    def test_twin_peer_depth_500(self):
        """twin -> peer -> twin -> ... 500 deep, without the main in the loop"""
        self.assertEqual(self.twin.execute(ping_pong_count, 500, TWIN_ID, PEER_ID), 500)

    @guarded(60)
    def test_three_party_chain(self):
        """main -> twin -> peer -> main -> twin -> peer -> ... 300 calls deep"""
        path = [TWIN_ID, PEER_ID, MAIN_ID] * 100
        visited = relay(path)
        self.assertEqual(visited, [MAIN_ID] + path)

    @guarded(120)
    def test_three_party_chain_returning_the_same_way(self):
        """main -> twin -> peer -> twin -> main -> twin -> ... 300 calls deep"""
        path = [TWIN_ID, PEER_ID, TWIN_ID, MAIN_ID] * 75
        self.assertEqual(relay(path), [MAIN_ID] + path)

    @guarded(60)
    def test_exception_through_deep_chain(self):
        """An exception raised 100 levels down reaches the top with its type"""
        try:
            self.twin.execute(raise_at_depth, 100, TWIN_ID, MAIN_ID)
        except ChainError as err:
            self.assertIn('bottom in %s' % TWIN_ID, str(err))  # 100 hops: ends in the twin
        else:
            self.fail('no ChainError')
        self.assertEqual(self.twin.execute(ping_pong_count, 10, TWIN_ID, MAIN_ID), 10)

    @guarded(60)
    def test_exception_caught_in_the_middle(self):
        result = self.twin.execute(catch_in_the_middle, 60, 30, TWIN_ID, PEER_ID)
        self.assertEqual(result, 'caught at 30 in %s: bottom' % TWIN_ID)

    @guarded(60)
    def test_no_chain_left_behind(self):
        """After chains end (normally or with an error), the kernel tracks no chain"""
        from cpy2py.kernel.kernel_state import get_kernel
        self.twin.execute(ping_pong_count, 50, TWIN_ID, MAIN_ID)
        self.assertRaises(ChainError, self.twin.execute, raise_at_depth, 50, TWIN_ID, MAIN_ID)
        chains = getattr(get_kernel(), '_chains', None)
        if chains is None:
            self.skipTest('the kernel has no chain table')
        self.assertTrue(support.wait_until(lambda: len(chains) == 0, 5), 'chains left: %r' % (chains,))

    @guarded(45)
    def test_many_chains_in_a_row(self):
        """Hundreds of chains in a row (races between callers and the poller show up as hangs)"""
        for i in range(150):
            self.assertEqual(self.twin.execute(ping_pong_count, 100, TWIN_ID, PEER_ID), 100)
            self.assertEqual(len(relay([TWIN_ID, PEER_ID, MAIN_ID] * 10)), 31)

    @guarded(120)
    def test_deep_chains_from_many_threads(self):
        """Eight threads run their own 100-deep chains through all three processes at once"""
        results = {}
        errors = []
        path = [TWIN_ID, MAIN_ID, PEER_ID, TWIN_ID, PEER_ID, MAIN_ID] * 17

        def work(thread_no):
            try:
                results[thread_no] = relay(path)
            except BaseException:
                errors.append(sys.exc_info()[1])
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.daemon = True
            thread.start()
        for thread in threads:
            thread.join(100)
        self.assertFalse([t for t in threads if t.is_alive()], 'chains hung')
        self.assertEqual(errors, [])
        for thread_no in range(8):
            self.assertEqual(results[thread_no], [MAIN_ID] + path)


class WaitingThreadTest(support.TwinTestCase):
    @guarded(30)
    def test_callback_runs_in_waiting_thread(self):
        """The callback sees the caller's thread, its RLock and its thread-locals"""
        MAIN_LOCAL.value = 'caller-local'
        try:
            with MAIN_LOCK:
                seen = self.twin.execute(call_main_back, inspect_thread)
        finally:
            del MAIN_LOCAL.value
        self.assertEqual(seen['twin'], MAIN_ID)
        self.assertEqual(seen['ident'], threading.current_thread().ident)
        self.assertTrue(seen['rlock'], 'the RLock held by the caller could not be re-acquired')
        self.assertEqual(seen['local'], 'caller-local')

    @guarded(30)
    def test_other_thread_is_not_the_waiting_one(self):
        """Control: a thread outside the chain can not take the caller's RLock"""
        result = {}
        with MAIN_LOCK:
            thread = threading.Thread(target=lambda: result.update(inspect_thread()))
            thread.start()
            thread.join(10)
        self.assertFalse(result['rlock'])

    @guarded(60)
    def test_nested_callbacks_stay_in_waiting_thread(self):
        """At every main level of a main -> twin -> main ... chain: same thread, lock, local"""
        MAIN_LOCAL.value = 'nested'
        try:
            with MAIN_LOCK:
                seen = nested_inspect(40)
        finally:
            del MAIN_LOCAL.value
        self.assertEqual(len(seen), 21)
        me = threading.current_thread().ident
        for level in seen:
            self.assertEqual(level, {'twin': MAIN_ID, 'ident': me, 'rlock': True, 'local': 'nested'})

    @guarded(60)
    def test_callbacks_of_concurrent_threads_stay_apart(self):
        """Threads waiting at once each get their own callbacks"""
        outcome = {}
        errors = []

        def work(thread_no):
            try:
                MAIN_LOCAL.value = thread_no
                with MAIN_LOCK if thread_no == 0 else _nothing():
                    levels = nested_inspect(10)
                outcome[thread_no] = (threading.current_thread().ident, levels)
            except BaseException:
                errors.append(sys.exc_info()[1])
        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.daemon = True
            thread.start()
        for thread in threads:
            thread.join(50)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(outcome), list(range(6)))
        for thread_no, (ident, levels) in outcome.items():
            self.assertEqual(len(levels), 6)
            for level in levels:
                self.assertEqual(level['ident'], ident)
                self.assertEqual(level['local'], thread_no)

    def check_lock_chain(self, levels, token):
        by_process = {}
        for level in levels:
            by_process.setdefault(level['twin'], []).append(level)
        for twin_id, visits in by_process.items():
            self.assertTrue(visits[0]['first'])
            for visit in visits[1:]:
                self.assertFalse(visit['first'])
                self.assertEqual(visit['ident'], visits[0]['ident'], 'callback in another thread of %s' % twin_id)
                self.assertTrue(visit['rlock'], 'the RLock of the waiting thread in %s was not re-entrant' % twin_id)
                self.assertEqual(visit['local'], token, 'thread-local lost in %s' % twin_id)
        return by_process

    @guarded(60)
    def test_twin_side_waiting_thread(self):
        """In the twin too, a callback runs in the twin thread that waits (lock, thread-local)"""
        levels = self.twin.execute(lock_chain, 30, 'twin-token', MAIN_ID)
        self.assertEqual(len(levels), 31)
        by_process = self.check_lock_chain(levels, 'twin-token')
        self.assertEqual(sorted(by_process), sorted([TWIN_ID, MAIN_ID]))

    @guarded(60)
    def test_twin_peer_waiting_threads(self):
        """twin <-> peer callbacks, started from the main: same threads on both sides"""
        levels = self.twin.execute(lock_chain, 30, 'pair', PEER_ID)
        by_process = self.check_lock_chain(levels, 'pair')
        self.assertEqual(sorted(by_process), sorted([TWIN_ID, PEER_ID]))

    @guarded(60)
    def test_waiting_threads_of_concurrent_chains(self):
        """Six threads run lock chains at once; no chain borrows another's thread"""
        outcome = {}
        errors = []

        def work(thread_no):
            try:
                outcome[thread_no] = self.twin.execute(lock_chain, 20, thread_no, MAIN_ID)
            except BaseException:
                errors.append(sys.exc_info()[1])
        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.daemon = True
            thread.start()
        for thread in threads:
            thread.join(50)
        self.assertEqual(errors, [])
        for thread_no in range(6):
            self.check_lock_chain(outcome[thread_no], thread_no)

    @guarded(30)
    def test_object_callbacks(self):
        """A main-side object passed to the twin is called back in the waiting thread"""
        target = MainSide()
        counts = TwinSide().call_back(target, ['a', 'b', 'c'])
        self.assertEqual(counts, [1, 2, 3])
        me = threading.current_thread().ident
        self.assertEqual(target.calls, [('a', me), ('b', me), ('c', me)])


class _nothing(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TwinToTwinTest(support.TwinTestCase):
    def _recorded(self, action):
        """Run ``action()`` while main and peer record the requests they serve"""
        install_request_recorder()
        self.peer.execute(install_request_recorder)
        try:
            result = action()
        finally:
            peer_seen = self.peer.execute(remove_request_recorder, True)
            main_seen = remove_request_recorder()
        return result, main_seen, peer_seen

    @guarded(60)
    def test_peer_object_called_directly_from_twin(self):
        """An object of 'peer' passed into 'twin' is called by 'twin' itself, not via the main"""
        peer_object = PeerSide()
        twin_object = TwinSide()
        self.assertEqual(twin_object.call_peer(peer_object, 0), (PEER_ID, 0))  # connected
        result, main_seen, peer_seen = self._recorded(
            lambda: [twin_object.call_peer(peer_object, i) for i in range(10)])
        self.assertEqual(result, [(PEER_ID, i) for i in range(10)])
        self.assertEqual(main_seen, [], 'the main served requests during twin -> peer calls')
        # the peer served the method calls for the twin; the main only asked the peer for
        # a reference unit each time it handed its proxy to the twin
        self.assertEqual([seen for seen in peer_seen if seen[1] != 'incref'], [(TWIN_ID, 'method')] * 10)
        self.assertEqual(set(seen[0] for seen in peer_seen if seen[1] == 'incref') - set([MAIN_ID]), set())

    @guarded(60)
    def test_objects_made_in_twin_for_peer(self):
        """A peer object created from the twin comes back to the main as a usable proxy"""
        twin_object = TwinSide()
        peer_object = twin_object.make_peer_object()
        self.assertEqual(peer_object.identify('x'), (PEER_ID, 'x'))
        self.assertEqual(peer_object.call_twin(twin_object), TWIN_ID)

    @guarded(30)
    def test_three_party_chain_goes_direct(self):
        """In main -> twin -> peer -> main, the peer is called by the twin and the main by the peer"""
        self.assertEqual(relay([TWIN_ID, PEER_ID, MAIN_ID]), [MAIN_ID, TWIN_ID, PEER_ID, MAIN_ID])
        visited, main_seen, peer_seen = self._recorded(lambda: relay([TWIN_ID, PEER_ID, MAIN_ID]))
        self.assertEqual(visited, [MAIN_ID, TWIN_ID, PEER_ID, MAIN_ID])
        self.assertEqual(peer_seen, [(TWIN_ID, 'call')])
        self.assertEqual(main_seen, [(PEER_ID, 'call')])


if __name__ == '__main__':
    unittest.main()
