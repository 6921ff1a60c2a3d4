"""
TwinMeta: the metaclass that gives each TwinObject class a real and a proxy version

For every class statement it builds the *real* class (the user's class, with real
bases) and, on demand, a *proxy* class (same name and module, deriving from its members
class, the proxies of the TwinObject bases and ``TwinProxy``; in the method resolution
order of real subclasses made where the class is foreign, the proxy class stands right
after the real one, so ``super(Base, self)`` works there: see
:py:mod:`cpy2py.proxy.class_order`). The class statement binds the real class
in the twin the class belongs to (``__twin_id__``) and the proxy class everywhere else,
so ``Cls()`` and ``Cls.some_classmethod()`` run in the right interpreter. ``isinstance``
and ``issubclass`` compare real classes, so proxies and real objects pass the same checks.

A metaclass derived from ``TwinMeta`` (for instance one that also derives from
``abc.ABCMeta``) is the metaclass of both versions: the real class and its proxy are
created by the metaclasses after ``TwinMeta`` in its method resolution order (``ABCMeta``,
then ``type``), and ``isinstance``/``issubclass`` end there too, on real classes.

Importing this module registers with the kernel how a reference becomes a proxy
(:py:func:`proxy_class_for_ref`) and a proxy class its real class (:py:func:`real_class`).
"""
from cpy2py.kernel import kernel_state
from cpy2py.kernel.references import (
    class_ref, import_class, export_reference, current_destination, register_proxy_layer)
from cpy2py.proxy.members import (
    ProxyMethod, RemoteAttribute, PROXY_CORE, class_call, is_proxy_class, proxy_repr)
from cpy2py.proxy.handle import RemoteObject
from cpy2py.proxy.class_order import MEMBERS, HOLDER, is_face, arrange

#: attributes of a real class that never become remote descriptors on its proxy class
_NOT_FORWARDED = frozenset((
    '__module__', '__qualname__', '__doc__', '__dict__', '__weakref__', '__slots__', '__twin_id__',
    '__new__', '__init__', '__getattribute__', '__getattr__', '__setattr__', '__delattr__',
    '__reduce__', '__reduce_ex__', '__getstate__', '__setstate__', '__getnewargs__',
    '__getnewargs_ex__', '__class__', '__init_subclass__', '__subclasshook__', '__class_getitem__',
    '__del__', '__classcell__', '__abstractmethods__', '_abc_impl', '__annotations__',
    '__orig_bases__', '__parameters__', '__instancecheck__', '__subclasscheck__', '__prepare__',
    '__set_name__', '__sizeof__', '__copy__', '__deepcopy__', '__metaclass__', '__local_member__',
    '__firstlineno__', '__static_attributes__', '__type_params__',
))


#: names the standard library looks for on any class, never set on a TwinObject class:
#: not asked of the twin (``inspect.signature(cls)``, which ``@dataclass`` calls while the
#: module is imported, must not call a twin that may not be started yet)
_PROBED_LOCALLY = frozenset(('_partialmethod',))

#: where ABCMeta keeps registered virtual subclasses (C ``_abc``; ``_py_abc`` and Python 2)
_ABC_REGISTRIES = ('_abc_impl', '_abc_registry')


def is_local_member(raw):
    function = getattr(raw, '__func__', raw)
    return bool(getattr(raw, '__local_member__', False) or getattr(function, '__local_member__', False))


def real_class(cls):
    """The real class behind ``cls`` (``cls`` itself if it is real)"""
    return cls.__dict__.get('__cpy2py_real__', cls) if isinstance(cls, TwinMeta) else cls


def proxy_class(cls):
    """The proxy class of the TwinObject class ``cls`` (built on first use)"""
    real = real_class(cls)
    if real.__dict__.get('__cpy2py_base__'):
        return TwinProxy
    proxy = real.__dict__.get('__cpy2py_proxy__')
    if proxy is None:
        proxy = _build_proxy_class(real)
    return proxy


def _build_proxy_class(real, classcell=None):
    bases = []
    for base in real.__bases__:
        if isinstance(base, TwinMeta):
            base = proxy_class(base)
        if base not in bases:
            bases.append(base)
    if not any(issubclass(base, TwinProxy) for base in bases):
        bases.insert(0, TwinProxy)
    # the proxy class is a face and its members class (see cpy2py.proxy.class_order)
    members = dict(PROXY_CORE)
    for klass in real.__mro__:
        if klass is object or is_face(klass) or klass.__dict__.get('__cpy2py_base__'):
            continue
        for name, raw in klass.__dict__.items():
            if name in members or name in _NOT_FORWARDED or name.startswith('__cpy2py'):
                continue
            members[name] = _proxy_member(name, raw, RemoteAttribute(name))
    # the face holds what the real class holds itself, as the real class does: class
    # decorators look there (dataclass: is __hash__ the class's own?)
    namespace = dict((name, members[name]) for name in real.__dict__
                     if name in members and name not in PROXY_CORE)
    members.update({'__module__': real.__module__, '__slots__': (), HOLDER: True,
                    '__doc__': 'What instances of the proxy class %s find' % real.__name__})
    holder = type('%s.members' % real.__name__, (object,), members)
    namespace.update({
        '__module__': real.__module__,
        '__doc__': real.__doc__,
        '__twin_id__': real.__dict__['__twin_id__'],
        '__cpy2py_class_ref__': class_ref(real),
        MEMBERS: holder,
        # the class's own __dict__ slot would hide the proxy's (vars(proxy): see members.py)
        '__dict__': members['__dict__'],
    })
    if hasattr(real, '__qualname__'):
        namespace['__qualname__'] = real.__qualname__
    if '__orig_bases__' in real.__dict__:
        # typing.Generic[T] among the bases: Generic.__init_subclass__ takes the parameters
        # from there (without them it refuses the plain Generic among the proxy's bases)
        namespace['__orig_bases__'] = real.__dict__['__orig_bases__']
    if classcell is not None:
        namespace['__classcell__'] = classcell
    # not a proxy class until __cpy2py_real__ is set: what the metaclasses set while
    # creating it (ABCMeta: _abc_impl, __abstractmethods__) stays local
    proxy = _create_class(type(real), real.__name__, (holder,) + tuple(bases), namespace)
    type.__setattr__(proxy, '__cpy2py_real__', real)
    for name in _ABC_REGISTRIES:  # ABCMeta.register on the proxy registers with the real class
        if name in real.__dict__:
            type.__setattr__(proxy, name, real.__dict__[name])
    type.__setattr__(real, '__cpy2py_proxy__', proxy)
    return proxy


def _create_class(meta, name, bases, namespace):
    """A class of metaclass ``meta`` (or of the most derived metaclass of ``bases``) made by
    the metaclasses after TwinMeta: calling ``type.__new__`` with a less derived metaclass
    would hand the call back to ``TwinMeta.__new__`` of the derived one"""
    for base in bases:
        kind = type(base)
        if kind is not meta and issubclass(kind, meta):
            meta = kind
    return super(TwinMeta, meta).__new__(meta, name, bases, namespace)


def _proxy_member(name, raw, data):
    """What the proxy class holds for the real class's member ``raw``: local members as
    they are, methods as :py:class:`ProxyMethod`, ``None`` as ``None`` (``__hash__ = None``:
    unhashable stays unhashable), anything else ``data``"""
    if is_local_member(raw) or raw is None:
        return raw
    if isinstance(raw, (classmethod, staticmethod)) or _is_function(raw):
        return ProxyMethod(name, raw)
    return data


def _is_dunder(name):
    return len(name) > 4 and name.startswith('__') and name.endswith('__')


def _is_function(raw):
    import types
    return isinstance(raw, (types.FunctionType, types.BuiltinFunctionType)) or (
        callable(raw) and not isinstance(raw, type) and hasattr(raw, '__get__')
        and not hasattr(raw, '__set__'))


def proxy_class_for_ref(cls_ref):
    """Proxy class for a reference's class, or the generic proxy if it is unknown here"""
    cls = import_class(cls_ref)
    if isinstance(cls, TwinMeta):
        return proxy_class(cls)
    return RemoteObject


class TwinMeta(type):
    """Metaclass of :py:class:`TwinObject`"""

    def __new__(mcs, name, bases, namespace):
        if namespace.get('__cpy2py_base__'):
            return type.__new__(mcs, name, bases, namespace)
        namespace = dict(namespace)
        twin_id = namespace.get('__twin_id__')
        if twin_id is None:
            for base in bases:
                if hasattr(base, '__twin_id__'):
                    twin_id = base.__twin_id__
                    break
        if twin_id is None:
            twin_id = kernel_state.MASTER_ID
        namespace['__twin_id__'] = twin_id
        real_bases = tuple(real_class(base) for base in bases)
        if twin_id == kernel_state.TWIN_ID:
            return _create_class(mcs, name, real_bases, namespace)
        # elsewhere the name is bound to the proxy class: it must own the __class__ cell
        classcell = namespace.pop('__classcell__', None)
        real = _create_class(mcs, name, real_bases, namespace)
        return _build_proxy_class(real, classcell)

    def mro(cls):
        # proxy classes of foreign bases stand in the order (see cpy2py.proxy.class_order)
        return arrange(super(TwinMeta, cls).mro())

    def __call__(cls, *args, **kwargs):
        twin_id = cls.__twin_id__
        if twin_id is None or twin_id == kernel_state.TWIN_ID or cls.__dict__.get('__cpy2py_base__'):
            return type.__call__(real_class(cls), *args, **kwargs)
        return class_call(cls, 'new', (args, kwargs), args)

    def __instancecheck__(cls, instance):
        return cls.__subclasscheck__(type(instance))

    def __subclasscheck__(cls, subclass):
        if cls.__dict__.get('__cpy2py_base__'):
            return type.__subclasscheck__(cls, subclass)
        real = real_class(cls)
        # the next metaclass decides (ABCMeta: registered virtual subclasses too)
        return super(TwinMeta, type(real)).__subclasscheck__(real, real_class(subclass))

    def __getattr__(cls, name):
        # only reached for names the proxy class does not define: ask the real class
        if is_proxy_class(cls) and not name.startswith('__') and name not in _PROBED_LOCALLY:
            return class_call(cls, 'class_get', (name,))
        raise AttributeError("type object %r has no attribute %r" % (cls.__name__, name))

    def __setattr__(cls, name, value):
        if is_proxy_class(cls) and not name.startswith('__cpy2py'):
            if not _is_dunder(name):
                return class_call(cls, 'class_set', (name, value), (value,))
            # the class's protocol (``__repr__``, ``__eq__``, ``__dataclass_fields__``) is
            # set by class decorators (dataclass, total_ordering), which run in every
            # process: on the real class in its twin, on this proxy class here. What they
            # add stays here, a method as a call of the twin's own (decorated) method;
            # sending it would fail for the functions they make, or decorate twice.
            # What the real class does not hold itself goes to the members class, where
            # real subclasses made here do not find it
            if name not in PROXY_CORE:
                type.__setattr__(_holder_of(cls, name), name, _proxy_member(name, value, value))
            return
        type.__setattr__(cls, name, value)

    def __delattr__(cls, name):
        if is_proxy_class(cls) and not name.startswith('__cpy2py'):
            if not _is_dunder(name):
                return class_call(cls, 'class_del', (name,))
            holder = _holder_of(cls, name)
            if name not in PROXY_CORE and name in holder.__dict__:
                type.__delattr__(holder, name)  # as __setattr__: the protocol stays local
            return
        type.__delattr__(cls, name)


#: what a class decorator may set that describes the class rather than its instances: it
#: stays on the proxy class itself (the interpreter reads ``__abstractmethods__`` there)
_CLASS_METADATA = frozenset((
    '__doc__', '__module__', '__qualname__', '__abstractmethods__', '__annotations__',
    '__parameters__', '__orig_bases__', '__type_params__',
))


def _holder_of(cls, name):
    """Where a class decorator's ``name`` goes on the proxy class ``cls``: class metadata
    and names the real class holds itself (which ``cls`` holds too, and which hide what
    its members class holds) on ``cls``, anything else in its members class: real
    subclasses made here must not find it (see cpy2py.proxy.class_order)"""
    if name in _CLASS_METADATA or name in cls.__dict__:
        return cls
    return cls.__dict__[MEMBERS]


def _twin_reduce_ex(self, protocol):
    if current_destination() is None:
        return object.__reduce_ex__(self, protocol)
    return export_reference(self, class_ref(type(self)))


TwinObject = TwinMeta('TwinObject', (object,), {
    '__cpy2py_base__': True,
    '__twin_id__': None,
    '__module__': 'cpy2py.proxy.proxy_object',
    '__doc__': """
    Base class for objects that live in one twinterpreter

    Set ``__twin_id__`` in a subclass to the id of the twin where instances must live;
    everywhere else, instantiating the class creates the object there and returns a proxy.
    Without ``__twin_id__`` (or with ``None``), the id is inherited from the bases, and
    defaults to the main interpreter (:py:data:`~cpy2py.kernel.kernel_state.MASTER_ID`).
    """,
    '__reduce_ex__': _twin_reduce_ex,
})

TwinProxy = TwinMeta('TwinProxy', (TwinObject,), dict(
    PROXY_CORE, __cpy2py_base__=True, __repr__=proxy_repr, __module__=__name__,
    __doc__='Base class of all proxies of objects that live in another twinterpreter'))

register_proxy_layer(proxy_class_for_ref, real_class)
