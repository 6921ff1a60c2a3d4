"""Class decorators on TwinObject classes: functools.total_ordering, dataclasses, your own

A class decorator runs in every process that executes the class statement: on the real
class in its twin, on the proxy class everywhere else. What it adds to the proxy class
must keep working there (before: the proxy sent each new method to the twin, which failed
for functions made inside the decorator, and for total_ordering's with a 2.7 twin).
"""
from __future__ import print_function

import functools
import unittest

from cpy2py import TwinObject, kernel_state

import support
from support import TWIN_ID, PEER_ID

try:
    import dataclasses
except ImportError:  # Python 2.7 and 3.6
    dataclasses = None


def with_repr(cls):
    """A decorator of one's own: its ``__repr__`` is made here, so it cannot be pickled"""
    def __repr__(self):
        return '<%s %s in %s>' % (type(self).__name__, self.value, kernel_state.TWIN_ID)
    cls.__repr__ = __repr__
    return cls


@with_repr
@functools.total_ordering
class Ordered(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return self.value == other.value

    def __lt__(self, other):
        return self.value < other.value

    def __hash__(self):
        return hash(self.value)


def _where(self):
    return kernel_state.TWIN_ID, self.x, self.y


# (made by a call: the annotated class statement is not Python 2.7 syntax; a twin without
# dataclasses has the plain class, which the main's decorator may look into meanwhile)
Point = type(TwinObject)('Point', (TwinObject,), {
    '__twin_id__': TWIN_ID, '__module__': __name__, 'where': _where,
    '__annotations__': {'x': int, 'y': int}, 'y': 0})
if dataclasses is not None:
    Point = dataclasses.dataclass(Point)


def _hash_point(self):
    return 7


# a hash of its own: dataclass leaves it (it looks in the class's __dict__, on the proxy
# class too)
HashedPoint = type(TwinObject)('HashedPoint', (TwinObject,), {
    '__twin_id__': TWIN_ID, '__module__': __name__, '__hash__': _hash_point,
    '__annotations__': {'x': int}})
if dataclasses is not None:
    HashedPoint = dataclasses.dataclass(HashedPoint)


class OrderedInPeer(Ordered):
    """Lives in the peer, where Ordered is a proxy class changed by the decorators: real
    objects there must not find what they set on it (it calls the twin)"""
    __twin_id__ = PEER_ID


def compare_in_owner(low, high):
    return (low < high, low == high, hash(low) == hash(low.value), repr(low)[:1], str(high)[:1])


class TestClassDecorators(support.TwinTestCase):
    def test_own_decorator(self):
        self.assertEqual(repr(Ordered(3)), '<Ordered 3 in %s>' % TWIN_ID)

    def test_total_ordering(self):
        low, high = Ordered(1), Ordered(2)
        self.assertTrue(high > low)
        self.assertTrue(high >= low)
        self.assertTrue(low <= high)
        self.assertFalse(low > high)
        self.assertEqual(sorted([high, low])[0].value, 1)
        self.assertEqual(Ordered(1), low)

    def test_dataclass(self):
        if dataclasses is None:
            self.skipTest('no dataclasses in this main')
        if support.twin_version() < (3, 7):
            self.skipTest('no dataclasses in the twin')
        point = Point(1, y=2)
        self.assertEqual(point.where(), (TWIN_ID, 1, 2))
        self.assertEqual(repr(point), 'Point(x=1, y=2)')
        self.assertEqual(Point(1), Point(1, 0))
        self.assertNotEqual(Point(1), Point(2))
        self.assertTrue(dataclasses.is_dataclass(point))
        self.assertRaises(TypeError, hash, point)  # eq without frozen: unhashable, as there

    def test_dataclass_keeps_a_hash_of_its_own(self):
        if dataclasses is None:
            self.skipTest('no dataclasses in this main')
        if support.twin_version() < (3, 7):
            self.skipTest('no dataclasses in the twin')
        self.assertEqual(hash(HashedPoint(1)), 7)

    def test_subclass_of_a_decorated_class_in_another_twin(self):
        low, high = OrderedInPeer(1), OrderedInPeer(2)
        self.assertEqual(self.peer.execute(compare_in_owner, low, high), (True, False, True, '<', '<'))

    def test_class_attributes_still_reach_the_twin(self):
        Ordered.shared = 5
        try:
            self.assertEqual(support.start_twin().execute(getattr, Ordered, 'shared'), 5)
        finally:
            del Ordered.shared


if __name__ == '__main__':
    unittest.main()
