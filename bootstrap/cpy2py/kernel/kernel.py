"""
The kernel: one per process, re-entrant and thread-safe

It owns the connections to peers (one authenticated AF_UNIX socket per peer, opened
lazily, usable in both directions), the listening socket, the poller and its workers,
the table of exported objects and the table of proxies.

A call (:py:meth:`Kernel.request`) pickles ``(chain, op, data)``, writes it, and then the
calling thread reads the reply itself when nobody else is reading that connection. Every
request carries the *chain* of the thread that made it: a request that comes back in the
same chain (a callback, A -> B -> A, to any depth) is run by the thread that waits in that
chain, so thread-locals and RLocks behave as in one process. Requests of other chains run
on pool threads.
"""
import binascii
import errno
import itertools
import os
import socket
import threading
import time
import weakref

from cpy2py.kernel.connection import Connection, Waiter
from cpy2py.protocol.messages import PREFIX, REQUEST, REPLY_OK, REPLY_ERROR
from cpy2py.exceptions import (
    TwinterpreterTerminated, TwinterpreterUnavailable)
from cpy2py.kernel.handlers import HANDLERS
from cpy2py.kernel.launch_env import EXECUTABLES
from cpy2py.kernel.objects import ExportTable, ProxyTable
from cpy2py.kernel.references import RemoteHandle, thread_state as _tls
from cpy2py.kernel.poller import Poller, ThreadsRefused, WorkerPool
from cpy2py.kernel.acceptor import Acceptor
from cpy2py.kernel.peer_liveness import still_listening
from cpy2py.kernel import observe
from cpy2py.kernel import by_reference, deadlines, remote_errors
from cpy2py.protocol import handshake
from cpy2py.protocol.serializer import (
    Serializer, HIGHEST_PROTOCOL, NESTED_LARGE as _NESTED_LARGE, has_large_buffer as _has_large_buffer,
    ATOMS as _ATOMS)
from cpy2py.wire.bounded_send import SendTimeout
from cpy2py.wire.transport import (
    CLOSED_UNDER_US, ChannelClosed, InterruptsDeferred, is_main_thread, clock as _clock, SPIN as _SPIN)
from cpy2py.utility.compat import set_cloexec, pickle

#: a worker that served a request this long (seconds) waits for the next one asleep instead
#: of spinning: a spinning thread gives the GIL back only for moments, too short for a thread
#: woken on another CPU to take it, so a request of another connection that waited for the
#: GIL during the long one would wait on, up to the interpreter's switch interval (5 ms) at a
#: time, while this worker runs one long request after the other. Asleep, it leaves the GIL
#: to that thread; the wake-up it costs is small beside a request this long.
_LONG_REQUEST = 0.0005


def _logger():
    # logging is imported on first use (see cpy2py.utility.log_setup)
    import logging
    return logging.getLogger('__cpy2py__.kernel')
_DEBUG = bool(os.environ.get('CPY2PY_DEBUG'))

#: connect errors meaning "nobody listens there (yet/any more)": start the twin and retry
_NOT_LISTENING = (errno.ENOENT, errno.ECONNREFUSED, errno.ECONNRESET, errno.EPIPE)
#: seconds to keep trying to reach a twin that the supervisor says is up
_CONNECT_PATIENCE = 10.0
_unpack_prefix = PREFIX.unpack_from
_PREFIX_SIZE = PREFIX.size
_dumps, _loads = pickle.dumps, pickle.loads
#: reply values that may travel as out-of-band buffers (Serializer.dumps decides)
_BYTES_LIKE = (bytes, bytearray, memoryview)


#: whether threads other than the main one call a peer over a connection of their own
#: (CPY2PY_THREAD_CONNECTIONS=0: all share the peer's connection)
THREAD_CONNECTIONS = os.environ.get('CPY2PY_THREAD_CONNECTIONS', '1').strip() != '0'
#: seconds a thread waits for the handshake of a connection of its own before it calls over
#: the peer's shared one instead: a peer out of file descriptors cannot accept it, and the
#: call hung until the peer closed some files
THREAD_CONNECT_PATIENCE = 3.0
#: seconds a thread then calls over the shared connection before it tries again
THREAD_CONNECT_RETRY = 30.0
#: the one-way request a thread's own connection sends before it closes (see _dispatch)
_GOODBYE = 'goodbye'


#: a socket file cannot be made: the file system is full or the quota used up
_FULL = (errno.ENOSPC, errno.EDQUOT)
#: longest AF_UNIX socket path on Linux (bytes; sun_path holds 108 with its terminating NUL)
SOCKET_PATH_MAX = 107


def cannot_listen(path, err):
    """Why a process cannot listen on ``path``, and what helps"""
    reason = getattr(err, 'strerror', None) or str(err)
    size = len(path if isinstance(path, bytes) else path.encode('utf-8'))
    if size > SOCKET_PATH_MAX:
        return ('cannot listen on %s: the path is %d bytes long, more than the %d an AF_UNIX '
                'socket allows; set TMPDIR to a shorter directory' % (path, size, SOCKET_PATH_MAX))
    if getattr(err, 'errno', None) in _FULL:
        return ('cannot listen on %s: %s; the file system of the run directory is full (no '
                'space or no inodes left): free some, or set TMPDIR to another directory' % (path, reason))
    return 'cannot listen on %s: %s' % (path, reason)


def socket_path(run_dir, twin_id):
    """Where the process of ``twin_id`` listens"""
    safe = all(c.isalnum() or c in '_.+-' for c in twin_id) and 0 < len(twin_id) <= 64
    name = twin_id if safe else 'x' + binascii.hexlify(twin_id.encode('utf-8')).decode('ascii')[:60]
    return os.path.join(run_dir, name + '.sock')


def _bound_of(tls):
    """What bounds the calls of the thread of ``tls`` (deadline, cancellation), or None"""
    return getattr(getattr(tls, 'waiter', None), 'bound', None)


#: why a process made by fork() cannot call the twins of the process it was forked from
FORKED = ('this process was made by fork() from the one that runs the twin group, and cannot use '
          'its connections; make twin calls in that process, or start worker processes with '
          "multiprocessing's 'spawn' (or 'forkserver') method")


def _guard_against_fork(kernel):
    """After a fork(), the child's copy of ``kernel`` lets go of its parent's connections"""
    register = getattr(os, 'register_at_fork', None)
    if register is None:  # Python 2.7 and 3.6: a forked child's call fails in connection() only
        return
    ref = weakref.ref(kernel)

    def in_child():
        forked = ref()
        if forked is not None:
            forked._forked()
    register(after_in_child=in_child)


class Kernel(object):
    """The runtime of one interpreter process in a twin group"""

    def __init__(self, twin_id, master_id, run_dir, token, supervisor):
        self.twin_id = twin_id
        self.master_id = master_id
        self.is_master = twin_id == master_id
        self.run_dir = run_dir
        self.token = token
        #: changes with every process, so references to a dead process are recognised
        self.boot_id = binascii.hexlify(os.urandom(6)).decode('ascii')
        self.supervisor = supervisor
        self.exports = ExportTable()
        self.proxies = ProxyTable(self._send_releases)
        self.poller = Poller()
        self.pool = WorkerPool(self.poller, self._run_task)
        self._ids = itertools.count(1)
        #: numbers of this process's call chains, one per thread that starts a chain: not the
        #: thread's ident, which a later thread may get again (see _chain)
        self._chain_ids = itertools.count(1)
        #: bounded requests running here, for their callers' interrupts
        self.interrupts = deadlines.Interrupts()
        self._lock = threading.RLock()
        #: peer id -> the Connection used for calls to it
        self._peers = {}
        #: peer id -> lock serialising connection attempts
        self._connect_locks = {}
        #: chain id -> stack of Waiters of threads waiting in that chain
        self._chains = {}
        #: boot ids of peer processes known to have terminated
        self.dead_boots = set()
        #: twin ids stopped on purpose (TwinMaster.stop); calls fail until started again
        self.stopped = set()
        #: executables to use when a twin id has to be started on demand (set by TwinMaster)
        self.executables = EXECUTABLES
        #: set once a thread other than the main one made a call (see _await's shield)
        self.multi_caller = False
        #: the connections of single calling threads (see request), while open
        self._private = set()
        #: each calling thread's _ThreadConnections (weakly: they go with their threads' locals)
        self._thread_holders = weakref.WeakSet()
        #: callbacks(conn) run once for every new peer process this kernel connects to
        self.on_new_peer = []
        #: callbacks(peer_id, boot) run when a connection to a peer is lost
        self.on_peer_lost = []
        self._listener = None
        self._started = False
        #: the process this kernel belongs to (a child made by fork() must not use it)
        self.pid = os.getpid()
        _guard_against_fork(self)

    def _forked(self):
        """In a child made by fork(): the connections, their locks and the threads serving
        them are the parent's; using them from here would steal the parent's replies or hang
        on a lock held at the fork. Only flags are set (no socket is touched: shutting one
        down would cut the parent's connection too); calls then fail in connection()."""
        connections = list(self._peers.values()) + list(self._private)
        connections += list(getattr(self.poller, '_connections', {}).values())
        for conn in connections:
            conn.dead = True
            conn.death_reason = FORKED
        self._peers = {}
        self._private = set()
        self._connect_locks = {}
        self._lock = threading.RLock()

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        """Listen on our socket and start the pool (idempotent)"""
        with self._lock:
            if self._started:
                return
            self._started = True
            path = socket_path(self.run_dir, self.twin_id)
            try:
                os.unlink(path)
            except OSError:
                pass
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            set_cloexec(listener.fileno())
            try:
                listener.bind(path)
                listener.listen(128)
            except (OSError, socket.error) as err:
                listener.close()
                self._started = False
                raise TwinterpreterUnavailable(self.twin_id, cannot_listen(path, err))
            self._listener = listener
            self._socket_path = path
            self._acceptor = Acceptor(listener, self.poller, self._answer_handshake, self._accepted)
            refused = None
            try:
                self.pool.start()
            except ThreadsRefused as err:
                refused = str(err)
            if refused is not None:  # (raised here: not chained to the RuntimeError)
                self._started = False  # the next use tries again: the limit may have eased
                self.poller.unregister_fd(listener.fileno())
                self.close_listener()
                self._listener = None
                listener.close()
                raise TwinterpreterUnavailable(self.twin_id, refused)

    def close_listener(self):
        try:
            os.unlink(self._socket_path)
        except (OSError, AttributeError):
            pass

    # -- connections -------------------------------------------------------
    def connection(self, peer_id, start=True):
        """A live connection to ``peer_id``, connecting (and starting it, if ``start``) if needed"""
        conn = self._peers.get(peer_id)
        if conn is not None and not conn.dead:
            return conn
        if peer_id == self.twin_id:
            raise ValueError('twin %r cannot call itself through the kernel' % peer_id)
        if self.pid != os.getpid():
            raise TwinterpreterUnavailable(peer_id, FORKED)
        if peer_id != self.master_id:  # (a standalone main is named after its executable)
            handshake.check_twin_id(peer_id)
        with self._lock:
            lock = self._connect_locks.setdefault(peer_id, threading.Lock())
        with lock:
            conn = self._peers.get(peer_id)
            if conn is not None and not conn.dead:
                return conn
            if peer_id in self.stopped:
                raise TwinterpreterTerminated(peer_id, 'it was stopped')
            self.start()
            deadline, delay = time.time() + _CONNECT_PATIENCE, 0.0
            bound = _bound_of(_tls)
            while True:
                try:
                    conn = self._connect(peer_id, bound)
                    break
                except socket.timeout:  # (only under a deadline)
                    raise deadlines.timed_out(bound, peer_id, sent=False)
                except (OSError, socket.error) as err:
                    code = getattr(err, 'errno', None)
                    if not start or code not in _NOT_LISTENING or time.time() > deadline:
                        raise TwinterpreterUnavailable(
                            peer_id, 'cannot connect to %s: %s' % (socket_path(self.run_dir, peer_id), err))
                # not (or no longer) listening: have it started, restarted or waited for; the
                # supervisor may not have noticed yet that it died, so retry for a while
                time.sleep(delay)
                delay = min(max(delay * 2, 0.005), 0.2)
                self.supervisor.start_twin(peer_id, self._executable_for(peer_id))
            new_peer = self._register(conn)
        if new_peer:
            for callback in list(self.on_new_peer):
                callback(conn)
        return conn

    def _executable_for(self, peer_id):
        """The executable a TwinMaster named for ``peer_id``, here or in the main"""
        executable = self.executables.get(peer_id)
        if executable is None and not self.is_master and peer_id != self.master_id:
            try:
                executable = self.request(self.master_id, 'executable', peer_id)
            except Exception:
                executable = None
        return executable

    def _connect(self, peer_id, bound=None, patience=None):
        """A new connection to ``peer_id``; under a ``bound`` with a deadline, socket.timeout
        if the peer does not complete the handshake by then (it is stopped, say): a call
        under a deadline does not wait past it for a twin that does not answer; likewise
        after ``patience`` seconds, if given"""
        timeout = None if bound is None else bound.remaining()
        if patience is not None:
            timeout = patience if timeout is None else min(timeout, patience)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        set_cloexec(sock.fileno())
        try:
            if timeout is not None:
                sock.settimeout(max(timeout, 0.001))
            sock.connect(socket_path(self.run_dir, peer_id))
            info, rest = handshake.client_handshake(
                sock, self.token, self.twin_id, self.boot_id, HIGHEST_PROTOCOL)
            if timeout is not None:
                sock.settimeout(None)
        except BaseException:
            sock.close()
            raise
        return self._make_connection(sock, info, rest)

    def _make_connection(self, sock, info, rest):
        # the handshake carries each side's highest pickle protocol: only Python 2 stops at 2
        serializer = Serializer(info.pickle_protocol, info.peer_max_protocol <= 2)
        channel = _make_channel(sock, rest, info.twin_id, info.side)
        conn = Connection(channel, info, serializer, self.poller, self.pool, self._peers)
        # how many EXITED notices about that peer came before: a later one is about this process
        exits_seen = getattr(self.supervisor, 'exits_seen', None)
        conn.exits_seen = exits_seen(conn.peer_id) if exits_seen is not None else None
        return conn

    def _register(self, conn):
        """Use ``conn`` for its peer; returns whether the peer process is new to us"""
        with self._lock:
            current = self._peers.get(conn.peer_id)
            if current is None or current.dead:
                self._peers[conn.peer_id] = conn
            known = getattr(self, '_seen_boots', None)
            if known is None:
                known = self._seen_boots = set()
            new_peer = conn.peer_boot not in known
            known.add(conn.peer_boot)
        self._watch(conn)
        if conn.channel.has_buffered_frame():
            # frames that arrived together with the handshake: the socket will not report them
            self.pool.submit(lambda conn=conn: self._drain_buffered(conn))
        if _DEBUG:
            _logger().debug('connected to %r (boot %s)', conn.peer_id, conn.peer_boot)
        return new_peer

    def _watch(self, conn):
        """Have the poller read ``conn`` when nobody else does; a poller whose epoll
        descriptor the program closed (os.closerange) makes the connection unusable, said so"""
        try:
            self.poller.register_connection(conn, lambda mask, conn=conn: self._on_readable(conn))
        except (OSError, IOError) as err:
            if err.errno != errno.EBADF:
                raise
            reason = 'cannot watch its connection (the epoll descriptor %d: %s); %s' % (
                self.poller.epoll.fileno(), err.strerror, CLOSED_UNDER_US)
            conn.mark_dead(reason)
            raise TwinterpreterUnavailable(conn.peer_id, reason)

    def _drain_buffered(self, conn):
        for task in self._on_readable(conn) or ():
            self.pool.submit(task)

    def _answer_handshake(self, line, sock, rest):
        """Check a client's handshake line (Acceptor): ``(peer info, OK line)``"""
        return handshake.answer(line, self.token, self.twin_id, self.boot_id, HIGHEST_PROTOCOL, sock, rest)

    def _accepted(self, sock, info, rest):
        """An accepted connection passed the handshake: serve it"""
        self._register(self._make_connection(sock, info, rest))

    def connection_lost(self, conn, reason):
        if conn.dead:
            return
        if not conn.closing and conn.peer_boot not in self.dead_boots and not self._peer_ended(conn):
            # a connection ended while its process lives (one side ran out of file
            # descriptors, say): only that connection is lost, not the process with every
            # proxy of it (see peer_liveness)
            conn.closing = True
        # how the peer ended, asked before the connection is marked dead: a caller that finds
        # it dead (before its reply error is delivered) says the same
        told = self._how_it_ended(conn, reason, bool(conn.pending) and not conn.closing)
        pending = conn.mark_dead(told)
        if pending is None:
            return
        # closing: one thread's connection closed on purpose (by us, or the peer's thread
        # ended); the peer lives on
        if not conn.closing:
            self.dead_boots.add(conn.peer_boot)
        with self._lock:
            if self._peers.get(conn.peer_id) is conn:
                del self._peers[conn.peer_id]
                if conn.closing:
                    # another connection of that process (one it may send callbacks over)
                    # takes its place: the count of peers must stay right (see Connection)
                    for other in self.poller.connections():
                        if (other.peer_id == conn.peer_id and other.peer_boot == conn.peer_boot
                                and not other.dead and not other.closing and not other.private):
                            self._peers[conn.peer_id] = other
                            break
            self._private.discard(conn)
        error = TwinterpreterTerminated(conn.peer_id, told)
        for request_id, waiter in pending:
            waiter.deliver(('reply', request_id, REPLY_ERROR, error))
        if conn.closing:
            return
        # the process is gone: so are its other connections (a thread that met the EOF on
        # its own one must not leave the shared one looking alive, nor the other way round)
        with self._lock:
            others = [other for other in self._private if other.peer_boot == conn.peer_boot]
            shared = self._peers.get(conn.peer_id)
            if shared is not None and shared.peer_boot == conn.peer_boot:
                others.append(shared)
        for other in others:
            self.connection_lost(other, reason)
        if _DEBUG:
            _logger().debug('lost connection to %r: %s', conn.peer_id, reason)
        for callback in list(self.on_peer_lost):
            callback(conn.peer_id, conn.peer_boot)

    #: how long a call that lost its twin waits for the supervisor to say how the twin ended
    EXIT_NOTICE_WAIT = 0.5

    def _peer_ended(self, conn):
        """Whether the process at the other end of ``conn`` ended: it no longer listens, or
        the supervisor says so (waiting a moment for its notice; the main, which never
        restarts under its id, lives while it listens); True when it cannot say"""
        if self.run_dir and not still_listening(socket_path(self.run_dir, conn.peer_id)):
            return True
        if conn.peer_id == self.master_id:
            return False  # (no EXITED notice is ever sent about the main)
        wait_exit = getattr(self.supervisor, 'wait_exit', None)
        seen = getattr(conn, 'exits_seen', None)
        if wait_exit is None or seen is None:
            return True
        return bool(wait_exit(conn.peer_id, seen, self.EXIT_NOTICE_WAIT))

    def _how_it_ended(self, conn, reason, calls_waiting):
        """The reason a lost connection gives its waiting calls: how the twin process ended
        ("it ended with exit code 3"), when the supervisor says so in time, else the
        connection's own reason"""
        wait_exit = getattr(self.supervisor, 'wait_exit', None)
        seen = getattr(conn, 'exits_seen', None)
        if calls_waiting and wait_exit is not None and seen is not None:
            how = wait_exit(conn.peer_id, seen, self.EXIT_NOTICE_WAIT)
            if how:
                return 'its process ended with %s' % how
        return 'connection lost (%s)' % reason

    def live_peers(self):
        """Connections to peers that are currently up"""
        with self._lock:
            return [conn for conn in self._peers.values() if not conn.dead]

    def peer_died(self, peer_id, boot=None):
        """The supervisor says ``peer_id`` died: fail every call into it"""
        with self._lock:
            conn = self._peers.get(peer_id)
            private = [other for other in self._private if other.peer_id == peer_id]
        if conn is not None and (boot is None or conn.peer_boot == boot):
            self.dead_boots.add(conn.peer_boot)
            self.connection_lost(conn, 'twin process died')
            boot = conn.peer_boot
        for other in private:
            if boot is None or other.peer_boot == boot:
                self.connection_lost(other, 'twin process died')

    # -- connections of single threads ---------------------------------------
    # A thread other than the main one that calls a peer (and is not serving a request of
    # it) opens a connection of its own: it reads its replies itself, without waiting for
    # the reader role of a connection shared with other calling threads or being woken by
    # them, and the peer serves it with a worker that stays on it. The main thread and the
    # pool threads use the peer's connection; a thread serving a request calls back over
    # the connection the request came on, where its caller waits. A thread's connections
    # close when the thread ends (it says goodbye first, so the peer does not take the EOF
    # for our death).
    def _thread_connection(self, primary, tls):
        """The current thread's own connection to the peer of ``primary`` (opened now if
        needed), or ``primary`` if one cannot be opened"""
        holder = getattr(tls, 'connections', None)
        if holder is None:
            self.proxies.start()  # its releaser thread closes them (see _ThreadConnections)
            holder = tls.connections = _ThreadConnections(self)
            with self._lock:
                self._thread_holders.add(holder)
        conns = holder.conns
        conn = conns.get(primary.peer_id)
        if conn is not None:
            if not conn.dead and conn.peer_boot == primary.peer_boot:
                return conn
            del conns[primary.peer_id]
            self.close_private(conn)
        if holder.shunned and _clock() < holder.shunned.get(primary.peer_id, 0.0):
            return primary
        self._close_for_ended_threads()
        try:
            conn = self._connect(primary.peer_id, _bound_of(tls), THREAD_CONNECT_PATIENCE)
        except socket.timeout:
            # it accepts no connection now (out of descriptors, say): calls go through the
            # shared one for a while, instead of each waiting for a handshake in vain first
            holder.shunned[primary.peer_id] = _clock() + THREAD_CONNECT_RETRY
            return primary
        except Exception:  # e.g. it is going away: the call reports that over ``primary``
            return primary
        conn.private = True
        if conn.peer_boot != primary.peer_boot:
            # it restarted just now: the next call goes through its new connection
            conn.closing = True
            conn.mark_dead('restarted meanwhile')
            return primary
        with self._lock:
            self._private.add(conn)
        conns[primary.peer_id] = conn
        self._watch(conn)
        if conn.channel.has_buffered_frame():
            self.pool.submit(lambda conn=conn: self._drain_buffered(conn))
        return conn

    def _close_for_ended_threads(self):
        """Close the connections of threads that ended but still hold them: PyPy drops a
        thread's locals (and so closes its connections) only when its garbage collector
        runs, so a program that starts many short-lived calling threads ran out of file
        descriptors on both sides first and hung (before a new connection opens, then, those
        of ended threads close)"""
        with self._lock:
            holders = list(self._thread_holders)
        for holder in holders:
            if holder.conns and not holder.thread.is_alive():
                for conn in holder.take_all():
                    self.close_private(conn)

    def close_private(self, conn):
        """Close a thread's own connection (its thread ended)"""
        conn.closing = True
        if not conn.dead:
            try:
                # (not through self.dumps: this may run as the thread's locals are dropped)
                body, buffers = conn.serializer.dumps((None, _GOODBYE, None))
                conn.send(REQUEST, 0, body, buffers)
            except Exception:
                pass
        self.connection_lost(conn, 'its thread ended')

    # -- making calls ------------------------------------------------------
    def decode_request(self, conn, body, buffers):
        """``(chain, op, data)`` of a request's pickle ``body``"""
        return conn.serializer.loads(body, buffers)

    def run_request(self, conn, chain, op, data):
        """Run request ``op`` in the current thread as part of ``chain``; returns its value"""
        tls = _tls
        previous, origin = getattr(tls, 'chain', None), getattr(tls, 'origin', None)
        tls.chain, tls.origin = chain, conn
        try:
            return HANDLERS[op](self, conn, data)
        finally:
            tls.chain, tls.origin = previous, origin

    def thread_waiter(self):
        """The Waiter of the current thread (holds what bounds its calls)"""
        return getattr(_tls, 'waiter', None) or self._waiter()

    def _waiter(self):
        waiter = getattr(_tls, 'waiter', None)
        if waiter is None:
            waiter = _tls.waiter = Waiter()
            waiter.is_main = is_main_thread()
        return waiter

    def _chain(self):
        chain = getattr(_tls, 'chain', None)
        if chain is None:
            chain = getattr(_tls, 'own_chain', None)
            if chain is None:
                # a number of its own, not the thread ident: a peer may still send a callback
                # of a chain whose thread ended (a call abandoned at its deadline), and a new
                # thread with the same ident ran it as its own callback, in its own call
                # (wrong thread-locals, and its call hung)
                chain = _tls.own_chain = '%s:%x' % (self.boot_id, next(self._chain_ids))
        return chain

    def dumps(self, conn, message, large_values=()):
        previous = getattr(_tls, 'destination', None)
        _tls.destination = conn
        try:
            return conn.serializer.dumps(message, large_values)
        finally:
            _tls.destination = previous

    def request(self, peer_id, op, data, large_values=()):
        """Run ``op`` with ``data`` in ``peer_id`` and return its result (or raise its error)"""
        tls = _tls
        origin = getattr(tls, 'origin', None)
        if origin is not None and origin.peer_id == peer_id and not origin.dead:
            # serving a request of that peer: back where its caller waits
            return self.call(origin, op, data, large_values)
        conn = self._peers.get(peer_id)
        if conn is None or conn.dead:
            conn = self.connection(peer_id)
        if origin is None and THREAD_CONNECTIONS:
            waiter = getattr(tls, 'waiter', None) or self._waiter()
            if not waiter.is_main:
                conn = self._thread_connection(conn, tls)
        return self.call(conn, op, data, large_values)

    def call(self, conn, op, data, large_values=()):
        """Send request ``op`` over ``conn`` and wait for its reply (the hot path of every call)"""
        tls = _tls
        waiter = getattr(tls, 'waiter', None)
        if waiter is None:
            waiter = self._waiter()
        if not self.multi_caller and not waiter.is_main and not conn.private:
            # from now on the main thread may read frames of other threads: it must not
            # lose one to a KeyboardInterrupt (see _await)
            self.multi_caller = True
        chain = getattr(tls, 'chain', None) or getattr(tls, 'own_chain', None) or self._chain()
        request_id = next(self._ids)
        bound = waiter.bound
        if bound is not None:
            # a deadline or a cancellable future: the twin must be able to interrupt it
            deadlines.check(bound, conn.peer_id)
            op, data = 'bounded', (request_id, bound.remaining(), op, data)
        serializer = conn.serializer
        previous, tls.destination = getattr(tls, 'destination', None), conn
        try:
            try:
                if large_values or not serializer.direct:
                    body, buffers = serializer.dumps((chain, op, data), large_values)
                else:
                    body, buffers = _dumps((chain, op, data), serializer.protocol), None
            except by_reference.PICKLING_ERRORS as err:
                body, buffers = by_reference.encode(serializer, chain, op, data, large_values, err,
                                                    conn.peer_id)
        finally:
            tls.destination = previous
        chains = self._chains
        stack = chains.get(chain)
        if stack is None:
            stack = chains[chain] = [waiter]
        else:
            stack.append(waiter)
        pending = conn.pending
        pending[request_id] = waiter
        if bound is not None:
            waiter.calling += 1
        try:
            if conn.dead:
                raise TwinterpreterTerminated(conn.peer_id, conn.death_reason or 'connection lost')
            shield = waiter.is_main and self.multi_caller
            if shield:
                return self._call_shielded(conn, waiter, request_id, body, buffers, bound)
            try:
                reading = conn.take_role(waiter)
                conn.channel.send_message(REQUEST, request_id, body, buffers,
                                          None if bound is None else bound.deadline)
            except BaseException as err:
                lost = self._send_failed(conn, waiter, err, shield)
                if lost is not None:
                    raise lost
                raise
            # the main thread, while other threads call too, reads only in the shielded way
            # (see _await); with several peers a callback may come over another connection
            if reading and not waiter.inbox and len(self._peers) <= 1 and not shield and bound is None:
                # the common case: we read our own reply, and it is the next frame
                channel = conn.channel
                inbox = waiter.inbox
                try:
                    # (the main thread spins by polling readiness: signals arrive in it)
                    if (channel._buffer or (_SPIN and channel.spin(not waiter.is_main, inbox))
                            or waiter.wait_readable(channel.sock)):
                        payload, buffers = channel.read_frame()
                    else:
                        # woken before the reply came: a request of our chain was delivered,
                        # over another connection (a peer that connected only meanwhile, so
                        # the count of peers above did not know it yet): _await runs it
                        payload = None
                except ChannelClosed as err:
                    reading = False
                    self.connection_lost(conn, str(err))
                except BaseException:
                    conn.release_role(waiter)
                    raise
                else:
                    if payload is not None:
                        kind, reply_id = _unpack_prefix(payload, 0)
                        if (reply_id == request_id and kind != REQUEST
                                and not (channel._buffer and channel.has_buffered_frame())):
                            conn.release_role(waiter)
                            return self._decode_reply(conn, kind, payload[_PREFIX_SIZE:], buffers)
                        try:
                            # (the main thread: another thread may have begun to call meanwhile,
                            # and its frame must not be lost to a KeyboardInterrupt half-way)
                            tasks = self._shielded(waiter.is_main, self._read_and_dispatch,
                                                   conn, waiter, (payload, buffers))
                        except BaseException:
                            conn.release_role(waiter)
                            raise
                        for task in tasks:
                            self.pool.submit(task)
            return self._await(conn, waiter, request_id, reading, bound)
        finally:
            if bound is not None:
                waiter.calling -= 1
            stack.pop()
            if not stack:
                chains.pop(chain, None)
            pending.pop(request_id, None)
            if waiter in conn.role_waiters:
                conn.forget_waiter(waiter)

    def send_oneway(self, conn, op, data):
        body, buffers = self.dumps(conn, (None, op, data))
        conn.send(REQUEST, 0, body, buffers)

    def _abandon(self, conn, request_id):
        """Give up waiting for ``request_id``: ask the peer to interrupt it; its reply, if it
        still comes, finds no waiter and is dropped"""
        conn.pending.pop(request_id, None)
        body, _ = self.dumps(conn, (None, 'interrupt', request_id))
        try:
            # never blocks: a peer that stopped reading (its socket buffer full) must not
            # hold the caller past its deadline; what cannot go at once is finished by a
            # thread (see cpy2py.wire.bounded_send)
            conn.channel.send_message(REQUEST, 0, body, None, _clock())
        except SendTimeout:
            # another thread's frame holds the connection: send it once that one is done
            thread = threading.Thread(target=self._send_interrupt_later, args=(conn, body),
                                      name='cpy2py-interrupt')
            thread.daemon = True
            thread.start()
        except ChannelClosed:
            pass

    @staticmethod
    def _send_interrupt_later(conn, body):
        try:
            conn.send(REQUEST, 0, body)
        except ChannelClosed:
            pass

    def _await(self, conn, waiter, request_id, reading, bound=None):
        """Wait for the reply of ``request_id``, reading the connection when nobody else does,
        running callbacks of our chain meanwhile; with a ``bound`` (deadline or cancellation)
        every wait is limited and the call is abandoned when the bound says so"""
        inbox = waiter.inbox
        channel = conn.channel
        shield = waiter.is_main and self.multi_caller
        try:
            while True:
                # looked at again each time: another thread may have begun to call
                shield = waiter.is_main and self.multi_caller
                while inbox:
                    item = inbox.popleft()
                    if item[0] == 'reply':
                        if item[1] != request_id:
                            continue  # the late reply of a call abandoned by an interrupt
                        if reading:
                            reading = False
                            self._shielded(shield, conn.release_role, waiter)
                        if bound is not None and bound.cancelled:
                            deadlines.check(bound, conn.peer_id)  # cancelled meanwhile: stop here too
                        if item[2] == REPLY_OK:
                            return item[3]
                        raise remote_errors.to_exception(item[3])
                    # a request of our own chain: a callback, run it here
                    if reading:
                        reading = False
                        self._shielded(shield, conn.release_role, waiter)
                    self._execute(item[1])
                if conn.dead:
                    raise TwinterpreterTerminated(conn.peer_id, conn.death_reason or 'connection lost')
                if bound is not None and deadlines.over(bound):
                    self._abandon(conn, request_id)
                    # the peer may run the abandoned request for a while yet (blocked in C,
                    # or not reached by the interrupt): this thread's next calls start a chain
                    # of their own, or the peer would deliver them as callbacks to the thread
                    # that still runs it, which does not look at them until it is done
                    _tls.own_chain = None
                    deadlines.check(bound, conn.peer_id)
                if not reading:
                    reading = self._shielded(shield, conn.take_role, waiter)
                    if not reading:
                        if bound is None:
                            waiter.wait()
                        else:
                            waiter.wait_for(deadlines.wait_time(bound))
                        continue
                    if inbox:
                        # the previous reader delivered to us just before it let go
                        continue
                # the main thread may be hit by KeyboardInterrupt at any point: while it reads
                # for other threads too, it waits interruptibly but reads and delivers with
                # SIGINT held back, so no frame of another thread is lost half-way
                if not channel.has_buffered_frame():
                    # a callback of our chain may also come over another connection (also
                    # with a single peer counted when the call began: another may connect
                    # meanwhile); the main thread spins by polling readiness only
                    spun = _SPIN and channel.spin(not waiter.is_main, inbox)
                    if not spun and not waiter.wait_readable(
                            channel.sock, None if bound is None else deadlines.wait_time(bound), bound):
                        continue
                try:
                    tasks = self._shielded(shield, self._read_and_dispatch, conn, waiter)
                except ChannelClosed as err:
                    reading = False
                    self.connection_lost(conn, str(err))
                    continue
                for task in tasks:
                    self.pool.submit(task)
        finally:
            # also when an interrupt came between taking the role and noting it
            if reading or conn.reader is waiter:
                self._shielded(shield, conn.release_role, waiter)

    def _call_shielded(self, conn, waiter, request_id, body, buffers, bound):
        """
        The main thread's call while other threads call too (see _await): it sends, takes
        the reader role, spins (by polling readiness) and reads a reply that came meanwhile
        all with SIGINT held back once; only a longer wait is interruptible (in _await)
        """
        reading, reply = False, None
        try:
            with InterruptsDeferred():
                reading = conn.take_role(waiter)
                conn.channel.send_message(REQUEST, request_id, body, buffers,
                                          None if bound is None else bound.deadline)
                if reading and not waiter.inbox and len(self._peers) <= 1 and bound is None:
                    channel = conn.channel
                    if channel._buffer or (_SPIN and channel.spin(False)):
                        reply = self._read_own_reply(conn, waiter, request_id)
                        reading = conn.reader is waiter
        except BaseException as err:
            lost = self._send_failed(conn, waiter, err, True)
            if lost is not None:
                raise lost
            raise
        if reply is not None:
            return self._decode_reply(conn, reply[0], reply[1], reply[2])
        return self._await(conn, waiter, request_id, reading, bound)

    def _send_failed(self, conn, waiter, err, shield):
        """Taking the role or sending failed with ``err`` (e.g. KeyboardInterrupt, maybe inside
        take_role): the role is never kept; a closed channel is the peer's end, returned as
        the error to raise instead (None: raise ``err`` itself)"""
        if conn.reader is waiter:
            self._shielded(shield, conn.release_role, waiter)
        if isinstance(err, ChannelClosed):
            self.connection_lost(conn, str(err))
            return TwinterpreterTerminated(conn.peer_id, conn.death_reason or str(err))
        if isinstance(err, SendTimeout):
            return deadlines.timed_out(waiter.bound, conn.peer_id, sent=False)
        return None

    def _read_own_reply(self, conn, waiter, request_id):
        """
        Read the next frame as the reader of ``conn`` (the shielded main thread: SIGINT held
        back by the caller); ``(kind, body, buffers)`` if it is the reply of ``request_id``
        and nothing else is buffered (the reader role is given back then), else None after
        dispatching it (and what is buffered) like :py:meth:`_await` does, role kept
        """
        channel = conn.channel
        payload, buffers = channel.read_frame()
        kind, reply_id = _unpack_prefix(payload, 0)
        if (reply_id == request_id and kind != REQUEST
                and not (channel._buffer and channel.has_buffered_frame())):
            conn.release_role(waiter)
            return kind, payload[_PREFIX_SIZE:], buffers
        try:
            tasks = self._read_and_dispatch(conn, waiter, (payload, buffers))
        except BaseException:
            conn.release_role(waiter)
            raise
        for task in tasks:
            self.pool.submit(task)
        return None

    @staticmethod
    def _decode_reply(conn, kind, body, buffers):
        """The value of a reply (or raise its error), as _dispatch decodes it"""
        serializer = conn.serializer
        try:
            if buffers or not serializer.direct:
                value = serializer.loads(body, buffers)
            else:
                value = _loads(body)
        except BaseException as exc:
            kind, value = REPLY_ERROR, remote_errors.undecodable(exc, conn.peer_id, body, kind)
        if kind == REPLY_OK:
            return value
        raise remote_errors.to_exception(value)

    @staticmethod
    def _shielded(shield, function, *args):
        """
        ``function(*args)``, with SIGINT held back if ``shield``

        The main thread, while other threads call too, takes and gives back the reader role
        and reads and delivers frames this way: a KeyboardInterrupt between handing the role
        to a waiting thread and waking it (or arming the socket), or between reading another
        thread's frame and delivering it, would leave that thread waiting forever.
        """
        if not shield:
            return function(*args)
        with InterruptsDeferred():
            return function(*args)

    def _read_and_dispatch(self, conn, waiter, first=None):
        """Read the next frame (unless ``first`` was read already) and any buffered ones, as
        the reader of ``conn`` waiting in ``waiter``; returns the requests to run"""
        return self._dispatch(conn, conn.read_frames(first), waiter)

    # -- receiving ---------------------------------------------------------
    def _on_readable(self, conn):
        """Poller handler: read what arrived on an idle connection"""
        if not conn.take_role(Poller.MARKER):
            return None
        channel = conn.channel
        token = None
        try:
            if not channel.has_buffered_frame():
                if not channel.receive_available():
                    # a caller took the role and read what woke the poller before we got the
                    # role: reading now would block this thread while no thread leads the poller
                    conn.release_role(Poller.MARKER, park=False)
                    return None
                if not channel.has_buffered_frame():
                    # the rest of the frame is still on its way (a large value, or a peer
                    # that stalls): another thread leads meanwhile if it takes long
                    token = self.pool.begin_unled()
            frames = conn.read_frames()
        except ChannelClosed as err:
            self.connection_lost(conn, str(err))
            return None
        except BaseException:
            conn.release_role(Poller.MARKER, park=False)
            raise
        finally:
            if token is not None:
                self.pool.end_unled(token)
        tasks = None
        try:
            tasks = self._dispatch(conn, frames)
            return tasks
        finally:
            # with a request to run, the thread running it stays on the connection afterwards
            conn.release_role(Poller.MARKER, park=bool(tasks))

    def _dispatch(self, conn, frames, me=None):
        """
        Deliver replies and chain requests to their threads; return the other requests

        ``me`` is the Waiter of the calling thread, if it reads for itself: items for it
        go straight into its inbox.
        """
        tasks = []
        serializer = conn.serializer
        loads = _loads if serializer.direct else serializer.loads
        for payload, buffers in frames:
            kind, request_id = _unpack_prefix(payload, 0)
            body = payload[_PREFIX_SIZE:]
            if kind == REQUEST:
                try:
                    if buffers:
                        chain, op, data = serializer.loads(body, buffers)
                    else:
                        chain, op, data = loads(body)
                except BaseException:
                    # e.g. a class this twin cannot import (yet): a pool thread tries again with
                    # the main's import path, or explains (handlers.undecoded)
                    tasks.append((conn, request_id, None, 'undecoded', (body, buffers)))
                    continue
                task = (conn, request_id, chain, op, data)
                stack = self._chains.get(chain) if chain is not None else None
                if stack:
                    target = stack[-1]
                    if target is me:
                        me.inbox.append(('request', task))
                    else:
                        target.deliver(('request', task))
                elif chain is None and op == _GOODBYE:
                    # the peer's thread that owned this connection ended: EOF follows
                    conn.closing = True
                else:
                    tasks.append(task)
                continue
            waiter = conn.pending.pop(request_id, None)
            if waiter is None:
                continue
            try:
                value = serializer.loads(body, buffers) if buffers else loads(body)
            except BaseException as exc:
                kind, value = REPLY_ERROR, remote_errors.undecodable(exc, conn.peer_id, body, kind)
            if waiter is me:
                me.inbox.append(('reply', request_id, kind, value))
            else:
                waiter.deliver(('reply', request_id, kind, value))
        if tasks:
            conn.requests_at = _clock()
        return tasks

    def _run_task(self, holder):
        """Run the task in the list ``holder`` (emptied: once it ran, nothing here keeps the
        request's arguments alive while this worker stays on the connection)"""
        task = holder.pop()
        if callable(task):
            task()
            return
        waiter = getattr(_tls, 'waiter', None) or self._waiter()
        conn = waiter.staying_on = task[0]
        try:
            ran_long = self._execute_timed(task)
            task = None
            self._stay_on(conn, waiter, ran_long)
        finally:
            waiter.staying_on = None

    def _stay_on(self, conn, waiter, ran_long=False):
        """
        After serving a request of ``conn`` (``ran_long``: for longer than _LONG_REQUEST),
        read its next requests in this thread

        While the connection stays parked (one peer, nobody else reading), this worker waits
        on it and runs what arrives without epoll or a thread hand-off; it gives way as soon as
        another thread wants the reader role, and leaves when the promoter armed the socket
        during a long request.
        """
        channel = conn.channel
        role_waiters = conn.role_waiters
        while conn.take_idle(waiter):
            tasks = None
            waiter.serving = conn
            try:
                while not tasks:
                    if not (channel._buffer and channel.has_buffered_frame()):
                        # the next request usually follows at once: spin before sleeping;
                        # but not after a long request (see _LONG_REQUEST)
                        spun = _SPIN and not ran_long and channel.spin(inbox=role_waiters)
                        if not spun and not waiter.wait_request(conn):
                            return
                    tasks = self._dispatch(conn, conn.read_frames())
            except ChannelClosed as err:
                self.connection_lost(conn, str(err))
                return
            finally:
                waiter.serving = None
                conn.release_role(waiter)
            if len(tasks) > 1:
                for task in tasks[1:]:
                    self.pool.submit(task)
            ran_long = self._execute_timed(tasks[0])

    def _execute_timed(self, task):
        """:py:meth:`_execute`; returns whether the request ran longer than _LONG_REQUEST"""
        started = _clock()
        self._execute(task)
        return _clock() - started > _LONG_REQUEST

    def _execute(self, task):
        """Run a request; its chain is registered by the calls it makes (see :py:meth:`call`)"""
        conn, request_id, chain, op, data = task
        tls = _tls
        previous, origin = getattr(tls, 'chain', None), getattr(tls, 'origin', None)
        # calls made while serving it go back over its connection (see request)
        tls.chain, tls.origin = chain, conn
        try:
            result = HANDLERS[op](self, conn, data)
            kind = REPLY_OK
        except BaseException as exc:
            kind = REPLY_ERROR
            try:
                result = remote_errors.capture(exc, self)
            except BaseException:
                result = remote_errors.minimal(exc, self)
        finally:
            tls.chain, tls.origin = previous, origin
        if request_id:
            self._reply(conn, request_id, kind, result)

    def _reply(self, conn, request_id, kind, value):
        """Send a reply; whatever goes wrong, the caller gets an answer"""
        tls = _tls
        previous, tls.destination = getattr(tls, 'destination', None), conn
        serializer = conn.serializer
        try:
            if serializer.direct and type(value) not in _BYTES_LIKE:
                if serializer.out_of_band:
                    # numpy arrays (PickleBuffers) out-of-band at any depth; large bytes-like
                    # values in a small container or an object's attributes at once, deeper ones
                    # when the pickle is large
                    if type(value) not in _ATOMS and _has_large_buffer((value,)):
                        body, buffers = serializer.dumps_out_of_band(value)
                    else:
                        oob = []
                        body = _dumps(value, serializer.protocol, buffer_callback=oob.append)
                        buffers = None
                        if oob or len(body) >= _NESTED_LARGE:
                            body, buffers = serializer.dumps_out_of_band(value)
                else:
                    body, buffers = _dumps(value, serializer.protocol), None
            else:
                body, buffers = serializer.dumps(value, (value,) if kind == REPLY_OK else ())
        except BaseException as exc:
            body = None
            if kind == REPLY_OK:
                # not picklable: hand out a reference to it instead of a copy
                try:
                    body, buffers = conn.serializer.dumps(RemoteHandle(value))
                except BaseException as exc2:
                    exc = exc2
            if body is None:
                kind = REPLY_ERROR
                body, buffers = self._error_body(conn, exc)
        finally:
            tls.destination = previous
        try:
            conn.channel.send_message(kind, request_id, body, buffers)
        except ChannelClosed:
            pass

    def _error_body(self, conn, exc):
        try:
            return self.dumps(conn, remote_errors.capture(exc, self))
        except BaseException:
            return self.dumps(conn, remote_errors.minimal(exc, self))

    # -- object lifetime ---------------------------------------------------
    def _send_releases(self, owner, releases):
        conn = self._peers.get(owner)
        if conn is None or conn.dead:
            # proxies handed to us by a third process: we may never have talked to the
            # owner. Connect to give the units back, but never (re)start a twin for it.
            releases = [release for release in releases if release[0] not in self.dead_boots]
            if not releases or owner in self.stopped:
                return
            conn = self.connection(owner, start=False)
        self.send_oneway(conn, 'release', releases)


class _ThreadConnections(object):
    """A thread's own connections to peers (thread-local): closed when the thread ends"""

    def __init__(self, kernel):
        self.kernel = kernel
        #: peer id -> Connection
        self.conns = {}
        #: the thread they belong to (see Kernel._close_for_ended_threads)
        self.thread = threading.current_thread()
        #: peer id -> when to try to open a connection of its own again (see THREAD_CONNECT_RETRY)
        self.shunned = {}

    def take_all(self):
        """The connections, which no longer belong to this thread"""
        conns, self.conns = list(self.conns.values()), {}
        return conns

    def __del__(self):
        # run when the thread's locals are dropped (CPython: as the thread ends; PyPy: by
        # the garbage collector, wherever it runs, maybe in a thread holding a lock that
        # closing takes): the releaser thread closes them; at exit the process does
        try:
            close = self.kernel.close_private
            for conn in list(self.conns.values()):
                self.kernel.proxies.call_later(lambda conn=conn: close(conn))
        except Exception:
            pass


#: channels of new connections; with CPY2PY_STATS or CPY2PY_TRACE set, Kernel.call is
#: wrapped to count, time and trace calls (when neither is set, nothing changes)
_make_channel = observe.install(Kernel)
