"""
The original library's module names, served from one table

User code written for the original cpy2py imports modules that this runtime does not have
as files (``cpy2py.kernel.kernel_single``, ``cpy2py.ipyc.fifo_pipe``,
``cpy2py.proxy.baseclass``, ...). :py:data:`ALIASES` maps each such name to where its
contents live now; an import hook (installed on ``sys.meta_path`` when :py:mod:`cpy2py`
is imported) answers imports of these names, and only of these:

* ``'old.name': 'new.home'`` -- the old name *is* the new module (the same object, so
  attributes set through either name are seen through both);
* ``'old.name': (('new.home', 'a b=c'), ...)`` -- a small module of its own holding the
  names listed (``b=c``: ``b`` is ``new.home.c``) from each home, in the given order;
* a name that is the prefix of other names is a package (``from cpy2py.ipyc import
  fifo_pipe`` works).

Also here: the original's inter-python channel classes (``ipyc=``), which this runtime
accepts by name only.
"""
import sys
import types

_FLAVOUR = 'cpy2py.kernel.flavour'
_SINGLE = ((_FLAVOUR, 'CLIENT=SingleKernelClient SERVER=SingleKernelServer '
                      'SingleKernelClient SingleKernelServer'),)
_MULTI = ((_FLAVOUR, 'CLIENT=MultiKernelClient SERVER=MultiKernelServer '
                     'MultiKernelClient MultiKernelServer'),)
_FIFO = (('cpy2py.aliases', 'DuplexFifoIPyC'),)
_SOCKET = (('cpy2py.aliases', 'DuplexSocketIPyC'),)

#: old module name -> new home (see the module documentation for the forms)
ALIASES = {
    # kernel state and flavours
    'cpy2py.kernel.state': 'cpy2py.kernel.kernel_state',
    'cpy2py.kernel.kernel_single': _SINGLE,
    'cpy2py.kernel.kernel_async': ((_FLAVOUR, 'CLIENT=AsyncKernelClient SERVER=AsyncKernelServer '
                                              'AsyncKernelClient AsyncKernelServer'),),
    'cpy2py.kernel.kernel_multi': _MULTI,
    'cpy2py.kernel.flavours': (),
    'cpy2py.kernel.flavours.single': _SINGLE + ((_FLAVOUR, 'SingleThreadKernelClient=SingleKernelClient '
                                                           'SingleThreadKernelServer=SingleKernelServer'),),
    'cpy2py.kernel.flavours.threaded': _MULTI + ((_FLAVOUR, 'MultiThreadKernelServer=MultiKernelServer'),),
    # exceptions: one module
    'cpy2py.kernel.exceptions': 'cpy2py.exceptions',
    'cpy2py.kernel.kernel_exceptions': 'cpy2py.exceptions',
    'cpy2py.twinterpreter.exceptions': 'cpy2py.exceptions',
    'cpy2py.twinterpreter.twin_exceptions': 'cpy2py.exceptions',
    'cpy2py.utility.exceptions': 'cpy2py.exceptions',
    'cpy2py.ipyc.ipyc_exceptions': 'cpy2py.exceptions',
    'cpy2py.ipyc.exceptions': 'cpy2py.exceptions',
    # how a twin finds the main module: one module
    'cpy2py.twinterpreter.twin_main': 'cpy2py.kernel.main_module',
    'cpy2py.twinterpreter.main_module': 'cpy2py.kernel.main_module',
    # twin masters and definitions
    'cpy2py.twinterpreter.master': (('cpy2py.twinterpreter.twin_master', 'TwinMaster'),
                                    ('cpy2py.twinterpreter.process', 'TwinProcess')),
    # proxies
    'cpy2py.proxy.baseclass': (('cpy2py.proxy.proxy_object', 'TwinObject localmethod TwinMeta'),),
    'cpy2py.proxy.metaclass': (('cpy2py.proxy.proxy_meta', 'TwinMeta'),),
    'cpy2py.proxy.function': (('cpy2py.proxy.proxy_func', 'twinfunction'),),
    'cpy2py.proxy.proxy': (('cpy2py.proxy.proxy_meta', 'InstanceProxy=TwinProxy TwinProxy'),
                           ('cpy2py.proxy.members', 'UnboundedMethodProxy=ProxyMethod ProxyMethod')),
    'cpy2py.proxy.proxy_twin': (('cpy2py.proxy.proxy_meta', 'TwinProxy TwinMeta TwinObject'),
                                ('cpy2py.proxy.members', 'ProxyMethod RemoteAttribute RemoteBoundMethod '
                                                         'remote_call class_call'),
                                ('cpy2py.exceptions', 'TwinterpreterTerminated StaleProxy')),
    # inter-python channels of the original (accepted as TwinMaster(ipyc=...), not used)
    'cpy2py.ipyc': (),
    'cpy2py.ipyc.ipyc_fifo': _FIFO,
    'cpy2py.ipyc.fifo_pipe': _FIFO,
    'cpy2py.ipyc.ipyc_socket': _SOCKET,
    'cpy2py.ipyc.duplex_socket': _SOCKET,
}


class ChannelSelector(object):
    """
    Names a channel type of the original library, for ``TwinMaster(ipyc=...)``

    This runtime has a single transport (:py:mod:`cpy2py.wire`), so ``TwinMaster`` accepts
    these classes and ignores them. They cannot be opened as channels themselves.
    """

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            '%s is only accepted as TwinMaster(ipyc=...); this runtime always uses its own '
            'transport (cpy2py.wire)' % self.__class__.__name__)


class DuplexFifoIPyC(ChannelSelector):
    """Two named pipes between master and twin (accepted as ``ipyc=``, not used)"""


class DuplexSocketIPyC(ChannelSelector):
    """A socket pair between master and twin (accepted as ``ipyc=``, not used)"""


def _is_package(name):
    prefix = name + '.'
    return any(other.startswith(prefix) for other in ALIASES)


def _home(name):
    __import__(name)
    return sys.modules[name]


def _build(name):
    """The module that the old name ``name`` stands for"""
    target = ALIASES[name]
    if isinstance(target, str):
        return _home(target)
    module = types.ModuleType(name, 'The original library\'s module %s, served by %s' % (name, __name__))
    module.__file__ = __file__  # e.g. for code that looks for files beside it: there are none
    if _is_package(name):
        module.__path__ = []
    exported = []
    for home_name, names in target:
        home = _home(home_name)
        for entry in names.split():
            new, _, old = entry.partition('=')
            setattr(module, new, getattr(home, old or new))
            exported.append(new)
    module.__all__ = exported
    return module


class AliasFinder(object):
    """Meta path finder and loader for the names of :py:data:`ALIASES`, and only those"""

    # Python 3.4+
    def find_spec(self, name, path=None, target=None):
        if name not in ALIASES:
            return None
        from importlib.machinery import ModuleSpec
        return ModuleSpec(name, self, is_package=_is_package(name))

    def create_module(self, spec):
        module = _build(spec.name)
        if isinstance(ALIASES[spec.name], str):
            # the import system sets the alias spec on the module: give its own back later
            module.__dict__.setdefault('__cpy2py_own_spec__', getattr(module, '__spec__', None))
        return module

    def exec_module(self, module):
        own_spec = module.__dict__.pop('__cpy2py_own_spec__', None)
        if own_spec is not None:
            module.__spec__ = own_spec

    # Python 2 (and 3 finders without find_spec)
    def find_module(self, name, path=None):
        return self if name in ALIASES else None

    def load_module(self, name):
        module = sys.modules.get(name)
        if module is None:
            module = sys.modules[name] = _build(name)
        return module


def install():
    """Put the finder in front of ``sys.meta_path`` (once)"""
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())


install()
