"""
TwinMaster: the handle on one twinterpreter

``TwinMaster('pypy3')`` names a twin by its executable (the id defaults to the
executable's base name); ``TwinMaster(executable=..., twinterpreter_id=...)`` sets both.
There is one master per twin id: asking again returns the same object.

Under ``cpy2py-run`` the supervisor owns the processes: ``start()`` asks it to start the
twin (and to spawn it, if the id was not declared), ``stop()`` asks it to stop it.
Standalone (plain ``python3 app.py``) this process spawns and stops its twins itself.
Either way, a twin is also started on first use, so ``start()`` is optional.
"""
import os
import threading

from cpy2py.kernel import kernel_state, launch_env
from cpy2py.protocol import handshake
from cpy2py.exceptions import TwinterpreterTerminated
# (the original also offered TwinDef here)
from cpy2py.twinterpreter.twin_def import TwinDef, master_arguments  # noqa: F401

#: kernel names the original library knew; all mean the one re-entrant kernel here
KERNEL_NAMES = (None, 'single', 'async', 'multi', 'threaded')


def _check_id(twin_id, executable):
    """A ValueError at once for an id no twin can have (the main's own id is fine: a
    standalone main is named after its executable)"""
    if twin_id in (kernel_state.MASTER_ID, kernel_state.TWIN_ID) or handshake.valid_twin_id(twin_id):
        return
    how = ''
    if executable is not None and twin_id == os.path.basename(executable) and twin_id != executable:
        how = (" (the base name of %r; name the twin: TwinMaster(executable=..., twinterpreter_id='py'))"
               % (executable,))
    raise ValueError('invalid twin id %r%s: %s' % (twin_id, how, handshake.TWIN_ID_RULE))


class TwinMaster(object):
    """
    Controls the twinterpreter ``twinterpreter_id`` running ``executable``

    :param executable: interpreter to run (a name on PATH or a path); defaults to the id
    :param twinterpreter_id: id of the twin; defaults to the executable's base name
    :param kernel: accepted for compatibility ('single', 'async', 'multi', 'threaded')
    :param main_module: how the twin finds the main module (True: as this process does;
                        None: not at all; or a path / module name); standalone only
    :param run_main: run the main module as ``__main__`` in the twin; standalone only
    :param restore_argv: give the twin this process's ``sys.argv[1:]``; standalone only
    """
    _masters = {}
    _masters_lock = threading.Lock()

    def __new__(cls, executable=None, twinterpreter_id=None, kernel=None, main_module=True,
                run_main=None, restore_argv=False, **ignored):
        # the original's forms: a TwinDef, kernel modules and (client, server) pairs, MainDef
        executable, twinterpreter_id, kernel, main_module, run_main, restore_argv = master_arguments(
            executable, twinterpreter_id, kernel, main_module, run_main, restore_argv)
        if executable is None and twinterpreter_id is None:
            raise ValueError('TwinMaster needs an executable or a twinterpreter_id')
        if twinterpreter_id is None:
            twinterpreter_id = os.path.basename(executable)
        _check_id(twinterpreter_id, executable)
        with cls._masters_lock:
            master = cls._masters.get(twinterpreter_id)
            if master is None:
                master = object.__new__(cls)
                master._setup(executable, twinterpreter_id, kernel, main_module, run_main, restore_argv)
                cls._masters[twinterpreter_id] = master
                # a new master (e.g. after destroy()) may start the twin again on first use
                kernel = kernel_state.kernel_if_started()
                if kernel is not None:
                    kernel.stopped.discard(twinterpreter_id)
            elif executable is not None and master._executable is None:
                master._executable = executable
            master._register()
        return master

    def __init__(self, *args, **kwargs):
        pass  # everything happens once, in __new__

    def _setup(self, executable, twinterpreter_id, kernel, main_module, run_main, restore_argv):
        self._executable = executable
        self.twinterpreter_id = twinterpreter_id
        self.kernel = kernel
        self.main_module = main_module
        self.run_main = run_main
        self.restore_argv = restore_argv
        self._destroyed = False

    def __repr__(self):
        return '%s(executable=%r, twinterpreter_id=%r)' % (
            self.__class__.__name__, self._executable, self.twinterpreter_id)

    @property
    def executable(self):
        """Absolute path of the interpreter (resolved from PATH if needed)"""
        try:
            return launch_env.resolve_interpreter(self._executable or self.twinterpreter_id)
        except OSError:
            return self._executable or self.twinterpreter_id

    @property
    def native(self):
        """Whether this master's twin is the current interpreter"""
        return kernel_state.is_twinterpreter(kernel_id=self.twinterpreter_id)

    def _register(self):
        """Tell the kernel how to start this twin when it is first used"""
        if self._executable is not None:
            launch_env.EXECUTABLES[self.twinterpreter_id] = self._executable
        launch_env.SETTINGS[self.twinterpreter_id] = {
            'main_module': self.main_module, 'run_main': self.run_main,
            'restore_argv': self.restore_argv}

    def _kernel(self):
        return kernel_state.get_kernel()

    def start(self):
        """Start the twin (if it is not running) and connect to it; returns :py:attr:`is_alive`"""
        if self._destroyed:
            raise RuntimeError('Attempt to start TwinMaster after destroying it')
        if self.native:
            return True
        kernel = self._kernel()
        kernel.stopped.discard(self.twinterpreter_id)
        kernel.connection(self.twinterpreter_id)
        return self.is_alive

    def stop(self):
        """Stop the twin; calls into it fail from now on. Returns :py:attr:`is_alive`"""
        if self.native:
            return True
        kernel = kernel_state.kernel_if_started()
        if kernel is None:
            return False
        kernel.stopped.add(self.twinterpreter_id)
        kernel.supervisor.stop_twin(self.twinterpreter_id)
        kernel.peer_died(self.twinterpreter_id)
        return self.is_alive

    def destroy(self):
        """Stop the twin and forget this master; a new TwinMaster for the id may follow"""
        self.stop()
        self._destroyed = True
        with self._masters_lock:
            if self._masters.get(self.twinterpreter_id) is self:
                del self._masters[self.twinterpreter_id]

    @property
    def is_alive(self):
        """Whether the twin process is up and connected"""
        if self.native:
            return True
        kernel = kernel_state.kernel_if_started()
        if kernel is None or self.twinterpreter_id in kernel.stopped:
            return False
        return any(conn.peer_id == self.twinterpreter_id for conn in kernel.live_peers())

    def execute(self, call, *args, **kwargs):
        """Run ``call(*args, **kwargs)`` in the twin and return its result"""
        kernel = kernel_state._kernel  # (the started kernel, without a call: the hot path)
        if kernel is not None and not self._destroyed and self.twinterpreter_id != kernel.twin_id:
            return kernel.request(self.twinterpreter_id, 'call', (call, args, kwargs), args)
        if self.native:
            return call(*args, **kwargs)
        if self._destroyed:
            raise TwinterpreterTerminated(self.twinterpreter_id, 'its TwinMaster was destroyed')
        return self._kernel().request(self.twinterpreter_id, 'call', (call, args, kwargs), args)

    def submit(self, call, *args, **kwargs):
        """Like :py:meth:`execute`, but returns a future at once (concurrent.futures on Python 3);
        ``cancel()`` works while the call runs: the twin is asked to interrupt it"""
        from cpy2py.twinterpreter.futures import run_cancellable
        return run_cancellable(lambda: self.execute(call, *args, **kwargs))

    def stats(self):
        """Counters of the twin's kernel (exported objects, proxies, threads), for tests"""
        return self._kernel().request(self.twinterpreter_id, 'stats', None)
