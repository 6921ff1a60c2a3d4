"""
Kernel flavours: the ``kernel`` argument of TwinMaster

The original library let a twin pick a kernel implementation: ``'single'`` (serial),
``'async'`` (a thread per request), ``'multi'`` (a worker pool), or any ``(client, server)``
pair, e.g. from a module with ``CLIENT`` and ``SERVER``. This runtime has one kernel that is
re-entrant and concurrent, which serves every flavour: the classes here only name the
flavours. The original's flavour modules (``cpy2py.kernel.kernel_single``,
``kernel_async``, ``kernel_multi``, ``cpy2py.kernel.flavours.single``/``threaded``) are
served from :py:mod:`cpy2py.aliases`, each with its ``CLIENT`` and ``SERVER``.
"""


class KernelClient(object):
    """Marks the client side of a kernel flavour"""
    #: name of the flavour
    flavour = None


class KernelServer(object):
    """Marks the server side of a kernel flavour"""
    #: name of the flavour
    flavour = None


def _flavour(name, label, origin):
    """The client and server classes of the flavour ``name`` (class names ``<label>Kernel...``)"""
    return tuple(
        type(label + 'Kernel' + side, (base,), {
            'flavour': name, '__module__': __name__,
            '__doc__': '%s side of the %r kernel flavour (%s)' % (side, name, origin)})
        for side, base in (('Client', KernelClient), ('Server', KernelServer)))


SingleKernelClient, SingleKernelServer = _flavour(
    'single', 'Single', 'the original served one request at a time')
AsyncKernelClient, AsyncKernelServer = _flavour(
    'async', 'Async', 'the original ran each request in a thread')
MultiKernelClient, MultiKernelServer = _flavour(
    'multi', 'Multi', "also 'threaded': the original used a worker pool")

#: flavour names and their ``(client, server)`` classes
FLAVOURS = {
    'single': (SingleKernelClient, SingleKernelServer),
    'async': (AsyncKernelClient, AsyncKernelServer),
    'multi': (MultiKernelClient, MultiKernelServer),
    'threaded': (MultiKernelClient, MultiKernelServer),
}


def resolve_kernel(kernel=None):
    """
    The ``(client, server)`` pair that ``kernel`` refers to

    :param kernel: ``None`` (the default, ``'single'``), a flavour name, a ``(client, server)``
                   pair or an object (e.g. a module) with ``CLIENT`` and ``SERVER``
    :raises ValueError: if ``kernel`` refers to no client and server
    """
    if kernel is None:
        kernel = 'single'
    if isinstance(kernel, type(u'')) or isinstance(kernel, str):
        try:
            kernel = FLAVOURS[kernel]
        except KeyError:
            raise ValueError("Expected 'kernel' to reference client and server, or be one of %s, not %r"
                             % (', '.join(repr(name) for name in sorted(FLAVOURS)), kernel))
    if isinstance(kernel, (tuple, list)):
        if len(kernel) == 2:
            return tuple(kernel)
    else:
        try:
            return kernel.CLIENT, kernel.SERVER
        except AttributeError:
            pass
    raise ValueError("Expected 'kernel' to reference client and server")


def flavour_name(kernel=None):
    """The flavour name of ``kernel`` (any form :py:func:`resolve_kernel` accepts), or None"""
    client, _ = resolve_kernel(kernel)
    return getattr(client, 'flavour', None)
