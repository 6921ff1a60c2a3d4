"""TwinObject basics: construction in the twin, isinstance, attributes, methods, properties"""
from __future__ import print_function

import os
import unittest

from cpy2py import TwinObject, kernel_state
from cpy2py.proxy.proxy_twin import TwinProxy

import support
from support import TWIN_ID


class Doubler(object):
    """A plain data descriptor (not a property): stores a value, reads it doubled"""

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return instance.raw_value * 2

    def __set__(self, instance, value):
        instance.raw_value = value


class PrimitiveObject(TwinObject):
    __twin_id__ = TWIN_ID
    class_attribute = 1
    doubled = Doubler()

    def __init__(self, instance_attribute=2):
        self.instance_attribute = instance_attribute
        self._prop = 'initial'
        self.raw_value = 1

    def get_instance_attribute(self):
        return self.instance_attribute

    def where(self):
        return kernel_state.TWIN_ID, os.getpid()

    def echo(self, *args, **kwargs):
        return args, kwargs

    def myself(self):
        return self

    def is_same(self, other):
        return other is self

    def check_types(self):
        """isinstance in the twin, where this is the real object"""
        return (isinstance(self, PrimitiveObject), isinstance(self, TwinObject),
                isinstance(self, TwinProxy), type(self) is PrimitiveObject)

    @staticmethod
    def method():
        return 3

    @staticmethod
    def method_arg(arg1=4):
        return arg1

    @staticmethod
    def static_where():
        return kernel_state.TWIN_ID

    @classmethod
    def class_where(cls):
        return cls.__name__, kernel_state.TWIN_ID

    @classmethod
    def create(cls, value):
        return cls(value)

    @classmethod
    def get_class_attribute(cls):
        return cls.class_attribute

    @property
    def prop(self):
        return self._prop

    @prop.setter
    def prop(self, value):
        self._prop = value

    @prop.deleter
    def prop(self):
        del self._prop

    @property
    def read_only(self):
        return 'fixed'


class OtherObject(TwinObject):
    __twin_id__ = TWIN_ID


class Slotted(TwinObject):
    __twin_id__ = TWIN_ID
    __slots__ = ('first', 'second')

    def __init__(self):
        self.first = 1

    def get_second(self):
        return self.second


class Dynamic(TwinObject):
    """Attributes made up by __getattr__ in the twin"""
    __twin_id__ = TWIN_ID

    def __getattr__(self, name):
        if name.startswith('dyn_'):
            return name[len('dyn_'):]
        raise AttributeError(name)


class FailingInit(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, value):
        raise ValueError('refused %r' % (value,))


def real_class_attribute(name):
    """The class attribute as the twin's real class has it"""
    return getattr(PrimitiveObject, name)


class ConstructionTest(support.TwinTestCase):
    def test_instance_lives_in_the_twin(self):
        obj = PrimitiveObject()
        twin_id, pid = obj.where()
        self.assertEqual(twin_id, TWIN_ID)
        self.assertNotEqual(pid, os.getpid())
        self.assertEqual(pid, self.twin.execute(os.getpid))

    def test_constructor_arguments(self):
        self.assertEqual(PrimitiveObject(5).instance_attribute, 5)
        self.assertEqual(PrimitiveObject(instance_attribute=[1, 2]).instance_attribute, [1, 2])

    def test_isinstance_and_issubclass(self):
        obj = PrimitiveObject()
        self.assertIsInstance(obj, PrimitiveObject)
        self.assertIsInstance(obj, TwinObject)
        self.assertIsInstance(obj, TwinProxy)
        self.assertNotIsInstance(obj, OtherObject)
        self.assertNotIsInstance(obj, int)
        self.assertTrue(issubclass(PrimitiveObject, TwinObject))
        self.assertFalse(issubclass(PrimitiveObject, OtherObject))
        self.assertTrue(issubclass(type(obj), PrimitiveObject))
        self.assertEqual(type(obj).__name__, 'PrimitiveObject')
        self.assertEqual(type(obj).__module__, PrimitiveObject.__module__)

    def test_isinstance_in_the_twin_sees_the_real_object(self):
        self.assertEqual(PrimitiveObject().check_types(), (True, True, False, True))

    def test_repr_names_the_class_and_twin(self):
        text = repr(OtherObject())
        self.assertIn('OtherObject', text)
        self.assertIn(TWIN_ID, text)

    def test_same_object_gives_same_proxy(self):
        obj = PrimitiveObject()
        self.assertIs(obj.myself(), obj)
        self.assertTrue(obj.is_same(obj))
        self.assertFalse(obj.is_same(PrimitiveObject()))

    def test_error_in_init_reaches_the_caller(self):
        with self.assertRaises(ValueError) as context:
            FailingInit(3)
        self.assertIn('refused 3', str(context.exception))

    def test_objects_are_independent(self):
        first, second = PrimitiveObject(1), PrimitiveObject(2)
        first.instance_attribute = 10
        self.assertEqual(second.instance_attribute, 2)


class AttributeTest(support.TwinTestCase):
    def test_class_attribute_via_instance_and_class(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.class_attribute, 1)
        self.assertEqual(PrimitiveObject.class_attribute, 1)

    def test_setting_via_instance_shadows_in_the_remote_instance(self):
        obj = PrimitiveObject()
        obj.class_attribute = 2
        self.assertEqual(obj.class_attribute, 2)
        self.assertEqual(PrimitiveObject.class_attribute, 1)
        self.assertEqual(PrimitiveObject().class_attribute, 1)

    def test_class_attribute_set_and_delete_on_the_class(self):
        obj = PrimitiveObject()
        PrimitiveObject.class_attribute = 5
        try:
            self.assertEqual(PrimitiveObject.class_attribute, 5)
            self.assertEqual(obj.class_attribute, 5)
            self.assertEqual(PrimitiveObject.get_class_attribute(), 5)
            self.assertEqual(self.twin.execute(real_class_attribute, 'class_attribute'), 5)
        finally:
            PrimitiveObject.class_attribute = 1
        self.assertEqual(obj.class_attribute, 1)
        PrimitiveObject.added_later = 'new'
        self.assertEqual(PrimitiveObject.added_later, 'new')
        self.assertEqual(obj.added_later, 'new')
        del PrimitiveObject.added_later
        with self.assertRaises(AttributeError):
            PrimitiveObject.added_later
        with self.assertRaises(AttributeError):
            obj.added_later

    def test_instance_attribute_get_set_del(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.instance_attribute, 2)
        obj.instance_attribute = 3
        self.assertEqual(obj.instance_attribute, 3)
        self.assertEqual(obj.get_instance_attribute(), 3)
        obj.new_attribute = {'a': 1}
        self.assertEqual(obj.new_attribute, {'a': 1})
        del obj.instance_attribute
        with self.assertRaises(AttributeError):
            getattr(obj, 'instance_attribute')
        with self.assertRaises(AttributeError):
            obj.get_instance_attribute()

    def test_missing_attributes_raise_attribute_error(self):
        obj = PrimitiveObject()
        with self.assertRaises(AttributeError):
            obj.no_such_attribute
        with self.assertRaises(AttributeError):
            del obj.no_such_attribute
        with self.assertRaises(AttributeError):
            PrimitiveObject.no_such_attribute
        self.assertFalse(hasattr(obj, 'no_such_attribute'))
        self.assertEqual(getattr(obj, 'no_such_attribute', 'default'), 'default')
        self.assertTrue(hasattr(obj, 'instance_attribute'))


class SpecialClassesTest(support.TwinTestCase):
    def test_slots(self):
        obj = Slotted()
        self.assertEqual(obj.first, 1)
        with self.assertRaises(AttributeError):
            obj.get_second()
        obj.second = 2
        self.assertEqual(obj.get_second(), 2)
        self.assertEqual(obj.second, 2)

    def test_getattr_hook_of_the_real_class(self):
        obj = Dynamic()
        self.assertEqual(obj.dyn_hello, 'hello')
        with self.assertRaises(AttributeError):
            obj.other


class MethodTest(support.TwinTestCase):
    def test_method_runs_remotely(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.where()[0], TWIN_ID)

    def test_method_arguments(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.echo(), ((), {}))
        self.assertEqual(obj.echo(1, 'two', three=3), ((1, 'two'), {'three': 3}))
        self.assertEqual(obj.echo(*[1, 2], **{'k': [None]}), ((1, 2), {'k': [None]}))

    def test_bound_method_object(self):
        method = PrimitiveObject(7).get_instance_attribute
        self.assertEqual(method(), 7)
        self.assertTrue(callable(method))

    def test_bound_method_sent_to_twins(self):
        obj = PrimitiveObject(7)
        self.assertEqual(self.twin.execute(obj.get_instance_attribute), 7)  # to the owner
        self.assertEqual(self.peer.execute(obj.get_instance_attribute), 7)  # to a third twin
        self.assertEqual(self.twin.execute(obj.echo, 1, k=2), ((1,), {'k': 2}))

    def test_unbound_method_via_class(self):
        obj = PrimitiveObject(8)
        self.assertEqual(PrimitiveObject.get_instance_attribute(obj), 8)

    def test_staticmethods_via_instance(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.method(), 3)
        self.assertEqual(obj.method_arg(), 4)
        self.assertEqual(obj.method_arg(5), 5)
        self.assertEqual(obj.method_arg(arg1=6), 6)
        self.assertEqual(obj.static_where(), TWIN_ID)

    def test_staticmethods_via_class(self):
        self.assertEqual(PrimitiveObject.method(), 3)
        self.assertEqual(PrimitiveObject.method_arg(arg1=6), 6)
        self.assertEqual(PrimitiveObject.static_where(), TWIN_ID)

    def test_classmethods_via_class_and_instance(self):
        self.assertEqual(PrimitiveObject.class_where(), ('PrimitiveObject', TWIN_ID))
        self.assertEqual(PrimitiveObject().class_where(), ('PrimitiveObject', TWIN_ID))

    @support.guarded()
    def test_classmethod_returning_a_new_instance(self):
        obj = PrimitiveObject.create(9)
        self.assertIsInstance(obj, PrimitiveObject)
        self.assertEqual(obj.instance_attribute, 9)
        self.assertEqual(obj.where()[0], TWIN_ID)
        self.assertEqual(PrimitiveObject(1).create(10).instance_attribute, 10)


class DescriptorTest(support.TwinTestCase):
    def test_property_get_set_delete(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.prop, 'initial')
        obj.prop = 'changed'
        self.assertEqual(obj.prop, 'changed')
        self.assertEqual(obj._prop, 'changed')
        del obj.prop
        with self.assertRaises(AttributeError):
            obj.prop
        obj.prop = 'again'
        self.assertEqual(obj.prop, 'again')

    def test_read_only_property(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.read_only, 'fixed')
        with self.assertRaises(AttributeError):
            obj.read_only = 'other'
        with self.assertRaises(AttributeError):
            del obj.read_only
        self.assertEqual(obj.read_only, 'fixed')

    def test_custom_data_descriptor(self):
        obj = PrimitiveObject()
        self.assertEqual(obj.doubled, 2)
        obj.doubled = 21
        self.assertEqual(obj.doubled, 42)
        self.assertEqual(obj.raw_value, 21)


if __name__ == '__main__':
    unittest.main()
