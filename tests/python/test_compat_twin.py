"""Compatibility names that need a twin: ProxyProxy, layout-B proxies and state, kernel flavours, exceptions"""
from __future__ import print_function

import os
import sys
import unittest

import cpy2py
from cpy2py import TwinMaster, TwinObject, kernel_state
from cpy2py.kernel import exceptions
from cpy2py.proxy.proxy_proxy import ProxyProxy
from cpy2py.proxy.proxy import InstanceProxy
from cpy2py.proxy.function import twinfunction
from cpy2py.proxy.baseclass import localmethod

TWIN = 'twin'
EXECUTABLE = os.environ.get('CPY2PY_TEST_TWIN', 'python3')


def start_master(kernel=None):
    master = TwinMaster(executable=EXECUTABLE, twinterpreter_id=TWIN, kernel=kernel)
    master.start()
    return master


class RealObject(object):
    class_attribute = 1

    def __init__(self):
        self.instance_attribute = 2


class PrimitiveObject(TwinObject):
    __twin_id__ = TWIN

    @staticmethod
    def get_proxyproxy():
        return ProxyProxy(RealObject())

    @staticmethod
    def read_real(wrapper):
        real = object.__getattribute__(wrapper, '_real_object')
        return real.class_attribute, real.instance_attribute, RealObject.class_attribute

    @localmethod
    def where_local(self):
        return kernel_state.TWIN_ID


def twin_facts():
    import cpy2py.kernel.state
    from cpy2py import state
    return {
        'twin_id': kernel_state.TWIN_ID,
        'master_id': kernel_state.MASTER_ID,
        'is_master': kernel_state.is_master(),
        'is_twin': kernel_state.is_twinterpreter(kernel_id=TWIN),
        'same_state': cpy2py.kernel.state is kernel_state and state is kernel_state,
        'proxyproxy_native': ProxyProxy.__twin_id__ == kernel_state.TWIN_ID,
    }


def raise_unavailable(twin_id):
    raise exceptions.TwinterpeterUnavailable(twin_id)


def raise_terminated(twin_id):
    raise exceptions.TwinterpreterTerminated(twin_id, 'on purpose')


@twinfunction(TWIN)
def where_am_i(value):
    """runs in the twin"""
    return kernel_state.TWIN_ID, value


class ProxyProxyTest(unittest.TestCase):
    def setUp(self):
        self.master = start_master()

    def test_arrives_as_proxy(self):
        wrapper = PrimitiveObject.get_proxyproxy()
        self.assertIsNotNone(wrapper)
        self.assertNotIsInstance(wrapper, RealObject)
        self.assertIsInstance(wrapper, ProxyProxy)
        self.assertIsInstance(wrapper, InstanceProxy)

    def test_attributes_reach_remote_object(self):
        wrapper = PrimitiveObject.get_proxyproxy()
        self.assertEqual(wrapper.class_attribute, 1)
        self.assertEqual(wrapper.instance_attribute, 2)
        wrapper.class_attribute += 2
        wrapper.instance_attribute += 1
        self.assertEqual(wrapper.class_attribute, 3)
        self.assertEqual(wrapper.instance_attribute, 3)
        # the changes are on the real object in the twin, its class is untouched
        self.assertEqual(PrimitiveObject.read_real(wrapper), (3, 3, 1))
        local = RealObject()
        self.assertEqual((local.class_attribute, local.instance_attribute), (1, 2))
        del wrapper.instance_attribute
        with self.assertRaises(AttributeError):
            wrapper.instance_attribute


class TwinStateTest(unittest.TestCase):
    def setUp(self):
        self.master = start_master()

    def test_state_in_twin(self):
        facts = self.master.execute(twin_facts)
        self.assertEqual(facts['twin_id'], TWIN)
        self.assertEqual(facts['master_id'], kernel_state.MASTER_ID)
        self.assertFalse(facts['is_master'])
        self.assertTrue(facts['is_twin'])
        self.assertTrue(facts['same_state'])
        self.assertTrue(facts['proxyproxy_native'])

    def test_layout_b_objects(self):
        instance = PrimitiveObject()
        self.assertIsInstance(instance, InstanceProxy)
        self.assertEqual(instance.where_local(), kernel_state.TWIN_ID)

    def test_twinfunction_b(self):
        self.assertTrue(hasattr(where_am_i, '__wrapped__'))
        self.assertEqual(where_am_i.__doc__, 'runs in the twin')
        self.assertEqual(where_am_i(5), (TWIN, 5))

    def test_remote_exceptions(self):
        with self.assertRaises(exceptions.TwinterpreterUnavailable) as context:
            self.master.execute(raise_unavailable, 'elsewhere')
        self.assertEqual(context.exception.twin_id, 'elsewhere')
        self.assertIsInstance(context.exception, RuntimeError)
        with self.assertRaises(exceptions.TwinterpeterTerminated) as context:
            self.master.execute(raise_terminated, 'elsewhere')
        self.assertEqual(context.exception.reason, 'on purpose')


class KernelFlavourTwinTest(unittest.TestCase):
    def test_flavours_run(self):
        from cpy2py.kernel import kernel_single, kernel_async, kernel_multi
        for kernel in ('single', 'async', 'multi', kernel_single, kernel_async, kernel_multi,
                       (kernel_async.CLIENT, kernel_async.SERVER)):
            master = start_master(kernel)
            self.assertTrue(master.is_alive)
            self.assertEqual(master.execute(twin_facts)['twin_id'], TWIN)

    def test_destroyed_master_is_unavailable(self):
        master = start_master()
        master.destroy()
        try:
            with self.assertRaises(exceptions.TwinterpeterUnavailable):
                master.execute(twin_facts)
            with self.assertRaises(RuntimeError):
                master.start()
        finally:
            start_master()


if __name__ == '__main__':
    unittest.main()
