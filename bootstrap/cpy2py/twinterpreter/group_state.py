"""
TwinGroupState: code that runs in every twinterpreter of the group

``add_initializer`` and ``add_finalizer`` register a callable (with arguments) that runs
in every twin the main interpreter is connected to now (unless ``init_existing=False``)
and in every twin process it connects to later, restarted ones included. Initializers run
before finalizers; both run before the first call the main makes into a new twin process,
e.g. to configure logging or copy state into the twin.
"""
import threading

from cpy2py.kernel import kernel_state


class TwinGroupState(object):
    """Initializers and finalizers for the twins of this group"""

    def __init__(self):
        self._lock = threading.RLock()
        self.initializers = []
        self.finalizers = []

    def add_initializer(self, func, *args, **kwargs):
        """Run ``func(*args, **kwargs)`` in every existing and future twinterpreter"""
        init_existing = kwargs.pop('init_existing', True)
        self._add(self.initializers, (func, args, kwargs), init_existing)

    def add_finalizer(self, func, *args, **kwargs):
        """Like :py:meth:`add_initializer`, run after all initializers in new twins"""
        init_existing = kwargs.pop('init_existing', True)
        self._add(self.finalizers, (func, args, kwargs), init_existing)

    def _add(self, registry, directive, init_existing):
        with self._lock:
            registry.append(directive)
        if init_existing:
            kernel = kernel_state.kernel_if_started()
            if kernel is not None:
                for conn in kernel.live_peers():
                    kernel.call(conn, 'call', directive, directive[1])

    def attach(self, kernel):
        """Run the directives in every new peer of ``kernel`` (the main's, at its creation)"""
        kernel.on_new_peer.append(lambda conn: self.run_in(kernel, conn))

    def run_in(self, kernel, conn):
        """Run every directive in the twin behind ``conn`` (a new peer process)"""
        with self._lock:
            directives = list(self.initializers) + list(self.finalizers)
        for directive in directives:
            kernel.call(conn, 'call', directive, directive[1])


if kernel_state.TWIN_GROUP_STATE is None:
    kernel_state.TWIN_GROUP_STATE = TwinGroupState()
