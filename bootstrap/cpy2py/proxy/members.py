"""
What proxy classes are made of: members that send operations to the owner of the object

Every proxy class (:py:class:`~cpy2py.proxy.proxy_meta.TwinProxy` and the classes
:py:class:`~cpy2py.proxy.proxy_meta.TwinMeta` builds) holds in its class body a descriptor
for every attribute of the real class: :py:class:`ProxyMethod` for methods (called
remotely in one round trip), :py:class:`RemoteAttribute` for class attributes and
properties (read remotely); local methods stay as they are. Instance attributes that the
class does not know are looked up remotely by ``__getattr__`` (:py:data:`PROXY_CORE`).
"""
from cpy2py.exceptions import StaleProxy
from cpy2py.kernel.kernel_state import get_kernel
from cpy2py.kernel.references import REF_ATTRIBUTE, proxy_reference, current_destination, class_ref


def is_proxy_class(cls):
    """Whether ``cls`` is a proxy class (not a real class, not one deriving from a proxy class)"""
    return '__cpy2py_real__' in cls.__dict__


def live_reference(proxy):
    """``(kernel, owner, boot, iid)`` of ``proxy``; StaleProxy when its process has ended"""
    owner, boot, iid = object.__getattribute__(proxy, REF_ATTRIBUTE)
    kernel = get_kernel()
    if boot in kernel.dead_boots:
        raise StaleProxy(owner, 'the object lived in a process of twin %r that has terminated' % owner)
    return kernel, owner, boot, iid


def remote_call(proxy, op, payload_tail, large_values=()):
    """Send ``op`` about ``proxy`` to the twin that owns the object"""
    kernel, owner, boot, iid = live_reference(proxy)
    return kernel.request(owner, op, (boot, iid) + payload_tail, large_values)


def class_call(cls, op, tail, large_values=()):
    """Run a class-level ``op`` in the twin that owns the TwinObject class ``cls``"""
    real = cls.__dict__.get('__cpy2py_real__', cls)
    return get_kernel().request(real.__dict__.get('__twin_id__', real.__twin_id__), op,
                                (class_ref(real),) + tail, large_values)


class RemoteBoundMethod(object):
    # ``proxy.name`` for a method: calling it runs the method remotely. Its __doc__ and
    # __signature__ are the method's (help(), inspect.signature, CLI builders read them)
    __slots__ = ('_proxy', '__name__', '_member')

    def __init__(self, proxy, name, member=None):
        self._proxy = proxy
        self.__name__ = name
        self._member = member  # the ProxyMethod: the real function, for __doc__/__signature__

    @property
    def __doc__(self):
        return self._member.__doc__ if self._member is not None else None

    @property
    def __signature__(self):
        """The method's signature as a bound method has it (without self or cls)"""
        member = self._member
        if member is None:
            return None
        try:
            from inspect import signature
        except ImportError:  # Python 2: no signatures (hasattr() is then False)
            raise AttributeError('__signature__')
        try:
            found = signature(member.__wrapped__)
        except (TypeError, ValueError):  # a callable without one: inspect looks further
            return None
        if member.binds_first:
            found = found.replace(parameters=list(found.parameters.values())[1:])
        return found

    def __call__(self, *args, **kwargs):
        if self.__name__ == '__exit__' and len(args) == 3:
            args = (args[0], args[1], None)  # tracebacks cannot be pickled
        return remote_call(self._proxy, 'method', (self.__name__, args, kwargs), args)

    def __reduce__(self):
        # e.g. TwinMaster.execute(proxy.method): the owner gets the real bound method
        return getattr, (self._proxy, self.__name__)

    def __eq__(self, other):
        return (isinstance(other, RemoteBoundMethod) and other._proxy is self._proxy
                and other.__name__ == self.__name__)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((id(self._proxy), self.__name__))

    def __repr__(self):
        return '<remote method %s of %r>' % (self.__name__, self._proxy)


class ProxyMethod(object):
    """Class-body descriptor of a remote method, classmethod or staticmethod"""

    def __init__(self, name, raw):
        self.name = name
        self.is_plain_function = not isinstance(raw, (classmethod, staticmethod))
        self.binds_first = not isinstance(raw, staticmethod)  # self or cls
        function = getattr(raw, '__func__', raw)
        self.__doc__ = getattr(function, '__doc__', None)
        self.__wrapped__ = function

    def _describe(self, local, owner, wrapped=True):
        """Give ``local`` (what the proxy class hands out) the method's name, doc and,
        through __wrapped__, its signature"""
        local.__name__ = self.name
        local.__doc__ = self.__doc__
        qualname = getattr(self.__wrapped__, '__qualname__', None)
        if qualname is not None:
            local.__qualname__ = qualname
        local.__module__ = owner.__module__
        if wrapped:
            local.__wrapped__ = self.__wrapped__
        return local

    def __get__(self, instance, owner):
        if instance is not None:
            return RemoteBoundMethod(instance, self.name, self)
        name = self.name
        if self.is_plain_function:
            def unbound(self_, *args, **kwargs):
                if not is_proxy_class(type(self_)):
                    # Base.method(self) in a method of a subclass that lives here, where
                    # Base is foreign: self is a real object, and the method is the one
                    # Base resolves to, not self's own (which would be the caller itself)
                    real = owner.__dict__.get('__cpy2py_real__', owner)
                    return getattr(real, name)(self_, *args, **kwargs)
                return getattr(self_, name)(*args, **kwargs)
            return self._describe(unbound, owner)

        def class_level(*args, **kwargs):
            return class_call(owner, 'class_method', (name, args, kwargs), args)
        # a classmethod's __wrapped__ would show cls, which is bound here: doc and name only
        return self._describe(class_level, owner, wrapped=not self.binds_first)


class RemoteAttribute(object):
    """Class-body descriptor of a class attribute, property or other descriptor"""

    def __init__(self, name):
        self.name = name

    def __get__(self, instance, owner):
        if instance is None:
            return class_call(owner, 'class_get', (self.name,))
        return remote_call(instance, 'getattr', (self.name,))


def _proxy_getattr(self, name):
    if name.startswith('__cpy2py') or name in ('__getstate__', '__length_hint__'):
        raise AttributeError(name)
    return remote_call(self, 'getattr', (name,))


#: instance attributes a proxy keeps itself: ``Box[int](...)`` marks the object it made
#: with ``__orig_class__``, an alias of the proxy class that concerns this process only
_KEPT_BY_PROXY = frozenset(('__orig_class__',))


def _proxy_setattr(self, name, value):
    if name.startswith('__cpy2py') or name in _KEPT_BY_PROXY:
        object.__setattr__(self, name, value)
    else:
        remote_call(self, 'setattr', (name, value), (value,))


def _proxy_delattr(self, name):
    remote_call(self, 'delattr', (name,))


def _proxy_reduce_ex(self, protocol):
    return proxy_reference(self, current_destination())


def _proxy_reduce(self):
    return proxy_reference(self, current_destination())


def _copy_here(target, deep):
    """Runs in the owner of ``target``: the copy ``copy.copy``/``copy.deepcopy`` would make"""
    import copy
    return copy.deepcopy(target) if deep else copy.copy(target)


def copy_in_owner(proxy, deep):
    """``copy.copy(proxy)`` and ``copy.deepcopy(proxy)``: the owner copies the object and the
    caller gets a proxy of the copy. Without this, copying goes through ``__reduce_ex__``,
    which makes a reference: the "copy" was the same object, and changing it changed the
    original. A deep copy starts a memo of its own in the owner (a memo cannot cross);
    ``copy.deepcopy`` still records the proxy's copy in the caller's memo."""
    kernel, owner = live_reference(proxy)[:2]
    return kernel.request(owner, 'call', (_copy_here, (proxy, deep), {}), ())


def _proxy_copy(self):
    return copy_in_owner(self, False)


def _proxy_deepcopy(self, memo):
    return copy_in_owner(self, True)


def _instance_dict_slot(obj):
    """The interpreter's own ``__dict__`` descriptor for ``obj`` (the one of the class nearest
    to ``object`` that has instances with a dict: TwinObject)"""
    for klass in reversed(type(obj).__mro__):
        slot = klass.__dict__.get('__dict__')
        if slot is not None and not isinstance(slot, property):
            return slot
    raise AttributeError('__dict__')


def _proxy_vars(self):
    # vars(proxy) and proxy.__dict__: a copy of the object's attributes, read from its owner
    # (the proxy's own dict holds nothing but its reference); AttributeError, as for an
    # object with __slots__ only, makes vars() raise TypeError as in one process. A real
    # object whose class derives from a proxy class (a subclass living here) finds this
    # property too: it gets its own dict.
    if not is_proxy_class(type(self)):
        return _instance_dict_slot(self).__get__(self, type(self))
    return remote_call(self, 'getattr', ('__dict__',))


def _proxy_set_vars(self, value):
    if not is_proxy_class(type(self)):
        _instance_dict_slot(self).__set__(self, value)
    else:
        remote_call(self, 'setattr', ('__dict__', value), (value,))


def proxy_repr(self):
    try:
        owner, boot, iid = object.__getattribute__(self, REF_ATTRIBUTE)
    except AttributeError:
        owner, iid = '?', '?'
    cls = type(self)
    return '<%s.%s twin proxy object #%s in twin %r>' % (cls.__module__, cls.__name__, iid, owner)


def _proxy_init(self, *args, **kwargs):
    pass


#: the attributes every proxy class defines itself (never forwarded)
PROXY_CORE = {
    '__getattr__': _proxy_getattr,
    '__setattr__': _proxy_setattr,
    '__delattr__': _proxy_delattr,
    '__reduce_ex__': _proxy_reduce_ex,
    '__reduce__': _proxy_reduce,
    '__init__': _proxy_init,
    '__dict__': property(_proxy_vars, _proxy_set_vars),
    '__copy__': _proxy_copy,
    '__deepcopy__': _proxy_deepcopy,
}

__all__ = ['ProxyMethod', 'RemoteAttribute', 'RemoteBoundMethod', 'PROXY_CORE', 'remote_call',
           'is_proxy_class', 'live_reference', 'class_call', 'proxy_repr', 'copy_in_owner']
