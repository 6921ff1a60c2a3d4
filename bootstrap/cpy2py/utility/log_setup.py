"""
The ``__cpy2py__`` logger tree, set up without importing :py:mod:`logging` early

Importing ``logging`` costs every process about 4 ms of its start (more on PyPy), and a
twin or a small main may never log. So the tree is set up at once only when ``logging``
is already imported or CPY2PY_DEBUG is set; otherwise a meta path finder waits for the
first ``import logging`` (by the application or by us) and sets the tree up right after
the module loaded. Either way, whoever looks at ``logging.getLogger('__cpy2py__')`` finds
it configured: no propagation, a NullHandler (or the CPY2PY_DEBUG stderr handler).
"""
import os
import sys

#: () -> the twin id for CPY2PY_DEBUG lines; given by :py:func:`setup` (cpy2py knows it)
_twin_id = None


def configure(logging):
    """Set up the tree in the loaded ``logging`` module (idempotent)"""
    base = logging.getLogger('__cpy2py__')
    base.propagate = False
    if base.handlers:
        return
    debug = os.environ.get('CPY2PY_DEBUG')
    if debug:
        from cpy2py.utility.debug_log import make_debug_handler
        base.addHandler(make_debug_handler(_twin_id or (lambda: '?')))
        level = getattr(logging, debug.upper(), None)
        base.setLevel(level if isinstance(level, int) else logging.DEBUG)
    else:
        base.addHandler(logging.NullHandler())


def setup(twin_id=None):
    """
    Configure now if ``logging`` is loaded (or debugging is on), else on its first import

    :param twin_id: ``twin_id()`` gives the id of this process for debug lines
    """
    global _twin_id
    _twin_id = twin_id
    if 'logging' in sys.modules or os.environ.get('CPY2PY_DEBUG'):
        import logging
        configure(logging)
        return
    if not any(isinstance(finder, _ConfigureOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _ConfigureOnImport())


class _ConfigureOnImport(object):
    """Meta path finder that lets ``logging`` load normally and then configures the tree"""

    def _leave(self):
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass

    # Python 3.4+
    def find_spec(self, name, path=None, target=None):
        if name != 'logging':
            return None
        self._leave()
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, 'exec_module'):
            spec.loader = _LoaderThenConfigure(spec.loader, spec)
        return spec

    # Python 2 (and 3 without find_spec)
    def find_module(self, name, path=None):
        if name != 'logging':
            return None
        self._leave()
        return self

    def load_module(self, name):
        __import__(name)  # we left sys.meta_path: the usual import
        module = sys.modules[name]
        configure(module)
        return module


class _LoaderThenConfigure(object):
    """Wraps the real loader of ``logging`` for one import, then gets out of the way"""

    def __init__(self, loader, spec):
        self.loader, self.spec = loader, spec

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # the module keeps its real loader
        module.__loader__ = self.spec.loader = self.loader
        self.loader.exec_module(module)
        configure(module)
