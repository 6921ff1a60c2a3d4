"""
References: how TwinObjects and proxies cross the wire

An object crosses as ``(owner twin id, owner boot id, instance id, module, class name)``.
The receiver gets the real object back if it is the owner, and otherwise the one proxy
it keeps for that object (see :py:mod:`cpy2py.kernel.objects` for the lifetime rules).
"""
import sys

from cpy2py.kernel.exceptions import StaleProxy
from cpy2py.utility.compat import qualname, resolve_qualname

REF_ATTRIBUTE = '__cpy2py_ref__'


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
        if module is None:
            __import__(module_name)
            module = sys.modules[module_name]
        return resolve_qualname(module, name)
    except Exception:
        return None


def export_reference(obj, cls_ref):
    """Reduce value for a real object of this process being sent to a peer"""
    from cpy2py.kernel.kernel import get_kernel
    kernel = get_kernel()
    iid = kernel.exports.export(obj)
    return rebuild_reference, (kernel.twin_id, kernel.boot_id, iid, cls_ref)


def proxy_reference(proxy, destination):
    """Reduce value for a proxy being sent to ``destination`` (a Connection)"""
    owner, boot, iid = object.__getattribute__(proxy, REF_ATTRIBUTE)
    cls_ref = type(proxy).__dict__.get('__cpy2py_class_ref__')
    if destination is not None and destination.peer_id != owner:
        # a third party: give it its own unit before the reference is in flight
        from cpy2py.kernel.kernel import get_kernel
        get_kernel().request(owner, 'incref', (boot, iid))
    return rebuild_reference, (owner, boot, iid, cls_ref)


def rebuild_reference(owner, boot, iid, cls_ref):
    """Unpickling side: the real object (if ours) or its proxy"""
    from cpy2py.kernel.kernel import get_kernel
    kernel = get_kernel()
    if owner == kernel.twin_id:
        if boot != kernel.boot_id:
            raise StaleProxy(owner, 'the object belonged to an earlier process of this twin')
        try:
            return kernel.exports.get(iid)
        except KeyError:
            raise StaleProxy(owner, 'object #%s was already released' % iid)
    key = (owner, boot, iid)

    def make_proxy():
        from cpy2py.proxy.proxy_meta import proxy_class_for_ref
        proxy = object.__new__(proxy_class_for_ref(cls_ref))
        object.__setattr__(proxy, REF_ATTRIBUTE, key)
        return proxy
    return kernel.proxies.get_or_create(key, make_proxy)
