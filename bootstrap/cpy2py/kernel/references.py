"""
References: how TwinObjects, proxies and unpicklable results cross the wire

An object crosses as ``(owner twin id, owner boot id, instance id, class import path)``.
The receiver gets the real object back if it is the owner, and otherwise the one proxy
it keeps for that object (see :py:mod:`cpy2py.kernel.objects` for the lifetime rules).

Which class that proxy has is the business of the layer above (:py:mod:`cpy2py.proxy`):
it registers its hooks (:py:func:`register_proxy_layer`) when it is imported, and
:py:mod:`cpy2py` gives how to import it (:py:func:`register_proxy_layer_loader`) for a
process that receives a reference before it used any proxy. The kernel is reached through
the getter that :py:mod:`cpy2py.kernel.kernel_state` (which creates it, above us)
registers, together with that loader, before it creates the kernel: references exist
only while a kernel runs.
"""
import sys
import threading

try:
    import _imp
except ImportError:  # Python 2
    import imp as _imp

from cpy2py.protocol import serializer
from cpy2py.exceptions import StaleProxy
from cpy2py.utility.compat import qualname, resolve_qualname

REF_ATTRIBUTE = '__cpy2py_ref__'



def _no_kernel_getter():
    raise RuntimeError('no kernel was created in this process (cpy2py.kernel.kernel_state.get_kernel)')


#: () -> the kernel of this process, created on first use (kernel_state's get_kernel)
_get_kernel = _no_kernel_getter


def register_kernel_getter(get_kernel):
    """How references reach this process's kernel (registered by kernel_state)"""
    global _get_kernel
    _get_kernel = get_kernel


#: per-thread state of the kernel (waiter, call chain, ...); ``destination``: the connection
#: whose message this thread is pickling (a reference sent to a third twin needs a unit)
thread_state = threading.local()


# memoryviews cross only in messages to peers (see cpy2py.protocol.serializer)
serializer.register_wire_check(lambda: getattr(thread_state, 'destination', None) is not None)


def current_destination():
    """The connection whose message is being pickled by this thread, or None"""
    return getattr(thread_state, 'destination', None)


def _no_proxy_layer():
    raise RuntimeError('cannot make a proxy: cpy2py.proxy is not loaded (import cpy2py first)')


#: () -> None: imports the proxy layer, which then registers its hooks (set by cpy2py)
_proxy_layer_loader = _no_proxy_layer


def _load_proxy_layer(cls_ref):
    _proxy_layer_loader()
    if _proxy_class_for is _load_proxy_layer:
        raise RuntimeError('the proxy layer did not register its hooks')
    return _proxy_class_for(cls_ref)


#: cls_ref -> the class of a new proxy for an object of that class (proxy layer hook)
_proxy_class_for = _load_proxy_layer
#: class -> the real class behind it, where it is a proxy class (proxy layer hook); while
#: no proxy layer is loaded there are no proxy classes
_real_class = None


def register_proxy_layer(proxy_class_for, real_class):
    """The layer above tells how a reference becomes a proxy and a proxy class a real one"""
    global _proxy_class_for, _real_class
    _proxy_class_for, _real_class = proxy_class_for, real_class


def register_proxy_layer_loader(loader):
    """``loader()`` imports the proxy layer when a reference arrives before it was used"""
    global _proxy_layer_loader
    _proxy_layer_loader = loader


def class_ref(cls):
    """Import path of a class: ``(module, qualified name)``"""
    return cls.__module__, qualname(cls)


def import_class(ref):
    """The class named by ``ref``, or None when it cannot be imported here"""
    if ref is None:
        return None
    module_name, name = ref
    try:
        module = sys.modules.get(module_name)
        if module is None or _importing(module):
            # not imported yet, or another thread is importing it right now: the module's
            # import lock (Python 2: the global one) makes us wait until that import is done,
            # instead of looking for a class further down a half-executed module
            __import__(module_name)
            module = sys.modules[module_name]
        return resolve_qualname(module, name)
    except Exception:
        return None


def _importing(module):
    """Whether ``module`` may still be executing its import (in any thread)"""
    spec = getattr(module, '__spec__', None)
    if spec is not None:
        return bool(getattr(spec, '_initializing', False))
    return _import_lock_held()


def _import_lock_held():
    """Python 2 (and modules without a spec): whether some thread is importing"""
    held = getattr(_imp, 'lock_held', None)
    return held() if held is not None else False


def resolve_class(ref):
    """The real class named by ``ref`` (a proxy class is replaced by its real class); a
    class not found here is looked for again with the main's import path, and an import
    that still fails raises an error that explains it (see cpy2py.kernel.import_path)"""
    cls = import_class(ref)
    if cls is None:
        from cpy2py.kernel.import_path import class_not_found
        cls = class_not_found(_get_kernel(), ref)
    return _real_class(cls) if _real_class is not None else cls


def export_reference(obj, cls_ref):
    """Reduce value for a real object of this process being sent to a peer"""
    kernel = _get_kernel()
    iid = kernel.exports.export(obj)
    return rebuild_reference, (kernel.twin_id, kernel.boot_id, iid, cls_ref)


def proxy_reference(proxy, destination):
    """Reduce value for a proxy being sent to ``destination`` (a Connection)"""
    owner, boot, iid = object.__getattribute__(proxy, REF_ATTRIBUTE)
    cls_ref = type(proxy).__dict__.get('__cpy2py_class_ref__')
    if destination is not None and destination.peer_id != owner:
        # a third party: give it its own unit before the reference is in flight
        _get_kernel().request(owner, 'incref', (boot, iid))
    return rebuild_reference, (owner, boot, iid, cls_ref)


def rebuild_reference(owner, boot, iid, cls_ref):
    """Unpickling side: the real object (if ours) or its proxy"""
    kernel = _get_kernel()
    if owner == kernel.twin_id:
        if boot != kernel.boot_id:
            raise StaleProxy(owner, 'the object belonged to an earlier process of this twin')
        try:
            return kernel.exports.get(iid)
        except KeyError:
            raise StaleProxy(owner, 'object #%s was already released' % iid)
    key = (owner, boot, iid)

    def make_proxy():
        proxy = object.__new__(_proxy_class_for(cls_ref))
        object.__setattr__(proxy, REF_ATTRIBUTE, key)
        return proxy
    return kernel.proxies.get_or_create(key, make_proxy)


class RemoteHandle(object):
    """Wraps a local object so that it is sent by reference (a result that cannot be pickled)"""
    __slots__ = ('target',)

    def __init__(self, target):
        self.target = target

    def __reduce_ex__(self, protocol):
        return export_reference(self.target, None)
