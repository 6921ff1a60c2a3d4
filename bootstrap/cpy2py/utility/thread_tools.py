"""
Small thread-safe helpers: a locked value wrapper and a FIFO queue

:py:class:`ThreadGuard` makes every operation on a wrapped value atomic, e.g. for a
counter shared by threads. :py:class:`FifoQueue` is a minimal thread-safe queue whose
``get`` raises :py:exc:`ItemError` instead of ``queue.Empty``.
"""
import ast
import collections
import operator
import threading

from cpy2py.utility.compat import stringabc, inf, intern_str, unicode_str, long_int, PY3
from cpy2py.exceptions import CPy2PyException

#: sentinel for "no value given"
UNSET = intern_str('<unset_sentinel>')


def _unwrap(value):
    """The plain value of ``value`` if it is a ThreadGuard (read under its lock)"""
    if isinstance(value, ThreadGuard):
        with value._lock:
            return value.__wrapped__
    return value


def _binary(function, name):
    def method(self, other):
        other = _unwrap(other)
        with self._lock:
            return function(self.__wrapped__, other)
    method.__name__ = name
    return method


def _reflected(function, name):
    def method(self, other):
        other = _unwrap(other)
        with self._lock:
            return function(other, self.__wrapped__)
    method.__name__ = name
    return method


def _inplace(function, name):
    def method(self, other):
        other = _unwrap(other)
        with self._lock:
            self.__wrapped__ = function(self.__wrapped__, other)
        return self
    method.__name__ = name
    return method


def _unary(function, name):
    def method(self):
        with self._lock:
            return function(self.__wrapped__)
    method.__name__ = name
    return method


class ThreadGuard(object):
    """
    A value whose operations hold a lock

    :param start: the initial value; a string is parsed with :py:func:`ast.literal_eval`
                  when it is a Python literal (``ThreadGuard('100')`` wraps the int 100)
    :param lock_type: factory of the lock

    Operators, comparisons, conversions, ``hash`` and calls act on the wrapped value
    (available as ``__wrapped__``) while the lock is held. Results are plain values:
    ``ThreadGuard(1.0) * 2`` is the float ``2.0``. In-place operators replace the wrapped
    value and keep the guard. As a context manager the guard holds its lock for the whole
    block and enters the wrapped value, if that is a context manager itself.
    """

    def __init__(self, start=0.0, lock_type=threading.Lock):
        if isinstance(start, stringabc):
            try:
                start = ast.literal_eval(start)
            except (ValueError, SyntaxError):
                pass
        self.__wrapped__ = start
        self._lock = lock_type()

    def __enter__(self):
        self._lock.acquire()
        enter = getattr(self.__wrapped__, '__enter__', None)
        if enter is None:
            return self.__wrapped__
        try:
            return enter()
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, exc_type, exc_value, traceback):
        try:
            exit_ = getattr(self.__wrapped__, '__exit__', None)
            if exit_ is not None:
                return exit_(exc_type, exc_value, traceback)
            return False
        finally:
            self._lock.release()

    def __call__(self, *args, **kwargs):
        with self._lock:
            return self.__wrapped__(*args, **kwargs)

    def __repr__(self):
        with self._lock:
            return 'ThreadGuard<%r>' % (self.__wrapped__,)

    def __str__(self):
        with self._lock:
            return str(self.__wrapped__)

    def __unicode__(self):
        with self._lock:
            return unicode_str(self.__wrapped__)

    def __bytes__(self):
        with self._lock:
            return bytes(self.__wrapped__)

    def __hash__(self):
        with self._lock:
            return hash(self.__wrapped__)

    def __bool__(self):
        with self._lock:
            return bool(self.__wrapped__)
    __nonzero__ = __bool__

    def __index__(self):
        with self._lock:
            return operator.index(self.__wrapped__)

    def __round__(self, *ndigits):
        with self._lock:
            return round(self.__wrapped__, *ndigits)

    def __pow__(self, other, modulo=None):
        other = _unwrap(other)
        with self._lock:
            if modulo is None:
                return pow(self.__wrapped__, other)
            return pow(self.__wrapped__, other, modulo)

    def __ipow__(self, other, modulo=None):
        other = _unwrap(other)
        with self._lock:
            if modulo is None:
                self.__wrapped__ = pow(self.__wrapped__, other)
            else:
                self.__wrapped__ = pow(self.__wrapped__, other, modulo)
        return self


# name -> function of the plain values
_BINARY = {
    'add': operator.add, 'sub': operator.sub, 'mul': operator.mul,
    'truediv': operator.truediv, 'floordiv': operator.floordiv, 'mod': operator.mod,
    'divmod': divmod, 'lshift': operator.lshift, 'rshift': operator.rshift,
    'and': operator.and_, 'or': operator.or_, 'xor': operator.xor,
}
_INPLACE = ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'lshift', 'rshift', 'and', 'or', 'xor')
if hasattr(operator, 'div'):  # Python 2 only
    _BINARY['div'] = getattr(operator, 'div')
    _INPLACE += ('div',)
if hasattr(operator, 'matmul'):
    _BINARY['matmul'] = operator.matmul
    _INPLACE += ('matmul',)
_COMPARE = {
    'lt': operator.lt, 'le': operator.le, 'eq': operator.eq,
    'ne': operator.ne, 'gt': operator.gt, 'ge': operator.ge,
}
_UNARY = {
    'neg': operator.neg, 'pos': operator.pos, 'abs': abs, 'invert': operator.invert,
    'int': int, 'float': float, 'complex': complex,
}
if not PY3:
    _UNARY.update({'long': long_int, 'oct': oct, 'hex': hex})
else:
    import math
    _UNARY.update({'trunc': math.trunc, 'floor': math.floor, 'ceil': math.ceil})


def _install():
    for name, function in _BINARY.items():
        dunder = '__%s__' % name
        setattr(ThreadGuard, dunder, _binary(function, dunder))
        rdunder = '__r%s__' % name
        setattr(ThreadGuard, rdunder, _reflected(function, rdunder))
    setattr(ThreadGuard, '__rpow__', _reflected(pow, '__rpow__'))
    for name in _INPLACE:
        dunder = '__i%s__' % name
        setattr(ThreadGuard, dunder, _inplace(_BINARY[name], dunder))
    for name, function in _COMPARE.items():
        dunder = '__%s__' % name
        setattr(ThreadGuard, dunder, _binary(function, dunder))
    for name, function in _UNARY.items():
        dunder = '__%s__' % name
        setattr(ThreadGuard, dunder, _unary(function, dunder))


_install()


class ItemError(CPy2PyException):
    """No item is available in a queue"""


class FifoQueue(object):
    """
    A minimal thread-safe first-in, first-out queue

    :py:meth:`get` raises :py:exc:`ItemError` when no item arrives in time.
    """

    def __init__(self):
        self._items = collections.deque()
        self._condition = threading.Condition(threading.Lock())

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)
    __nonzero__ = __bool__

    def qsize(self):
        """Number of items in the queue, the same as ``len(queue)``"""
        return len(self._items)

    def put(self, item):
        """Append ``item`` to the queue"""
        with self._condition:
            self._items.append(item)
            self._condition.notify()

    def get(self, block=True, timeout=inf):
        """
        Remove and return the oldest item

        :param block: wait for an item if the queue is empty
        :param timeout: the longest time to wait; ``inf`` or ``None`` means no limit
        :raises ItemError: if no item is available (in time)
        """
        import time
        with self._condition:
            if not block:
                if not self._items:
                    raise ItemError('queue is empty')
                return self._items.popleft()
            if timeout is None or timeout == inf:
                while not self._items:
                    # a bounded wait keeps the thread interruptible on Python 2
                    self._condition.wait(3600)
                return self._items.popleft()
            deadline = time.time() + max(timeout, 0)
            while not self._items:
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise ItemError('no item within %s s' % timeout)
                self._condition.wait(remaining)
            return self._items.popleft()


__all__ = ['ThreadGuard', 'FifoQueue', 'ItemError', 'UNSET']
