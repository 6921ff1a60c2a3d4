"""
The operations a kernel serves: the table from op name to handler (the protocol's opcodes)

Each handler takes ``(kernel, connection, data)`` and returns the reply value.
"""
from cpy2py.exceptions import CallCancelled, StaleProxy
from cpy2py.kernel import deadlines, import_path
from cpy2py.kernel.references import resolve_class as _class


def _native(kernel, boot, iid):
    if boot != kernel.boot_id:
        raise StaleProxy(kernel.twin_id, 'the object belonged to an earlier process of this twin')
    try:
        return kernel.exports.get(iid)
    except KeyError:
        raise StaleProxy(kernel.twin_id, 'object #%s was already released' % iid)


def call(kernel, conn, data):
    func, args, kwargs = data
    return func(*args, **kwargs)


def new(kernel, conn, data):
    ref, args, kwargs = data
    return _class(ref)(*args, **kwargs)


def method(kernel, conn, data):
    boot, iid, name, args, kwargs = data
    return getattr(_native(kernel, boot, iid), name)(*args, **kwargs)


def class_method(kernel, conn, data):
    ref, name, args, kwargs = data
    return getattr(_class(ref), name)(*args, **kwargs)


def get_attribute(kernel, conn, data):
    boot, iid, name = data
    return getattr(_native(kernel, boot, iid), name)


def set_attribute(kernel, conn, data):
    boot, iid, name, value = data
    setattr(_native(kernel, boot, iid), name, value)


def del_attribute(kernel, conn, data):
    boot, iid, name = data
    delattr(_native(kernel, boot, iid), name)


def class_get(kernel, conn, data):
    ref, name = data
    return getattr(_class(ref), name)


def class_set(kernel, conn, data):
    ref, name, value = data
    type.__setattr__(_class(ref), name, value)


def class_del(kernel, conn, data):
    ref, name = data
    type.__delattr__(_class(ref), name)


def next_item(kernel, conn, data):
    boot, iid = data
    return next(_native(kernel, boot, iid))


def release(kernel, conn, data):
    for boot, iid, units in data:
        if boot == kernel.boot_id:
            kernel.exports.release(iid, units)


def incref(kernel, conn, data):
    boot, iid = data
    _native(kernel, boot, iid)
    kernel.exports.incref(iid)


def executable(kernel, conn, data):
    """The executable a TwinMaster in this process named for twin ``data``, or None"""
    return kernel.executables.get(data)


def ping(kernel, conn, data):
    return data


def stats(kernel, conn, data):
    """Counts for tests and benchmarks: exported objects, proxies, threads"""
    import threading
    return {'exports': len(kernel.exports), 'proxies': len(kernel.proxies),
            'threads': threading.active_count(), 'pool_threads': kernel.pool.threads}


def bounded(kernel, conn, data):
    """A request its caller may interrupt (it has a deadline, or runs for a future)"""
    request_id, remaining, op, inner = data
    key = (conn, request_id)
    waiter = kernel.thread_waiter()
    interrupts = kernel.interrupts
    running = interrupts.begin(key, waiter)
    if running is None:
        raise CallCancelled('cancelled by its caller before it started')
    previous = waiter.bound
    try:
        # (a callback run by a thread that waits under a bound of its own stays under that one too)
        waiter.bound = deadlines.Bound(waiter, previous, remaining)
        return HANDLERS[op](kernel, conn, inner)
    finally:
        # first: until end() returns, the interrupt may still take effect at any step
        interrupted = interrupts.end(key, running)
        waiter.bound = previous
        if interrupted:
            deadlines.after_interrupt()


def interrupt(kernel, conn, data):
    """The caller of bounded request ``data`` gave up waiting: stop it"""
    kernel.interrupts.interrupt((conn, data))


def undecoded(kernel, conn, data):
    """A request whose pickle did not load when it arrived: decode it again with the main's
    import path, then run it (or explain what this twin cannot import)"""
    body, buffers = data
    chain, op, inner = import_path.decode_again(
        kernel, lambda: kernel.decode_request(conn, body, buffers), body)
    return kernel.run_request(conn, chain, op, inner)


def sys_path(kernel, conn, data):
    """The main's application directories on sys.path (see cpy2py.kernel.import_path)"""
    return import_path.shareable_path()


HANDLERS = {
    'call': call,
    'new': new,
    'method': method,
    'class_method': class_method,
    'getattr': get_attribute,
    'setattr': set_attribute,
    'delattr': del_attribute,
    'class_get': class_get,
    'class_set': class_set,
    'class_del': class_del,
    'next': next_item,
    'release': release,
    'incref': incref,
    'executable': executable,
    'ping': ping,
    'stats': stats,
    'bounded': bounded,
    'interrupt': interrupt,
    'undecoded': undecoded,
    'sys_path': sys_path,
}
