"""Modules a twin on another host cannot import, served from the main host on demand

Installed by ``remote_entry`` in every remote twin, last on ``sys.meta_path``: anything
the remote interpreter or its venv can import wins. For the rest the finder asks the
agent (``CPY2PY_SSH_MODULES``, a socket in the private run directory), which asks the hub
on the main host over the link. The hub answers only with pure-Python source from the
main's own import roots (the main script's directory, or the working directory for ``-m``
and ``-c``, and ``PYTHONPATH``), never from site-packages or the standard library; see
``modules.py``. The main script itself is fetched the same way when its path does not
exist on the remote host.

Request: ``<name>\\n``; answer: ``u32 length`` + JSON ``{"origin", "package", "source"}``
(base64 source) or ``{}``.
"""
import base64
import json
import os
import socket
import struct
import sys
import threading

if sys.version_info[0] < 3:
    import imp   # here: importing it inside find_module would ask find_module again
else:
    imp = None

_LENGTH = struct.Struct('>I')


class Client(object):
    def __init__(self, path):
        self.path = path
        self.sock = None
        self.lock = threading.Lock()

    def ask(self, name):
        with self.lock:
            if self.sock is None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(self.path)
                self.sock = sock
            self.sock.sendall((name + '\n').encode('utf-8'))
            size = _LENGTH.unpack(self._read(_LENGTH.size))[0]
            answer = json.loads(self._read(size).decode('utf-8'))
        if not answer:
            return None
        return answer['origin'], answer['package'], base64.b64decode(answer['source'])

    def _read(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ImportError('the cpy2py agent closed the module connection')
            data += chunk
        return data


def _from_import_statement():
    """True when the import system looks for a module to import (not a mere probe such as
    ``importlib.util.find_spec``, which must keep getting None)"""
    if sys.version_info[0] < 3:
        return True
    frame = sys._getframe(2)
    return frame.f_back is not None and frame.f_back.f_code.co_name in ('_find_and_load_unlocked', '_find_and_load')


def _importable_here(fullname, path):
    try:
        found = imp.find_module(fullname.rpartition('.')[2], path)
    except ImportError:
        return False
    if found[0] is not None:
        found[0].close()
    return True


class RemoteFinder(object):
    """Finds, and loads, modules served by the main host"""

    def __init__(self, client, twin_id, host):
        self.client = client
        self.twin_id = twin_id
        self.host = host
        self.sources = {}

    def _ours(self, fullname):
        """Only top-level names and submodules of packages we served are worth a round
        trip (Python 2 also probes ``package.os`` for every ``import os`` in a package)"""
        parent = fullname.rpartition('.')[0]
        return not parent or self.sources.get(parent) is not None

    def _lookup(self, fullname):
        if fullname not in self.sources:
            try:
                self.sources[fullname] = self.client.ask(fullname)
            except (OSError, socket.error, ValueError):
                self.sources[fullname] = None
        return self.sources[fullname]

    def _missing(self, fullname):
        message = ("No module named %r in twin %r on host %r, and the main host has no pure-Python "
                   "module of that name outside site-packages to send" % (fullname, self.twin_id, self.host))
        try:
            return ModuleNotFoundError(message, name=fullname)  # noqa: F821 (Python 3.6+)
        except NameError:
            return ImportError(message)

    # -- Python 3.4+ ------------------------------------------------------------
    def find_spec(self, fullname, path=None, target=None):
        if not self._ours(fullname):
            return None
        found = self._lookup(fullname)
        if found is None:
            if _from_import_statement():
                raise self._missing(fullname)
            return None
        import importlib.util
        origin, package, _ = found
        spec = importlib.util.spec_from_loader(fullname, self, origin=origin, is_package=package)
        spec.has_location = True
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        origin, package, source = self._lookup(module.__name__)
        module.__file__ = origin
        if package:
            module.__path__ = []
        exec(compile(source, origin, 'exec'), module.__dict__)

    # -- Python 2 -----------------------------------------------------------------
    def find_module(self, fullname, path=None):
        # Python 2 asks sys.meta_path before its own path search: let that go first
        if not self._ours(fullname) or _importable_here(fullname, path):
            return None
        if self._lookup(fullname) is None:
            if '.' in fullname:
                return None
            raise self._missing(fullname)
        return self

    def load_module(self, fullname):
        if fullname in sys.modules:
            return sys.modules[fullname]
        origin, package, source = self._lookup(fullname)
        module = imp.new_module(fullname)
        module.__file__ = origin
        module.__loader__ = self
        if package:
            module.__path__ = []
            module.__package__ = fullname
        else:
            module.__package__ = fullname.rpartition('.')[0]
        sys.modules[fullname] = module
        try:
            exec(compile(source, origin, 'exec'), module.__dict__)
        except BaseException:
            del sys.modules[fullname]
            raise
        return module


def install():
    """Put the finder last on sys.meta_path; fetch the main script when it is not here"""
    path = os.environ.get('CPY2PY_SSH_MODULES')
    if not path:
        return
    client = Client(path)
    main_file = os.environ.get('CPY2PY_MAIN_FILE')
    if main_file and not os.path.exists(main_file):
        found = client.ask(':main')
        if found is not None:
            local = os.path.join(os.environ['CPY2PY_RUN_DIR'], 'main', os.path.basename(main_file))
            if not os.path.isdir(os.path.dirname(local)):
                os.makedirs(os.path.dirname(local))
            with open(local, 'wb') as f:
                f.write(found[2])
            os.environ['CPY2PY_MAIN_FILE'] = local
    sys.meta_path.append(RemoteFinder(client, os.environ.get('CPY2PY_TWIN_ID'), os.environ.get('CPY2PY_REMOTE_HOST')))
