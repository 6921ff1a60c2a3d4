"""
Handles: references to objects that are not TwinObjects

A result that cannot be pickled (a generator, a file, a lock, ...) is returned as a
reference (:py:class:`cpy2py.kernel.references.RemoteHandle`); the caller gets a
:py:class:`RemoteObject` that forwards attribute access, calls, iteration and the common
operators.
"""
import operator

from cpy2py.exceptions import StaleProxy
from cpy2py.kernel.kernel_state import get_kernel
from cpy2py.kernel.references import proxy_reference, current_destination, REF_ATTRIBUTE
from cpy2py.proxy.members import remote_call, copy_in_owner
from cpy2py.proxy.awaiting import remote_await


def _call(target, *args, **kwargs):
    return target(*args, **kwargs)


#: how the owner applies a forwarded special method: like the interpreter does (looked up
#: on the type; a missing one is a TypeError, so e.g. list() and bool() work on generators)
_OPERATIONS = {
    '__call__': _call, '__len__': len, '__bool__': bool, '__nonzero__': bool, '__str__': str,
    '__iter__': iter,
    '__getitem__': operator.getitem, '__setitem__': operator.setitem,
    '__delitem__': operator.delitem, '__contains__': operator.contains,
    '__eq__': operator.eq, '__ne__': operator.ne, '__lt__': operator.lt, '__le__': operator.le,
    '__gt__': operator.gt, '__ge__': operator.ge,
    '__add__': operator.add, '__sub__': operator.sub, '__mul__': operator.mul,
}


def _operate(target, name, args, kwargs):
    """Runs in the owner of ``target``: the special method ``name``"""
    operation = _OPERATIONS.get(name)
    if operation is None:
        return getattr(target, name)(*args, **kwargs)
    return operation(target, *args, **kwargs)


def _forward(name):
    def forwarder(self, *args, **kwargs):
        owner, boot, _ = object.__getattribute__(self, REF_ATTRIBUTE)
        kernel = get_kernel()
        if boot in kernel.dead_boots:
            raise StaleProxy(owner, 'the object lived in a process of twin %r that has terminated' % owner)
        if name == '__exit__' and len(args) == 3:
            args = (args[0], args[1], None)  # tracebacks cannot be pickled
        return kernel.request(owner, 'call', (_operate, (self, name, args, kwargs), {}), args)
    forwarder.__name__ = name
    return forwarder


class RemoteObject(object):
    """Generic proxy of an object in another twinterpreter"""

    def __getattr__(self, name):
        if name.startswith('__cpy2py'):
            raise AttributeError(name)
        return remote_call(self, 'getattr', (name,))

    def __setattr__(self, name, value):
        remote_call(self, 'setattr', (name, value), (value,))

    def __delattr__(self, name):
        remote_call(self, 'delattr', (name,))

    def __reduce_ex__(self, protocol):
        return proxy_reference(self, current_destination())

    def __copy__(self):
        return copy_in_owner(self, False)  # a copy made by the owner, as for TwinObject proxies

    def __deepcopy__(self, memo):
        return copy_in_owner(self, True)

    def __await__(self):
        # a coroutine an async method returned: it runs in its owner (cpy2py.proxy.awaiting)
        return remote_await(self)

    def __next__(self):
        return remote_call(self, 'next', ())
    next = __next__

    def __repr__(self):
        owner, _, iid = object.__getattribute__(self, REF_ATTRIBUTE)
        return '<cpy2py remote object #%s in twin %r>' % (iid, owner)


for _name in ('__call__', '__len__', '__getitem__', '__setitem__', '__delitem__', '__contains__',
              '__enter__', '__exit__', '__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__',
              '__add__', '__sub__', '__mul__', '__str__', '__bool__', '__nonzero__', '__iter__',
              '__aiter__', '__anext__'):  # an async generator: __anext__ gives an awaitable
    setattr(RemoteObject, _name, _forward(_name))
