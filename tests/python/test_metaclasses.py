"""User metaclasses derived from TwinObject's metaclass: subclasses, inheritance, abc.ABC

The classes are made by calling their metaclass, which means the same in Python 2
(``__metaclass__``) and 3 (``metaclass=``); their subclasses inherit it.
"""
from __future__ import print_function

import abc
import unittest

from cpy2py import TwinObject, kernel_state
from cpy2py.exceptions import UndecodableValue
from cpy2py.kernel import remote_errors
from cpy2py.proxy.proxy_twin import TwinProxy

import support
from support import TWIN_ID, PEER_ID


class Meta(type(TwinObject)):
    """A user metaclass: gives each class it makes a ``tag`` (in every interpreter)"""

    def __new__(mcs, name, bases, namespace):
        namespace = dict(namespace)
        namespace.setdefault('tag', name.lower())
        return super(Meta, mcs).__new__(mcs, name, bases, namespace)


class TwinABCMeta(type(TwinObject), abc.ABCMeta):
    """The metaclass that combines TwinObject with abc.ABC"""


#: abc.ABC (Python 2 has none: an equivalent)
ABC = getattr(abc, 'ABC', None) or abc.ABCMeta('ABC', (object,), {'__module__': __name__})

PluginBase = Meta('PluginBase', (TwinObject,), {'__twin_id__': TWIN_ID, '__module__': __name__})


class Plugin(PluginBase):
    def run(self):
        return 'plugin', kernel_state.TWIN_ID

    @classmethod
    def build(cls):
        return cls()


class Impl(Plugin):
    __twin_id__ = TWIN_ID

    def run(self):
        return 'impl', kernel_state.TWIN_ID

    def describe(self):
        """Not for the moved subclasses: there Impl is a proxy, not in the MRO of ``self``"""
        return 'impl', super(Impl, self).run()


class MovedImpl(Impl):
    __twin_id__ = PEER_ID


class MainImpl(Impl):
    __twin_id__ = kernel_state.MASTER_ID


class Py2Style(TwinObject):
    """Meta is its metaclass in a Python 2 twin only; the Python 3 main sees an attribute"""
    __metaclass__ = Meta
    __twin_id__ = TWIN_ID

    def run(self):
        return 'py2style'


class Py2StyleChild(Py2Style):
    def run(self):
        return 'child of ' + super(Py2StyleChild, self).run()


AbstractBase = TwinABCMeta('AbstractBase', (TwinObject, ABC), {
    '__twin_id__': TWIN_ID, '__module__': __name__})


class AbstractPlugin(AbstractBase):
    @abc.abstractmethod
    def run(self):
        """Implemented by subclasses"""

    def twice(self):
        return [self.run(), self.run()]


class HalfDone(AbstractPlugin):
    """Still abstract"""

    def twice(self):
        return 'half'


class ConcretePlugin(AbstractPlugin):
    def run(self):
        return 'concrete', kernel_state.TWIN_ID


class MainConcrete(ConcretePlugin):
    __twin_id__ = kernel_state.MASTER_ID


class Registered(object):
    """No AbstractPlugin: registered with it as a virtual subclass"""


def facts_in_twin():
    """Runs in the twin, where the classes of TWIN_ID are real"""
    impl = Impl()
    return (type(Impl) is Meta, '__cpy2py_real__' in Impl.__dict__, impl.describe(), Impl.tag,
            isinstance(impl, Plugin), isinstance(impl, PluginBase), issubclass(Impl, TwinObject),
            type(ConcretePlugin) is TwinABCMeta, ConcretePlugin().twice()[0],
            isinstance(ConcretePlugin(), AbstractPlugin), sorted(AbstractPlugin.__abstractmethods__))


def py2style_in_twin():
    return type(Py2Style).__name__, type(Py2StyleChild).__name__, Py2StyleChild().run()


def abstract_in_twin():
    try:
        HalfDone()
    except TypeError as error:
        return 'TypeError', 'abstract' in str(error)
    return 'no error', False


def use_in_twin(obj):
    """Runs in a twin; ``obj`` may be a proxy of an object in the main or the peer"""
    return (type(type(obj)).__name__, obj.run(), isinstance(obj, Plugin),
            isinstance(obj, AbstractPlugin), isinstance(obj, TwinProxy))


class Recursive(object):
    """Decoding it in the main asks the twin for another one: endless, until RecursionError"""

    def __reduce__(self):
        return fetch_recursive, ()


def make_recursive():
    return Recursive()


def fetch_recursive():
    if not kernel_state.is_master():
        return None
    return support.start_twin().execute(make_recursive)


class UserMetaclassTest(support.TwinTestCase):
    @support.guarded()
    def test_subclass_of_a_class_with_a_user_metaclass(self):
        self.assertEqual(Impl().run(), ('impl', TWIN_ID))
        self.assertEqual(Impl().describe(), ('impl', ('plugin', TWIN_ID)))
        self.assertEqual(Plugin().run(), ('plugin', TWIN_ID))
        self.assertEqual(Impl.build().run(), ('impl', TWIN_ID))

    @support.guarded()
    def test_proxy_and_real_class_have_the_metaclass(self):
        for cls in (PluginBase, Plugin, Impl):
            self.assertIs(type(cls), Meta)
            real = cls.__dict__['__cpy2py_real__']
            self.assertIs(type(real), Meta)
            self.assertNotIn('__cpy2py_real__', real.__dict__)
        self.assertEqual((Impl.tag, Plugin.tag), ('impl', 'plugin'))

    @support.guarded()
    def test_isinstance_along_the_hierarchy(self):
        impl = Impl()
        for cls in (Impl, Plugin, PluginBase, TwinObject, TwinProxy):
            self.assertIsInstance(impl, cls)
        self.assertNotIsInstance(Plugin(), Impl)
        self.assertTrue(issubclass(Impl, PluginBase))
        self.assertFalse(issubclass(Plugin, Impl))

    @support.guarded()
    def test_real_classes_in_the_twin(self):
        self.assertEqual(self.twin.execute(facts_in_twin), (
            True, False, ('impl', ('plugin', TWIN_ID)), 'impl', True, True, True,
            True, ('concrete', TWIN_ID), True, ['run']))

    @support.guarded()
    def test_subclass_moved_to_the_peer(self):
        moved = MovedImpl()
        self.assertEqual(moved.run(), ('impl', PEER_ID))
        self.assertIsInstance(moved, Impl)
        self.assertEqual(self.twin.execute(use_in_twin, moved),
                         ('Meta', ('impl', PEER_ID), True, False, True))

    @support.guarded()
    def test_subclass_in_the_main_used_from_the_twin(self):
        native = MainImpl()
        self.assertIs(type(native), MainImpl)
        self.assertEqual(native.run(), ('impl', kernel_state.MASTER_ID))
        self.assertEqual(self.twin.execute(use_in_twin, native),
                         ('Meta', ('impl', kernel_state.MASTER_ID), True, False, True))

    @support.guarded()
    def test_python2_metaclass_attribute(self):
        self.assertEqual(Py2StyleChild().run(), 'child of py2style')
        self.assertIsInstance(Py2StyleChild(), Py2Style)
        metaclass = 'Meta' if support.twin_is_py2() else 'TwinMeta'
        self.assertEqual(self.twin.execute(py2style_in_twin),
                         (metaclass, metaclass, 'child of py2style'))
        if support.twin_is_py2():
            self.assertEqual(Py2StyleChild.tag, 'py2stylechild')


class AbstractBaseTest(support.TwinTestCase):
    @support.guarded()
    def test_concrete_subclass(self):
        plugin = ConcretePlugin()
        self.assertIs(type(ConcretePlugin), TwinABCMeta)
        self.assertEqual(plugin.run(), ('concrete', TWIN_ID))
        self.assertEqual(plugin.twice(), [('concrete', TWIN_ID)] * 2)
        for cls in (ConcretePlugin, AbstractPlugin, AbstractBase, ABC, TwinObject):
            self.assertIsInstance(plugin, cls)
        self.assertTrue(issubclass(ConcretePlugin, AbstractPlugin))
        self.assertFalse(issubclass(AbstractPlugin, ConcretePlugin))

    @support.guarded()
    def test_abstract_class_cannot_be_instantiated(self):
        self.assertRaises(TypeError, AbstractPlugin)
        self.assertRaises(TypeError, HalfDone)
        self.assertEqual(self.twin.execute(abstract_in_twin), ('TypeError', True))

    @support.guarded()
    def test_register_on_the_proxy_class(self):
        self.assertFalse(issubclass(Registered, AbstractPlugin))
        AbstractPlugin.register(Registered)
        self.assertTrue(issubclass(Registered, AbstractPlugin))
        self.assertIsInstance(Registered(), AbstractPlugin)
        self.assertFalse(issubclass(Registered, ConcretePlugin))

    @support.guarded()
    def test_main_object_used_from_the_twin(self):
        native = MainConcrete()
        self.assertNotIsInstance(native, TwinProxy)
        self.assertEqual(native.twice(), [('concrete', kernel_state.MASTER_ID)] * 2)
        self.assertEqual(self.twin.execute(use_in_twin, native),
                         ('TwinABCMeta', ('concrete', kernel_state.MASTER_ID), False, True, True))


class NestedUndecodableTest(support.TwinTestCase):
    def test_message_of_nested_undecodable_values_is_bounded(self):
        error = RuntimeError('x' * 100000)
        for _ in range(1000):
            error = remote_errors.undecodable(error, TWIN_ID, b'')
        message = str(error)
        self.assertLess(len(message), 2000)
        self.assertIn('999 undecodable values nested in it, cut', message)
        self.assertIn('the innermost error: RuntimeError: xxx', message)
        self.assertIn('characters cut]', message)

    def test_long_reason_is_cut(self):
        message = str(remote_errors.undecodable(ValueError('y' * 100000), TWIN_ID, b''))
        self.assertLess(len(message), remote_errors.REASON_LIMIT + 200)
        self.assertIn('characters cut]', message)

    @support.guarded(60)
    def test_endless_decoding(self):
        with self.assertRaises(UndecodableValue) as context:
            self.twin.execute(make_recursive)
        message = str(context.exception)
        self.assertLess(len(message), 2000)
        self.assertIn('undecodable values nested in it, cut; the innermost error: ', message)
        self.assertEqual(self.twin.execute(len, 'usable'), 6)


if __name__ == '__main__':
    unittest.main()
