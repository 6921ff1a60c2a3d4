"""copy.copy and copy.deepcopy of proxies: the owner copies the object, as in one process

Before, copying a proxy went through its ``__reduce_ex__`` (a reference) and gave back the
same object: ``b = copy.copy(a); b.name = 'x'`` renamed ``a`` too.
"""
from __future__ import print_function

import copy
import threading

from cpy2py import TwinObject, kernel_state

import support
from support import TWIN_ID


class Record(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, name, items):
        self.name = name
        self.items = items

    def add(self, item):
        self.items.append(item)

    def where(self):
        return kernel_state.TWIN_ID


class Counted(TwinObject):
    """A class that says itself how it is copied"""
    __twin_id__ = TWIN_ID

    def __init__(self):
        self.copies = 0

    def __copy__(self):
        other = Counted()
        other.copies = self.copies + 1
        return other


def holder_with_lock():
    return [threading.Lock(), 'payload']


class CopyTest(support.TwinTestCase):
    def test_copy_is_another_object_in_the_twin(self):
        original = Record('a', [1])
        duplicate = copy.copy(original)
        self.assertIsNot(duplicate, original)
        self.assertIsInstance(duplicate, Record)
        self.assertEqual(duplicate.where(), TWIN_ID)
        self.assertEqual((duplicate.name, duplicate.items), ('a', [1]))
        duplicate.name = 'b'
        self.assertEqual(original.name, 'a')
        # shallow: the list is shared, as in one process
        duplicate.add(2)
        self.assertEqual(original.items, [1, 2])

    def test_deepcopy_copies_what_the_object_holds(self):
        original = Record('a', [1])
        duplicate = copy.deepcopy(original)
        self.assertIsNot(duplicate, original)
        duplicate.add(2)
        self.assertEqual(original.items, [1])
        self.assertEqual(duplicate.items, [1, 2])

    def test_deepcopy_memo_keeps_sharing(self):
        original = Record('a', [])
        first, second = copy.deepcopy([original, original])
        self.assertIs(first, second)
        self.assertIsNot(first, original)

    def test_class_copy_method_is_used(self):
        self.assertEqual(copy.copy(Counted()).copies, 1)

    def test_copy_of_a_remote_handle(self):
        holder = self.twin.execute(holder_with_lock)  # a lock cannot be pickled: a reference
        duplicate = copy.copy(holder)
        self.assertIsNot(duplicate, holder)
        duplicate[1] = 'changed'
        self.assertEqual(holder[1], 'payload')
