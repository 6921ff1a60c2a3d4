"""
Kernel flavours: the ``kernel`` argument of TwinMaster

The original library let a twin pick a kernel implementation: ``'single'`` (serial),
``'async'`` (a thread per request), ``'multi'`` (a worker pool), or any ``(client, server)``
pair, e.g. from a module with ``CLIENT`` and ``SERVER``. This runtime has one kernel that is
re-entrant and concurrent, which serves every flavour; the flavour modules
(:py:mod:`~cpy2py.kernel.kernel_single`, :py:mod:`~cpy2py.kernel.kernel_async`,
:py:mod:`~cpy2py.kernel.kernel_multi`) only name their client and server classes.
"""


class KernelClient(object):
    """Marks the client side of a kernel flavour"""
    #: name of the flavour
    flavour = None


class KernelServer(object):
    """Marks the server side of a kernel flavour"""
    #: name of the flavour
    flavour = None


#: flavour names and the modules defining them
FLAVOUR_MODULES = {
    'single': 'cpy2py.kernel.kernel_single',
    'async': 'cpy2py.kernel.kernel_async',
    'multi': 'cpy2py.kernel.kernel_multi',
    'threaded': 'cpy2py.kernel.kernel_multi',
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
            module_name = FLAVOUR_MODULES[kernel]
        except KeyError:
            raise ValueError("Expected 'kernel' to reference client and server, or be one of %s, not %r"
                             % (', '.join(repr(name) for name in sorted(FLAVOUR_MODULES)), kernel))
        import importlib
        kernel = importlib.import_module(module_name)
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
