"""Magic methods of TwinObjects, called through proxies"""
from __future__ import print_function

import os
import unittest

from cpy2py import TwinObject, kernel_state

import support
from support import TWIN_ID


class Number(TwinObject):
    """A number-like object: comparisons, hashing, arithmetic"""
    __twin_id__ = TWIN_ID

    def __init__(self, value):
        self.value = value

    @staticmethod
    def _other(other):
        if isinstance(other, Number):
            return other.value
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return other
        return None

    def _compare(self, other, test):
        value = self._other(other)
        if value is None:
            return NotImplemented
        return test(self.value, value)

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    def __hash__(self):
        return hash(self.value)

    def __add__(self, other):
        return Number(self.value + self._other(other))

    def __radd__(self, other):
        return Number(self._other(other) + self.value)

    def __sub__(self, other):
        return Number(self.value - self._other(other))

    def __rsub__(self, other):
        return Number(self._other(other) - self.value)

    def __mul__(self, other):
        return Number(self.value * self._other(other))

    __rmul__ = __mul__

    def __truediv__(self, other):
        return Number(float(self.value) / self._other(other))

    __div__ = __truediv__  # Python 2 twins without "from __future__ import division"

    def __floordiv__(self, other):
        return Number(self.value // self._other(other))

    def __mod__(self, other):
        return Number(self.value % self._other(other))

    def __pow__(self, other):
        return Number(self.value ** self._other(other))

    def __neg__(self):
        return Number(-self.value)

    def __abs__(self):
        return Number(abs(self.value))

    def __iadd__(self, other):
        self.value += self._other(other)
        return self

    def __int__(self):
        return int(self.value)

    def __float__(self):
        return float(self.value)

    def __index__(self):
        return int(self.value)

    def __bool__(self):
        return self.value != 0

    __nonzero__ = __bool__

    def __str__(self):
        return 'Number(%s) in %s' % (self.value, kernel_state.TWIN_ID)

    def __repr__(self):
        return '<Number %r>' % (self.value,)


class Box(TwinObject):
    """A container: len, items, membership, iteration, calling, context manager"""
    __twin_id__ = TWIN_ID

    def __init__(self, *items):
        self.items = list(items)
        self.entered = 0

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]

    def __setitem__(self, index, value):
        self.items[index] = value

    def __delitem__(self, index):
        del self.items[index]

    def __contains__(self, item):
        return item in self.items

    def __iter__(self):
        return iter(self.items)

    def __call__(self, *args, **kwargs):
        return kernel_state.TWIN_ID, args, kwargs

    def __enter__(self):
        self.entered += 1
        return self

    def __exit__(self, kind, value, traceback):
        self.entered -= 1
        return kind is KeyError  # swallow KeyErrors only

    def generate(self, count):
        for index in range(count):
            yield (index, os.getpid())


class GeneratingBox(Box):
    """__iter__ as a generator: the iterator cannot be pickled, so it stays in the twin"""

    def __iter__(self):
        for item in self.items:
            yield item


class Mapping(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self):
        self.data = {}

    def __getitem__(self, key):
        return self.data[key]

    def __setitem__(self, key, value):
        self.data[key] = value

    def __delitem__(self, key):
        del self.data[key]

    def __len__(self):
        return len(self.data)


def make_unpicklable_iterable(*items):
    """Returns an iterable that is not an iterator and cannot be pickled (a local class)"""
    class Iterable(object):
        def __iter__(self):
            for item in items:
                yield item
    return Iterable()


def make_unpicklable_callable(offset):
    return lambda value: value + offset


class Plain(TwinObject):
    """No magic methods of its own"""
    __twin_id__ = TWIN_ID


class ComparisonTest(support.TwinTestCase):
    def test_comparisons_with_plain_values(self):
        two = Number(2)
        self.assertTrue(two == 2)
        self.assertFalse(two != 2)
        self.assertTrue(two != 3)
        self.assertTrue(two < 3)
        self.assertTrue(two <= 2)
        self.assertTrue(two > 1)
        self.assertTrue(two >= 2)
        self.assertFalse(two > 2)

    def test_reflected_comparisons(self):
        two = Number(2)
        self.assertTrue(1 < two)
        self.assertTrue(3 > two)
        self.assertTrue(2 <= two)
        self.assertTrue(2 >= two)
        self.assertTrue(2 == two)
        self.assertFalse(1 == two)

    def test_comparisons_between_proxies(self):
        self.assertTrue(Number(1) < Number(2))
        self.assertTrue(Number(2) == Number(2))
        self.assertEqual(sorted([Number(3), Number(1), Number(2)]), [1, 2, 3])
        self.assertEqual(max(Number(3), Number(7)), 7)

    def test_unsupported_comparison_falls_back(self):
        two = Number(2)
        self.assertFalse(two == 'two')
        self.assertTrue(two != 'two')
        self.assertNotEqual(two, None)

    def test_hash_and_equality(self):
        first, second = Number(5), Number(5)
        self.assertEqual(hash(first), hash(5))
        self.assertEqual(first, second)
        self.assertEqual(len(set([first, second, 5])), 1)
        table = {first: 'five'}
        self.assertEqual(table[second], 'five')
        self.assertEqual(table[first], 'five')

    def test_default_identity_equality(self):
        obj = Plain()
        self.assertEqual(obj, obj)
        self.assertNotEqual(obj, Plain())
        self.assertEqual(len(set([obj, obj])), 1)


class ArithmeticTest(support.TwinTestCase):
    def test_binary_operators(self):
        six = Number(6)
        self.assertEqual(six + 1, 7)
        self.assertEqual(six - 1, 5)
        self.assertEqual(six * 2, 12)
        self.assertEqual(six / 4, 1.5)
        self.assertEqual(six // 4, 1)
        self.assertEqual(six % 4, 2)
        self.assertEqual(six ** 2, 36)
        self.assertEqual(six + Number(4), 10)

    def test_results_are_new_twin_objects(self):
        result = Number(6) + 1
        self.assertIsInstance(result, Number)
        self.assertEqual(result.value, 7)

    def test_reflected_operators(self):
        six = Number(6)
        self.assertEqual(1 + six, 7)
        self.assertEqual(10 - six, 4)
        self.assertEqual(2 * six, 12)

    def test_unary_and_conversions(self):
        self.assertEqual(-Number(3), -3)
        self.assertEqual(abs(Number(-3)), 3)
        self.assertEqual(int(Number(4)), 4)
        self.assertEqual(float(Number(4)), 4.0)
        self.assertEqual([0, 10, 20][Number(1)], 10)

    def test_in_place_operator_keeps_the_object(self):
        number = Number(1)
        alias = number
        number += 5
        self.assertIs(number, alias)
        self.assertEqual(alias.value, 6)

    def test_bool(self):
        self.assertTrue(Number(1))
        self.assertFalse(Number(0))
        self.assertTrue(bool(Number(-1)))
        self.assertFalse(Box())
        self.assertTrue(Box(1))
        self.assertTrue(Plain())

    def test_str_and_repr(self):
        self.assertEqual(str(Number(3)), 'Number(3) in %s' % TWIN_ID)
        self.assertEqual(repr(Number(3)), '<Number 3>')
        self.assertIn('%s' % (Number(4),), ['Number(4) in %s' % TWIN_ID])


class ContainerTest(support.TwinTestCase):
    def test_len(self):
        self.assertEqual(len(Box()), 0)
        self.assertEqual(len(Box(1, 2, 3)), 3)

    def test_get_set_delete_items(self):
        box = Box('a', 'b', 'c')
        self.assertEqual(box[0], 'a')
        self.assertEqual(box[-1], 'c')
        self.assertEqual(box[0:2], ['a', 'b'])
        box[1] = 'B'
        self.assertEqual(box.items, ['a', 'B', 'c'])
        del box[0]
        self.assertEqual(box.items, ['B', 'c'])
        with self.assertRaises(IndexError):
            box[10]
        with self.assertRaises(IndexError):
            del box[10]

    def test_mapping_key_errors(self):
        mapping = Mapping()
        mapping['key'] = [1]
        self.assertEqual(mapping['key'], [1])
        self.assertEqual(len(mapping), 1)
        del mapping['key']
        with self.assertRaises(KeyError):
            mapping['key']
        with self.assertRaises(KeyError):
            del mapping['key']

    def test_contains(self):
        box = Box(1, 'two')
        self.assertIn(1, box)
        self.assertIn('two', box)
        self.assertNotIn(3, box)

    def test_iteration(self):
        box = Box(1, 2, 3)
        self.assertEqual(list(box), [1, 2, 3])
        self.assertEqual([item * 2 for item in box], [2, 4, 6])
        self.assertEqual(list(Box()), [])

    @support.guarded()
    def test_generator_iteration(self):
        box = GeneratingBox('x', 'y')
        self.assertEqual(list(box), ['x', 'y'])
        self.assertEqual(list(iter(box)), ['x', 'y'])
        iterator = iter(box)
        self.assertEqual(next(iterator), 'x')
        self.assertEqual(next(iterator), 'y')
        with self.assertRaises(StopIteration):
            next(iterator)

    @support.guarded()
    def test_generator_method(self):
        items = list(Box().generate(3))
        self.assertEqual([index for index, _ in items], [0, 1, 2])
        twin_pid = self.twin.execute(os.getpid)
        self.assertEqual(set(pid for _, pid in items), set([twin_pid]))

    @support.guarded()
    def test_unpicklable_results_are_remote_objects(self):
        iterable = self.twin.execute(make_unpicklable_iterable, 'a', 'b')
        self.assertEqual(list(iterable), ['a', 'b'])
        self.assertEqual(list(iterable), ['a', 'b'])  # an iterable, not a one-shot iterator
        self.assertTrue(iterable)
        adder = self.twin.execute(make_unpicklable_callable, 10)
        self.assertEqual(adder(5), 15)

    def test_call(self):
        box = Box()
        self.assertTrue(callable(box))
        self.assertEqual(box(1, key='value'), (TWIN_ID, (1,), {'key': 'value'}))

    def test_context_manager(self):
        box = Box()
        with box as entered:
            self.assertIs(entered, box)
            self.assertEqual(box.entered, 1)
        self.assertEqual(box.entered, 0)
        with box:
            raise KeyError('swallowed by __exit__ in the twin')
        with self.assertRaises(ValueError):
            with box:
                raise ValueError('not swallowed')
        self.assertEqual(box.entered, 0)


if __name__ == '__main__':
    unittest.main()
