"""Module names of both layouts of the original library, TwinDef/TwinProcess, MainDef, kernel flavours"""
from __future__ import print_function

import importlib
import os
import sys
import unittest

import cpy2py
from cpy2py import TwinMaster, kernel_state

import support


class TopLevelTest(unittest.TestCase):
    def test_exports(self):
        from cpy2py import TwinObject, localmethod, twinfunction, __version__, state  # noqa: F401
        for name in ('TwinObject', 'TwinMaster', 'kernel_state', '__version__', 'localmethod',
                     'twinfunction'):
            self.assertIn(name, cpy2py.__all__)
        self.assertIs(state, kernel_state)

    def test_version(self):
        from cpy2py.meta import __version__
        self.assertIs(cpy2py.__version__, __version__)


def import_old_names():
    """Runs in the twin too: every old module name of the table imports, with its names"""
    from cpy2py.aliases import ALIASES
    imported = []
    for name in sorted(ALIASES):
        module = importlib.import_module(name)
        assert sys.modules[name] is module, name
        for exported in getattr(module, '__all__', ()):
            getattr(module, exported)
        imported.append(name)
    return imported


class AliasTableTest(unittest.TestCase):
    """The original library's module names come from one table (cpy2py.aliases), not files"""

    def test_every_old_name_imports(self):
        from cpy2py.aliases import ALIASES
        self.assertEqual(import_old_names(), sorted(ALIASES))

    def test_every_old_name_imports_in_the_twin(self):
        from cpy2py.aliases import ALIASES
        master = support.start_twin()
        self.assertEqual(master.execute(import_old_names), sorted(ALIASES))

    def test_no_files_for_old_names(self):
        from cpy2py.aliases import ALIASES
        for name in ALIASES:
            path = os.path.join(support.BOOTSTRAP, *name.split('.'))
            self.assertFalse(os.path.exists(path + '.py'), path)
            self.assertFalse(os.path.exists(os.path.join(path, '__init__.py')), path)

    def test_exceptions_have_one_home(self):
        import cpy2py.exceptions
        from cpy2py.kernel.exceptions import RemoteException  # the name README gives
        from cpy2py.twinterpreter.twin_exceptions import RemoteCpy2PyNotFound
        from cpy2py.utility.exceptions import CPy2PyException
        self.assertIs(RemoteException, cpy2py.exceptions.RemoteException)
        self.assertIs(RemoteCpy2PyNotFound, cpy2py.exceptions.RemoteCpy2PyNotFound)
        self.assertIs(CPy2PyException, cpy2py.exceptions.CPy2PyException)
        self.assertEqual(RemoteException.__module__, 'cpy2py.exceptions')

    def test_unknown_names_still_fail(self):
        with self.assertRaises(ImportError):
            importlib.import_module('cpy2py.kernel.kernel_bogus')
        with self.assertRaises(ImportError):
            importlib.import_module('cpy2py.ipyc.bogus')


class StateModuleTest(unittest.TestCase):
    def test_same_module(self):
        import cpy2py.kernel.state
        from cpy2py.kernel import state
        self.assertIs(state, kernel_state)
        self.assertIs(cpy2py.kernel.state, kernel_state)
        self.assertIs(sys.modules['cpy2py.kernel.state'], kernel_state)
        self.assertIs(importlib.import_module('cpy2py.kernel.state'), kernel_state)

    def test_assignment_is_shared(self):
        from cpy2py.kernel import state
        state.CPY2PY_TEST_MARKER = 'marker'
        try:
            self.assertEqual(kernel_state.CPY2PY_TEST_MARKER, 'marker')
        finally:
            del state.CPY2PY_TEST_MARKER

    def test_state_api(self):
        self.assertEqual(kernel_state.TWIN_ID, kernel_state.MASTER_ID)
        self.assertTrue(kernel_state.is_twinterpreter(kernel_id=kernel_state.TWIN_ID))
        self.assertFalse(kernel_state.is_twinterpreter(kernel_id='foobar'))
        self.assertTrue(kernel_state.is_master())
        self.assertTrue(hasattr(kernel_state.TWIN_GROUP_STATE, 'add_finalizer'))
        self.assertTrue(hasattr(kernel_state.TWIN_GROUP_STATE, 'add_initializer'))


class ProxyModulesTest(unittest.TestCase):
    def test_layout_a(self):
        from cpy2py.proxy.proxy_object import TwinObject, localmethod
        from cpy2py.proxy.proxy_meta import TwinMeta
        from cpy2py.proxy.proxy_twin import TwinProxy, ProxyMethod  # noqa: F401
        from cpy2py.proxy.proxy_func import twinfunction
        from cpy2py.proxy.proxy_proxy import ProxyProxy
        self.assertIs(TwinObject, cpy2py.TwinObject)
        self.assertIs(localmethod, cpy2py.localmethod)
        self.assertIs(twinfunction, cpy2py.twinfunction)
        self.assertIsInstance(TwinObject, TwinMeta)
        self.assertTrue(issubclass(ProxyProxy, TwinObject))

    def test_layout_b(self):
        from cpy2py.proxy import baseclass, metaclass, function, proxy, proxy_twin, proxy_meta
        self.assertIs(baseclass.TwinObject, cpy2py.TwinObject)
        self.assertIs(baseclass.localmethod, cpy2py.localmethod)
        self.assertIs(metaclass.TwinMeta, proxy_meta.TwinMeta)
        self.assertIs(function.twinfunction, cpy2py.twinfunction)
        self.assertIs(proxy.InstanceProxy, proxy_twin.TwinProxy)
        self.assertIs(proxy.UnboundedMethodProxy, proxy_twin.ProxyMethod)

    def test_proxyproxy_local(self):
        from cpy2py.proxy.proxy_proxy import ProxyProxy

        class Real(object):
            class_attribute = 1

            def __init__(self):
                self.instance_attribute = 2
        real = Real()
        wrapper = ProxyProxy(real)
        self.assertEqual(ProxyProxy.__twin_id__, kernel_state.TWIN_ID)
        self.assertIsInstance(wrapper, ProxyProxy)  # native: a real object here
        self.assertEqual((wrapper.class_attribute, wrapper.instance_attribute), (1, 2))
        wrapper.class_attribute += 2
        wrapper.instance_attribute += 1
        self.assertEqual((real.class_attribute, real.instance_attribute), (3, 3))
        self.assertEqual(Real.class_attribute, 1)
        del wrapper.instance_attribute
        self.assertFalse(hasattr(real, 'instance_attribute'))
        with self.assertRaises(AttributeError):
            wrapper.missing


class KernelFlavourTest(unittest.TestCase):
    def test_modules(self):
        from cpy2py.kernel import kernel_single, kernel_async, kernel_multi
        from cpy2py.kernel.flavours import single, threaded
        for module, name in ((kernel_single, 'single'), (kernel_async, 'async'), (kernel_multi, 'multi')):
            self.assertEqual(module.CLIENT.flavour, name)
            self.assertEqual(module.SERVER.flavour, name)
        self.assertIs(single.CLIENT, kernel_single.CLIENT)
        self.assertIs(threaded.SERVER, kernel_multi.SERVER)

    def test_resolve(self):
        from cpy2py.kernel import kernel_async, kernel_multi
        from cpy2py.kernel.flavour import resolve_kernel
        self.assertEqual(resolve_kernel('async'), (kernel_async.CLIENT, kernel_async.SERVER))
        self.assertEqual(resolve_kernel(kernel_multi), (kernel_multi.CLIENT, kernel_multi.SERVER))
        self.assertEqual(resolve_kernel('threaded'), resolve_kernel('multi'))
        self.assertEqual(resolve_kernel(None), resolve_kernel('single'))
        self.assertEqual(resolve_kernel((int, str)), (int, str))
        for bad in ('bogus', 42, (1, 2, 3), object()):
            with self.assertRaises(ValueError):
                resolve_kernel(bad)

    def test_master_accepts_kernels(self):
        from cpy2py.kernel import kernel_single, kernel_async, kernel_multi
        for index, kernel in enumerate((None, 'single', 'async', 'multi', 'threaded', kernel_single,
                                        kernel_async, kernel_multi,
                                        (kernel_multi.CLIENT, kernel_multi.SERVER))):
            twin_id = 'compat_layout_kernel_%d' % index
            master = TwinMaster(executable=sys.executable, twinterpreter_id=twin_id, kernel=kernel)
            try:
                self.assertEqual(master.twinterpreter_id, twin_id)
            finally:
                master.destroy()

    def test_master_rejects_bad_kernels(self):
        for bad in ('bogus', 42, (1, 2, 3)):
            with self.assertRaises(ValueError):
                TwinMaster(executable=sys.executable, twinterpreter_id='compat_layout_bad', kernel=bad)

    def test_no_async_module(self):
        import cpy2py.kernel.flavours as flavours
        directory = os.path.dirname(flavours.__file__)
        self.assertFalse(os.path.exists(os.path.join(directory, 'async.py')))


class TwinDefTest(unittest.TestCase):
    def setUp(self):
        self.old_path = os.environ.get('PATH')
        support.keep_path(self)

    def classes(self):
        from cpy2py.twinterpreter.twin_def import TwinDef
        from cpy2py.twinterpreter.process import TwinProcess
        return (TwinDef, os.path.abspath), (TwinProcess, os.path.realpath)

    def test_executable_only(self):
        for cls, resolve in self.classes():
            instance_a = cls(executable=sys.executable)
            self.assertEqual(instance_a.executable, resolve(sys.executable))
            self.assertEqual(instance_a.twinterpreter_id, os.path.basename(sys.executable))
            os.environ['PATH'] = os.path.dirname(sys.executable)
            instance_b = cls(executable=os.path.basename(sys.executable))
            self.assertEqual(instance_b.executable, resolve(sys.executable))
            self.assertEqual(instance_b.twinterpreter_id, os.path.basename(sys.executable))
            os.environ['PATH'] = self.old_path
            self.assertEqual(instance_a, instance_b)
            self.assertFalse(instance_a != instance_b)

    def test_twinterpreter_id_only(self):
        for cls, resolve in self.classes():
            os.environ['PATH'] = os.path.dirname(sys.executable)
            instance = cls(twinterpreter_id=os.path.basename(sys.executable))
            self.assertEqual(instance.executable, resolve(sys.executable))
            self.assertEqual(instance.twinterpreter_id, os.path.basename(sys.executable))

    def test_both_and_kernel(self):
        from cpy2py.kernel import kernel_async
        for cls, resolve in self.classes():
            instance = cls(executable=sys.executable, twinterpreter_id='other', kernel='async')
            self.assertEqual(instance.twinterpreter_id, 'other')
            self.assertEqual(instance.kernel, (kernel_async.CLIENT, kernel_async.SERVER))
            self.assertNotEqual(instance, cls(executable=sys.executable, twinterpreter_id='other'))
            self.assertNotEqual(instance, cls(executable=sys.executable, twinterpreter_id='o2', kernel='async'))
            self.assertEqual(instance, cls(executable=sys.executable, twinterpreter_id='other',
                                           kernel=kernel_async))
            self.assertIn('other', repr(instance))
            with self.assertRaises(ValueError):
                cls(executable=sys.executable, kernel='bogus')

    def test_missing(self):
        for cls, _ in self.classes():
            with self.assertRaises(ValueError):
                cls()
            with self.assertRaises(OSError):
                cls(executable='/no/such/python')
            with self.assertRaises(OSError):
                cls(twinterpreter_id='no-such-python-here')

    def test_command_executable(self):
        from cpy2py.twinterpreter.twin_def import TwinDef
        instance = TwinDef(executable=['env', sys.executable])
        self.assertEqual(instance.executable, ['env', sys.executable])
        self.assertEqual(instance.twinterpreter_id, os.path.basename(sys.executable))

    def test_pickle_protocol(self):
        import pickle
        for cls, _ in self.classes():
            self.assertEqual(cls(executable=sys.executable).pickle_protocol, pickle.HIGHEST_PROTOCOL)

    def test_interpreter(self):
        from cpy2py.twinterpreter.process import TwinProcess
        from cpy2py.twinterpreter.interpreter import Interpreter
        interpreter = TwinProcess(executable=sys.executable).interpreter
        self.assertEqual(interpreter, Interpreter(sys.executable))
        self.assertEqual(interpreter.python_version_info[:3], tuple(sys.version_info[:3]))
        self.assertIn(interpreter.python_implementation, ('CPython', 'PyPy'))

    def test_module_names(self):
        from cpy2py.twinterpreter import twin_master, master, twin_def, process
        self.assertIs(master.TwinMaster, TwinMaster)
        self.assertIs(twin_master.TwinMaster, TwinMaster)
        self.assertIs(master.TwinProcess, process.TwinProcess)
        self.assertIs(twin_master.TwinDef, twin_def.TwinDef)

    def test_master_from_twin_def(self):
        from cpy2py.twinterpreter.twin_def import TwinDef
        master = TwinMaster(TwinDef(executable=sys.executable, twinterpreter_id='compat_layout_def'))
        try:
            self.assertEqual(master.twinterpreter_id, 'compat_layout_def')
            self.assertEqual(os.path.realpath(master.executable), os.path.realpath(sys.executable))
        finally:
            master.destroy()


class MainDefTest(unittest.TestCase):
    def test_constants(self):
        from cpy2py.twinterpreter import twin_main, main_module
        self.assertIs(main_module.TwinMainModule, twin_main.MainDef)
        for cls in (twin_main.MainDef, main_module.TwinMainModule):
            self.assertTrue(cls.FETCH_PATH)
            self.assertTrue(cls.FETCH_NAME)
            self.assertNotEqual(cls.FETCH_PATH, cls.FETCH_NAME)

    def test_resolve(self):
        from cpy2py.twinterpreter.twin_main import MainDef, resolve_main_module
        main = sys.modules['__main__']
        if getattr(main, '__file__', None):
            self.assertEqual(resolve_main_module(MainDef.FETCH_PATH), os.path.abspath(main.__file__))
        self.assertIsNone(resolve_main_module(None))
        self.assertIs(resolve_main_module(True), True)
        self.assertEqual(resolve_main_module('some.module'), 'some.module')
        self.assertEqual(resolve_main_module(MainDef('/x/y.py')), '/x/y.py')

    def test_equality_and_pickle(self):
        import pickle
        from cpy2py.twinterpreter.twin_main import MainDef, DEFAULT_DEF
        self.assertEqual(MainDef(), DEFAULT_DEF)
        self.assertEqual(MainDef('a.b', run_main=True), MainDef('a.b', run_main=True))
        self.assertNotEqual(MainDef('a.b'), MainDef('a.b', run_main=True))
        self.assertNotEqual(MainDef('a.b'), MainDef(None))
        clone = pickle.loads(pickle.dumps(MainDef('a.b', run_main=True, restore_argv=True)))
        self.assertEqual((clone.main_module, clone.run_main, clone.restore_argv), ('a.b', True, True))

    def test_master_accepts_main_def(self):
        from cpy2py.twinterpreter.twin_main import MainDef
        master = TwinMaster(executable=sys.executable, twinterpreter_id='compat_layout_main',
                            main_module=MainDef('some.module', run_main=True))
        try:
            self.assertEqual((master.main_module, master.run_main), ('some.module', True))
        finally:
            master.destroy()


if __name__ == '__main__':
    unittest.main()
