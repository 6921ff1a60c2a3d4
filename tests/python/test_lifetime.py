"""Object lifetime: a twin object lives while any proxy anywhere refers to it, no longer"""
from __future__ import print_function

import gc
import itertools
import sys
import threading
import time
import unittest
import weakref

from cpy2py import TwinObject, kernel_state
from cpy2py.kernel.kernel_state import get_kernel

import support
from support import TWIN_ID, PEER_ID, guarded, wait_until

#: objects per factory call in the create/drop loops
BATCH = 1000
#: total objects created and dropped in the memory test
TOTAL = 100000
#: how much the twin's RSS may grow over TOTAL objects after a warm-up (a leak of TOTAL
#: objects with their 512-byte payloads would be well above 50 MB)
RSS_SLACK_KB = 24 * 1024


# -- code that runs in the twins (valid Python 2.7) -------------------------------------
_LIVE = weakref.WeakValueDictionary()
_LIVE_IDS = itertools.count(1)


def alive(tag):
    """How many Tracked objects with ``tag`` exist in this process (after a collection)"""
    gc.collect()
    gc.collect()
    return len([obj for obj in list(_LIVE.values()) if obj.tag == tag])


def rss_kb():
    """Resident set size of this process in kB, after a collection"""
    gc.collect()
    gc.collect()
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS in /proc/self/status')


def collect():
    gc.collect()
    gc.collect()
    return kernel_state.TWIN_ID


def local_counts():
    """(exports, proxies) of this process's kernel"""
    kernel = get_kernel()
    return len(kernel.exports), len(kernel.proxies)


class Tracked(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, tag, value=0):
        self.tag = tag
        self.value = value
        _LIVE[next(_LIVE_IDS)] = self

    def get_value(self):
        return self.value

    def where(self):
        return kernel_state.TWIN_ID


class Item(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, number):
        self.number = number
        self.payload = 'x' * 512


class Factory(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self):
        self.kept = None

    def make(self, start, count):
        return [Item(start + k) for k in range(count)]

    def make_tracked(self, tag, count):
        return [Tracked(tag, k) for k in range(count)]

    def keep(self, obj):
        self.kept = obj

    def get_kept(self):
        return self.kept

    def drop_kept(self):
        self.kept = None

    def hand_to(self, holder, tag):
        """Create an object here and give it straight to ``holder`` (the main never sees it)"""
        holder.keep(Tracked(tag, 7))


class PeerHolder(TwinObject):
    __twin_id__ = PEER_ID

    def __init__(self):
        self.kept = None

    def keep(self, obj):
        self.kept = obj

    def use(self):
        return self.kept.get_value(), self.kept.where()

    def give_back(self):
        return self.kept

    def drop(self):
        self.kept = None
        gc.collect()
        gc.collect()


def main_collect():
    gc.collect()
    gc.collect()


class LifetimeTestCase(support.TwinTestCase):
    def exports(self):
        return self.twin.stats()['exports']

    def settled_exports(self):
        """The twin's export count once releases of earlier tests have arrived"""
        main_collect()
        self.peer.execute(collect)
        last, stable = None, 0
        deadline = time.time() + 5
        while stable < 3 and time.time() < deadline:
            time.sleep(0.05)
            count = self.exports()
            stable = stable + 1 if count == last else 0
            last = count
        return last

    def assertExportsReturnTo(self, baseline, timeout=10.0):
        def back():
            main_collect()
            return self.exports() == baseline
        self.assertTrue(wait_until(back, timeout), 'twin exports %d, expected %d' % (self.exports(), baseline))


class LifetimeTest(LifetimeTestCase):
    @guarded(30)
    def test_freed_soon_after_last_proxy(self):
        tag = 'single'
        obj = Tracked(tag, 3)
        self.assertEqual(obj.get_value(), 3)
        self.assertEqual(self.twin.execute(alive, tag), 1)
        del obj
        main_collect()
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, tag) == 0, 10),
                        'the object outlived its last proxy')

    @guarded(30)
    def test_alive_while_one_of_many_proxies_remains(self):
        """The same object sent many times gives one proxy; it lives until that proxy goes"""
        tag = 'repeated'
        factory = Factory()
        factory.keep(Tracked(tag, 5))
        proxies = [factory.get_kept() for _ in range(200)]
        self.assertEqual([p for p in proxies if p is not proxies[0]], [])
        factory.drop_kept()
        last = proxies[0]
        proxies = None
        main_collect()
        time.sleep(0.2)
        self.assertEqual(self.twin.execute(alive, tag), 1)
        self.assertEqual(last.get_value(), 5)
        del last
        main_collect()
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, tag) == 0, 10))

    @guarded(60)
    def test_fetch_and_drop_while_the_owner_keeps_it(self):
        """Units of proxies dropped while the same object is sent again never free it early"""
        baseline = self.settled_exports()
        factory = Factory()
        factory.keep(Tracked('refetched', 9))
        for i in range(2000):
            proxy = factory.get_kept()
            self.assertEqual(proxy.get_value(), 9)
            del proxy
            if i % 100 == 0:
                main_collect()
        factory.drop_kept()
        self.assertExportsReturnTo(baseline + 1)  # the factory
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, 'refetched') == 0, 10))

    @guarded(120)
    def test_create_drop_100k_memory_flat(self):
        """100,000 objects created and dropped: exports back to baseline, twin RSS flat"""
        factory = Factory()
        main_kernel = get_kernel()
        baseline = self.settled_exports()
        main_proxies = len(main_kernel.proxies)

        def cycle(total):
            for start in range(0, total, BATCH):
                items = factory.make(start, BATCH)
                assert len(items) == BATCH
                del items
        cycle(TOTAL // 5)  # warm-up: the allocator and the tables reach their working size
        self.assertExportsReturnTo(baseline)
        before = self.twin.execute(rss_kb)
        started = time.time()
        cycle(TOTAL)
        elapsed = time.time() - started
        self.assertExportsReturnTo(baseline)
        after = self.twin.execute(rss_kb)
        self.assertEqual(len(main_kernel.proxies), main_proxies)
        sys.stderr.write("[twin RSS %d -> %d kB, %d objects in %.1f s] " % (before, after, TOTAL, elapsed))
        self.assertLess(after - before, RSS_SLACK_KB,
                        'twin RSS grew from %d kB to %d kB over %d objects (%.1f s)'
                        % (before, after, TOTAL, elapsed))

    @guarded(60)
    def test_create_drop_from_threads(self):
        """Threads create and drop objects at once; every one is released"""
        factory = Factory()
        baseline = self.settled_exports()
        errors = []

        def work():
            try:
                for k in range(40):
                    items = factory.make_tracked('threads', 50)
                    assert items[-1].get_value() == 49
                    del items
            except BaseException:
                errors.append(sys.exc_info()[1])
        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.daemon = True
            thread.start()
        for thread in threads:
            thread.join(50)
        self.assertEqual(errors, [])
        self.assertExportsReturnTo(baseline)
        self.assertEqual(self.twin.execute(alive, 'threads'), 0)


class MainObject(TwinObject):
    """Lives in the main; twins get proxies of it"""
    __twin_id__ = kernel_state.MASTER_ID

    def __init__(self, value):
        self.value = value

    def get_value(self):
        return self.value


class Keeper(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self):
        self.kept = []

    def keep_all(self, objects):
        self.kept.extend(objects)
        return sum(obj.get_value() for obj in objects[:3])

    def clear(self):
        del self.kept[:]
        gc.collect()
        gc.collect()


class MainExportTest(LifetimeTestCase):
    @guarded(60)
    def test_main_objects_released_by_the_twin(self):
        """Objects of the main held by the twin are freed in the main once the twin drops them"""
        exports = get_kernel().exports
        main_collect()
        baseline = len(exports)
        keeper = Keeper()
        for round_no in range(20):
            self.assertEqual(keeper.keep_all([MainObject(k) for k in range(100)]), 0 + 1 + 2)
        self.assertEqual(len(exports), baseline + 2000)
        keeper.clear()

        def released():
            # a twin without reference counting (PyPy) frees the proxies at its next
            # collection: the thread that ran the last keep_all may still have held them
            # when clear() collected
            self.twin.execute(collect)
            return len(exports) == baseline
        self.assertTrue(wait_until(released, 10), 'main exports %d, expected %d' % (len(exports), baseline))


class ThirdPartyTest(LifetimeTestCase):
    @guarded(30)
    def test_proxy_handed_on_keeps_object_alive(self):
        """main gives its proxy to 'peer' and drops it: the object lives while the peer holds it"""
        tag = 'handed-on'
        obj = Tracked(tag, 11)
        holder = PeerHolder()
        holder.keep(obj)
        del obj
        main_collect()
        time.sleep(0.3)  # releases would have been sent by now
        self.assertEqual(self.twin.execute(alive, tag), 1, 'freed while the peer holds a proxy')
        self.assertEqual(holder.use(), (11, TWIN_ID))
        holder.drop()
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, tag) == 0, 10),
                        'the object outlived the proxy of the third interpreter')

    @guarded(30)
    def test_proxy_given_back_by_the_third(self):
        """The peer hands the object back to the main after the main dropped its own proxy"""
        tag = 'given-back'
        obj = Tracked(tag, 12)
        holder = PeerHolder()
        holder.keep(obj)
        del obj
        main_collect()
        time.sleep(0.2)
        again = holder.give_back()
        holder.drop()
        time.sleep(0.2)
        self.assertEqual(again.get_value(), 12)
        self.assertEqual(self.twin.execute(alive, tag), 1)
        del again
        main_collect()
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, tag) == 0, 10))

    @guarded(30)
    def test_object_sent_by_owner_to_third(self):
        """The twin gives its object directly to the peer; it lives until the peer drops it"""
        tag = 'owner-to-peer'
        holder = PeerHolder()
        Factory().hand_to(holder, tag)
        self.peer.execute(collect)
        time.sleep(0.2)
        self.assertEqual(self.twin.execute(alive, tag), 1)
        self.assertEqual(holder.use(), (7, TWIN_ID))
        holder.drop()
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, tag) == 0, 10))

    @guarded(60)
    def test_many_handed_on_then_dropped(self):
        """Objects passed main -> peer in bulk are all freed once both sides drop them"""
        tag = 'bulk-handed'
        baseline = self.settled_exports()
        peer_proxies = self.peer.execute(local_counts)[1]
        factory = Factory()
        holder = PeerHolder()
        for round_no in range(20):
            objs = factory.make_tracked(tag, 50)
            holder.keep(objs)
            del objs
            main_collect()
        holder.drop()
        del factory
        main_collect()
        self.assertTrue(wait_until(lambda: self.twin.execute(alive, tag) == 0, 10))
        self.assertTrue(wait_until(lambda: self.twin.stats()["exports"] == baseline, 10),
                        "exports %d, expected %d" % (self.twin.stats()["exports"], baseline))
        self.assertTrue(wait_until(lambda: self.peer.execute(local_counts)[1] == peer_proxies, 10))


if __name__ == '__main__':
    unittest.main()
