"""
Object lifetime across interpreters

The owner of an object keeps it in an :py:class:`ExportTable` while any other process may
hold a proxy: every time it sends the object to a peer it adds one *unit*; the receiver's
proxy table adds the units it received and gives them back (in batches) when its proxy is
garbage collected. An object is dropped once all its units came back. A process that
hands a proxy on to a third process first asks the owner for a new unit, so the count can
never reach zero while a reference is in flight.
"""
import itertools
import os
import threading
import weakref

from cpy2py.utility.daemon import daemon_target
from cpy2py.utility.thread_limits import THREAD_ERRORS, describe, warn_once


class ExportTable(object):
    """Objects of this process that peers may refer to, by instance id"""

    def __init__(self):
        self._lock = threading.Lock()
        #: iid -> [object, outstanding units]
        self._entries = {}
        #: id(object) -> iid, so one object always gets the same iid while exported
        self._iid_of = {}
        self._ids = itertools.count(1)

    def export(self, obj, units=1):
        """Add ``units`` for ``obj`` and return its iid"""
        with self._lock:
            iid = self._iid_of.get(id(obj))
            if iid is None:
                iid = next(self._ids)
                self._iid_of[id(obj)] = iid
                self._entries[iid] = [obj, units]
            else:
                self._entries[iid][1] += units
            return iid

    def get(self, iid):
        """The object of ``iid``; raises KeyError if it was released"""
        return self._entries[iid][0]

    def incref(self, iid):
        with self._lock:
            self._entries[iid][1] += 1

    def release(self, iid, units):
        with self._lock:
            entry = self._entries.get(iid)
            if entry is None:
                return
            entry[1] -= units
            if entry[1] <= 0:
                del self._entries[iid]
                del self._iid_of[id(entry[0])]

    def __len__(self):
        return len(self._entries)

    def clear(self):
        """Let go of every object (the process is exiting): their finalizers run now"""
        with self._lock:
            entries, self._entries = self._entries, {}
            self._iid_of = {}
        del entries


class ProxyTable(object):
    """
    The proxies of this process, one per remote object, with the units they hold

    Proxies die in the garbage collector at arbitrary points, possibly in a thread that
    holds locks; their weakref callback therefore only records the key and pokes the
    releaser through a pipe, which takes no lock.
    """

    def __init__(self, send_releases):
        self._lock = threading.Lock()
        #: key (owner, boot, iid) -> [weakref to proxy, units]
        self._entries = {}
        self._dead = []
        self._send_releases = send_releases
        self._wake_read, self._wake_write = os.pipe()
        self._poked = False
        self._thread = None
        #: functions for the releaser thread to run (see call_later)
        self._later = []

    def start(self):
        """Start the releaser thread (before the first call_later)"""
        with self._lock:
            if self._thread is None:
                self._start_releaser()

    def call_later(self, function):
        """Run ``function()`` soon in the releaser thread; takes no lock, so a finalizer may
        call this wherever the garbage collector runs it"""
        self._later.append(function)
        self._poke()

    def get_or_create(self, key, factory):
        """Proxy for ``key``, adding the one unit that came with this reference"""
        with self._lock:
            entry = self._entries.get(key)
            proxy = entry[0]() if entry is not None else None
            if proxy is not None:
                entry[1] += 1
                return proxy
            proxy = factory()
            if self._thread is None:
                self._start_releaser()
            ref = weakref.ref(proxy, self._make_callback(key))
            if entry is not None:  # previous proxy died but its units are not returned yet
                entry[0] = ref
                entry[1] += 1
            else:
                self._entries[key] = [ref, 1]
            return proxy

    def _make_callback(self, key):
        dead = self._dead

        def proxy_died(_ref, key=key, dead=dead, table=self):
            dead.append(key)
            table._poke()
        return proxy_died

    def _poke(self):
        if self._poked:
            return
        self._poked = True
        try:
            os.write(self._wake_write, b'x')
        except OSError:
            pass

    def _start_releaser(self):
        thread = threading.Thread(target=daemon_target(self._release_loop), name='cpy2py-releaser')
        thread.daemon = True
        try:
            thread.start()
        except THREAD_ERRORS as err:
            # `ulimit -u`: the proxy still works (before, the value holding it failed to
            # decode); released references wait for a later proxy to start the thread
            warn_once('releaser', describe(err, 'the thread that returns released references') +
                      '; the objects they name stay alive in their twins until it starts')
            return
        self._thread = thread

    def _release_loop(self):
        import time
        while True:
            try:
                os.read(self._wake_read, 4096)
            except OSError:
                continue
            time.sleep(0.005)  # let a burst of dying proxies form one batch
            self._poked = False
            self.flush()
            later = self._later
            while later:
                try:
                    later.pop(0)()
                except Exception:  # e.g. a connection that is gone already
                    pass

    def flush(self):
        """Send back the units of every dead proxy, one message per owner"""
        batches = {}
        with self._lock:
            while self._dead:
                key = self._dead.pop()
                entry = self._entries.get(key)
                if entry is None or entry[0]() is not None:
                    continue
                del self._entries[key]
                owner, boot, iid = key
                batches.setdefault(owner, []).append((boot, iid, entry[1]))
        for owner, releases in batches.items():
            try:
                self._send_releases(owner, releases)
            except Exception:  # the owner is gone: nothing left to release
                pass

    def __len__(self):
        return len(self._entries)
