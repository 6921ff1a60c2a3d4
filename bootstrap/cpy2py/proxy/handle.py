"""
Handles: references to objects that are not TwinObjects

A result that cannot be pickled (a generator, a file, a lock, ...) is returned as a
reference; the caller gets a :py:class:`RemoteObject` that forwards attribute access,
calls, iteration and the common operators.
"""
from cpy2py.proxy.reference import export_reference, proxy_reference, REF_ATTRIBUTE


class RemoteHandle(object):
    """Wraps a local object so that it is sent by reference"""
    __slots__ = ('target',)

    def __init__(self, target):
        self.target = target

    def __reduce_ex__(self, protocol):
        return export_reference(self.target, None)


def _forward(name):
    def forwarder(self, *args, **kwargs):
        from cpy2py.proxy.proxy_twin import remote_call
        return remote_call(self, 'method', (name, args, kwargs), args)
    forwarder.__name__ = name
    return forwarder


class RemoteObject(object):
    """Generic proxy of an object in another twinterpreter"""

    def __getattr__(self, name):
        if name.startswith('__cpy2py'):
            raise AttributeError(name)
        from cpy2py.proxy.proxy_twin import remote_call
        return remote_call(self, 'getattr', (name,))

    def __setattr__(self, name, value):
        from cpy2py.proxy.proxy_twin import remote_call
        remote_call(self, 'setattr', (name, value), (value,))

    def __delattr__(self, name):
        from cpy2py.proxy.proxy_twin import remote_call
        remote_call(self, 'delattr', (name,))

    def __reduce_ex__(self, protocol):
        from cpy2py.kernel.kernel import current_destination
        return proxy_reference(self, current_destination())

    def __iter__(self):
        return self

    def __next__(self):
        from cpy2py.proxy.proxy_twin import remote_call
        return remote_call(self, 'next', ())
    next = __next__

    def __repr__(self):
        owner, _, iid = object.__getattribute__(self, REF_ATTRIBUTE)
        return '<cpy2py remote object #%s in twin %r>' % (iid, owner)


for _name in ('__call__', '__len__', '__getitem__', '__setitem__', '__delitem__', '__contains__',
              '__enter__', '__exit__', '__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__',
              '__add__', '__sub__', '__mul__', '__str__'):
    setattr(RemoteObject, _name, _forward(_name))
