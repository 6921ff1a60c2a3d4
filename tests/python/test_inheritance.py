"""Inheritance: subclasses, diamonds, plain mixins, super(), moving classes between twins"""
from __future__ import print_function

import os
import unittest

from cpy2py import TwinObject, kernel_state
from cpy2py.proxy.proxy_twin import TwinProxy

import support
from support import TWIN_ID, PEER_ID


class Base(TwinObject):
    __twin_id__ = TWIN_ID
    base_attribute = 'base'

    def __init__(self, value=1):
        self.value = value

    def describe(self):
        return 'Base'

    def where(self):
        return kernel_state.TWIN_ID

    def pid(self):
        return os.getpid()

    def base_only(self):
        return 'base_only', self.value

    def spawn(self, value):
        """Returns a new TwinObject created in this twin (the original deadlocked here)"""
        return Child(value)

    @classmethod
    def build(cls, value):
        return cls(value)

    def make_in_peer(self, value):
        """Creates an object in the peer twin and returns it (a proxy to a third process)"""
        return PeerObject(value)


class Child(Base):
    child_attribute = 'child'

    def describe(self):
        return 'Child<%s>' % super(Child, self).describe()

    def child_only(self):
        return 'child_only'


class GrandChild(Child):
    def __init__(self, value=1, extra=None):
        super(GrandChild, self).__init__(value)
        self.extra = extra

    def describe(self):
        return 'GrandChild<%s>' % super(GrandChild, self).describe()


class ZeroArgSuper(Base):
    """super() without arguments: Python 3 only at run time, but defining it works everywhere"""

    def describe(self):
        return 'ZeroArgSuper<%s>' % super().describe()


class PeerBase(TwinObject):
    __twin_id__ = PEER_ID

    def describe(self):
        return 'PeerBase in %s' % kernel_state.TWIN_ID


class PeerZeroArgSuper(PeerBase):
    """The peer is always Python 3: super() without arguments must work there"""

    def describe(self):
        return 'PeerZeroArgSuper<%s>' % super().describe()


class NativeZeroArgSuper(TwinObject):
    """No __twin_id__: lives in the main; super() without arguments"""

    def describe(self):
        return 'Native<%s>' % super().__repr__()[:1]


class PeerObject(TwinObject):
    __twin_id__ = PEER_ID

    def __init__(self, value):
        self.value = value

    def where(self):
        return kernel_state.TWIN_ID


# -- diamond -----------------------------------------------------------------------------
class Top(TwinObject):
    __twin_id__ = TWIN_ID

    def who(self):
        return ['Top']


class Left(Top):
    def who(self):
        return ['Left'] + super(Left, self).who()


class Right(Top):
    def who(self):
        return ['Right'] + super(Right, self).who()

    def right_only(self):
        return 'right_only'


class Bottom(Left, Right):
    def who(self):
        return ['Bottom'] + super(Bottom, self).who()


# -- typing.Generic among the bases (a plain base where typing has none, or its Generic has
# a metaclass of its own: Python 2.7 and 3.6) ------------------------------------------------
import sys
if sys.version_info >= (3, 7):
    import typing
else:
    typing = None
_T = typing.TypeVar('_T') if typing else None


class Box(TwinObject, typing.Generic[_T] if typing else object):
    __twin_id__ = TWIN_ID

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value, kernel_state.TWIN_ID


class IntBox(Box[int] if typing else Box):
    def twice(self):
        return self.value * 2


# -- mixins that are not TwinObjects -------------------------------------------------------
class PlainMixin(object):
    mixin_attribute = 'mixin'

    def mixin_where(self):
        return 'mixin', kernel_state.TWIN_ID

    def describe(self):
        return 'PlainMixin'


class MixinFirst(PlainMixin, Base):
    pass


class MixinLast(Base, PlainMixin):
    pass


# -- classes moved to another interpreter ------------------------------------------------------
class MovedToPeer(Base):
    __twin_id__ = PEER_ID


class MovedToMain(Base):
    __twin_id__ = kernel_state.MASTER_ID


class MovedBackToTwin(MovedToMain):
    __twin_id__ = TWIN_ID


# -- inherited methods that name their class, run where that name is a proxy class ---------
class NamedSuperMovedToPeer(GrandChild):
    """Base, Child and GrandChild live in the twin; in the peer, where this class lives, their
    names are proxy classes, and their methods say super(Child, self)"""
    __twin_id__ = PEER_ID


class ZeroArgSuperMovedToPeer(ZeroArgSuper):
    """super() without arguments in an inherited method: its __class__ is the proxy class too"""
    __twin_id__ = PEER_ID


class MainBase(TwinObject):
    __twin_id__ = kernel_state.MASTER_ID

    def __init__(self, value=1):
        self.value = value

    def describe(self):
        return 'MainBase'

    @classmethod
    def lineage(cls):
        return ['MainBase', cls.__name__, kernel_state.TWIN_ID]


class MainChild(MainBase):
    def __init__(self, value=1):
        super(MainChild, self).__init__(value * 10)

    def describe(self):
        return 'MainChild<%s>' % super(MainChild, self).describe()

    @classmethod
    def lineage(cls):
        return ['MainChild'] + super(MainChild, cls).lineage()


class MainChildInTwin(MainChild):
    """Lives in the twin under test (Python 2.7 among them, where super needs its class)"""
    __twin_id__ = TWIN_ID

    def where(self):
        return kernel_state.TWIN_ID


class ExplicitBaseCallInTwin(MainChild):
    """Calls the method it overrides by its base's name (Base.method(self), the other Python 2
    idiom); Python looks it up on MainChild, here a proxy class"""
    __twin_id__ = TWIN_ID

    def describe(self):
        return 'InTwin<%s>' % MainChild.describe(self)

    def only_base(self):
        return MainBase.describe(self)


class NativeObject(TwinObject):
    """No __twin_id__ anywhere: native to the main interpreter"""

    def __init__(self, value=0):
        self.value = value

    def where(self):
        return kernel_state.TWIN_ID, os.getpid()


class NativeChild(NativeObject):
    pass


def describe_in_twin(obj):
    return obj.describe(), kernel_state.TWIN_ID


def call_where(obj):
    """Runs in a twin; ``obj`` may be a proxy of an object in the main"""
    return obj.where()


class SubclassTest(support.TwinTestCase):
    def test_inherited_methods_and_attributes(self):
        child = Child(3)
        self.assertEqual(child.where(), TWIN_ID)
        self.assertEqual(child.base_only(), ('base_only', 3))
        self.assertEqual(child.child_only(), 'child_only')
        self.assertEqual(child.base_attribute, 'base')
        self.assertEqual(child.child_attribute, 'child')
        self.assertEqual(Child.base_attribute, 'base')

    def test_isinstance_along_the_hierarchy(self):
        grandchild = GrandChild(1, extra='x')
        for cls in (GrandChild, Child, Base, TwinObject, TwinProxy):
            self.assertIsInstance(grandchild, cls)
        self.assertNotIsInstance(Base(), Child)
        self.assertTrue(issubclass(GrandChild, Base))
        self.assertFalse(issubclass(Base, Child))
        self.assertEqual(grandchild.extra, 'x')

    def test_super_with_arguments(self):
        self.assertEqual(Child().describe(), 'Child<Base>')
        self.assertEqual(GrandChild().describe(), 'GrandChild<Child<Base>>')

    def test_zero_argument_super_in_the_twin(self):
        self.require_py3_twin('super() without arguments needs Python 3 in the twin')
        self.assertEqual(ZeroArgSuper().describe(), 'ZeroArgSuper<Base>')

    def test_zero_argument_super_in_the_peer(self):
        self.assertEqual(PeerZeroArgSuper().describe(), 'PeerZeroArgSuper<PeerBase in %s>' % PEER_ID)

    def test_zero_argument_super_in_the_main(self):
        self.assertEqual(NativeZeroArgSuper().describe(), 'Native<<>')

    def test_method_called_in_twin_on_real_object(self):
        self.assertEqual(self.twin.execute(describe_in_twin, GrandChild()),
                         ('GrandChild<Child<Base>>', TWIN_ID))

    def test_class_attribute_inherited_via_class(self):
        self.assertEqual(GrandChild.child_attribute, 'child')
        self.assertEqual(GrandChild.base_attribute, 'base')


class DiamondTest(support.TwinTestCase):
    def test_method_resolution_order(self):
        self.assertEqual(Bottom().who(), ['Bottom', 'Left', 'Right', 'Top'])
        self.assertEqual(Left().who(), ['Left', 'Top'])

    def test_isinstance(self):
        bottom = Bottom()
        for cls in (Bottom, Left, Right, Top, TwinObject):
            self.assertIsInstance(bottom, cls)
        self.assertNotIsInstance(Left(), Right)
        self.assertTrue(issubclass(Bottom, Right))

    def test_method_of_second_base(self):
        self.assertEqual(Bottom().right_only(), 'right_only')


class MixinTest(support.TwinTestCase):
    def test_mixin_methods_run_in_the_twin(self):
        self.assertEqual(MixinFirst().mixin_where(), ('mixin', TWIN_ID))
        self.assertEqual(MixinLast().mixin_where(), ('mixin', TWIN_ID))
        self.assertEqual(MixinFirst().where(), TWIN_ID)

    def test_method_resolution_order_with_mixin(self):
        self.assertEqual(MixinFirst().describe(), 'PlainMixin')
        self.assertEqual(MixinLast().describe(), 'Base')

    def test_isinstance_of_mixin(self):
        self.assertIsInstance(MixinFirst(), PlainMixin)
        self.assertIsInstance(MixinLast(), PlainMixin)
        self.assertIsInstance(MixinLast(), Base)
        self.assertNotIsInstance(Base(), PlainMixin)
        self.assertTrue(issubclass(MixinFirst, PlainMixin))

    def test_mixin_class_attribute(self):
        self.assertEqual(MixinFirst().mixin_attribute, 'mixin')
        self.assertEqual(MixinLast.mixin_attribute, 'mixin')


class NewObjectsTest(support.TwinTestCase):
    @support.guarded()
    def test_method_returning_new_twin_object(self):
        child = Base(1).spawn(5)
        self.assertIsInstance(child, Child)
        self.assertEqual(child.value, 5)
        self.assertEqual(child.where(), TWIN_ID)
        self.assertEqual(child.spawn(6).describe(), 'Child<Base>')

    @support.guarded()
    def test_classmethod_returning_new_twin_object(self):
        built = GrandChild.build(7)
        self.assertIsInstance(built, GrandChild)
        self.assertEqual(built.value, 7)

    @support.guarded()
    def test_method_returning_object_of_a_third_twin(self):
        peer_object = Base().make_in_peer(11)
        self.assertIsInstance(peer_object, PeerObject)
        self.assertEqual(peer_object.where(), PEER_ID)
        self.assertEqual(peer_object.value, 11)


class MovedClassTest(support.TwinTestCase):
    def test_subclass_moved_to_the_peer(self):
        moved = MovedToPeer(2)
        self.assertEqual(MovedToPeer.__twin_id__, PEER_ID)
        self.assertEqual(moved.where(), PEER_ID)
        self.assertEqual(moved.base_only(), ('base_only', 2))
        self.assertIsInstance(moved, Base)
        self.assertEqual(Base().where(), TWIN_ID)

    def test_subclass_moved_to_the_main(self):
        moved = MovedToMain(4)
        self.assertEqual(MovedToMain.__twin_id__, kernel_state.MASTER_ID)
        self.assertNotIsInstance(moved, TwinProxy)
        self.assertIs(type(moved), MovedToMain)
        self.assertEqual(moved.where(), kernel_state.MASTER_ID)
        self.assertEqual(moved.pid(), os.getpid())
        self.assertIsInstance(moved, Base)

    def test_subclass_of_moved_class_moved_back(self):
        back = MovedBackToTwin(1)
        self.assertIsInstance(back, TwinProxy)
        self.assertEqual(back.where(), TWIN_ID)
        self.assertIsInstance(back, MovedToMain)

    @support.guarded()
    def test_main_object_used_from_the_twin(self):
        moved = MovedToMain(4)
        self.assertEqual(self.twin.execute(call_where, moved), kernel_state.MASTER_ID)


class NamedClassInInheritedMethodTest(support.TwinTestCase):
    """super(Base, self), super(Base, cls) and Base.method(self) in methods of a subclass that
    lives in another twin, where Base is a proxy class (Python 2 has no other super)"""

    def test_named_super_in_the_peer(self):
        moved = NamedSuperMovedToPeer(3, extra='x')
        self.assertEqual(moved.where(), PEER_ID)
        self.assertEqual((moved.value, moved.extra), (3, 'x'))
        self.assertEqual(moved.describe(), 'GrandChild<Child<Base>>')

    def test_zero_argument_super_in_the_peer(self):
        self.assertEqual(ZeroArgSuperMovedToPeer().describe(), 'ZeroArgSuper<Base>')

    def test_named_super_in_the_twin(self):
        moved = MainChildInTwin(2)
        self.assertEqual(moved.where(), TWIN_ID)
        self.assertEqual(moved.value, 20)
        self.assertEqual(moved.describe(), 'MainChild<MainBase>')

    def test_explicit_base_method_in_the_twin(self):
        # before: the proxy class called self.describe(), this very method: endless recursion
        self.assertEqual(ExplicitBaseCallInTwin().describe(), 'InTwin<MainChild<MainBase>>')
        self.assertEqual(ExplicitBaseCallInTwin().only_base(), 'MainBase')

    def test_named_super_in_a_classmethod_in_the_twin(self):
        self.assertEqual(MainChildInTwin.lineage(),
                         ['MainChild', 'MainBase', 'MainChildInTwin', TWIN_ID])

    def test_the_bases_are_unchanged(self):
        self.assertEqual(MainChild(2).describe(), 'MainChild<MainBase>')
        self.assertEqual(MainChild.lineage(), ['MainChild', 'MainBase', 'MainChild', kernel_state.MASTER_ID])
        self.assertEqual(GrandChild().describe(), 'GrandChild<Child<Base>>')


class GenericTest(support.TwinTestCase):
    def test_generic_twin_object(self):
        # before: "Cannot inherit from plain Generic" when the proxy class was made
        self.assertEqual(Box[int](5).get(), (5, TWIN_ID))
        self.assertEqual(Box('a').get(), ('a', TWIN_ID))
        self.assertEqual(Box.__parameters__, (_T,))

    def test_subclass_of_parametrized_generic(self):
        box = IntBox(3)
        self.assertEqual(box.twice(), 6)
        self.assertIsInstance(box, Box)


class NativeTest(support.TwinTestCase):
    def test_twin_object_without_twin_id_is_native_to_main(self):
        self.assertEqual(NativeObject.__twin_id__, kernel_state.MASTER_ID)
        self.assertEqual(NativeChild.__twin_id__, kernel_state.MASTER_ID)
        obj = NativeChild(3)
        self.assertIs(type(obj), NativeChild)
        self.assertNotIsInstance(obj, TwinProxy)
        self.assertEqual(obj.where(), (kernel_state.MASTER_ID, os.getpid()))

    @support.guarded()
    def test_native_object_is_a_proxy_in_the_twin(self):
        obj = NativeObject(3)
        self.assertEqual(self.twin.execute(call_where, obj), (kernel_state.MASTER_ID, os.getpid()))


if __name__ == '__main__':
    unittest.main()
