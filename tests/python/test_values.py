"""Values cross with their types: containers, numbers, text rules between Python 2 and 3, proxies"""
from __future__ import print_function

import sys
import unittest

from cpy2py import TwinObject, kernel_state

import support
from support import TWIN_ID, PEER_ID


def identity(value):
    return value


def type_name(value):
    """The type of ``value`` as the receiving interpreter sees it"""
    return type(value).__name__


def type_names(values):
    return [type(value).__name__ for value in values]


def native_ascii_str():
    """In Python 2: a byte string (str) holding only ASCII"""
    return str('plain ascii')


def native_non_ascii_str():
    """In Python 2: a byte string (str) that is not ASCII (UTF-8 of 'cafe' with an accent)"""
    return b'caf\xc3\xa9'


def native_unicode():
    return u'caf\xe9'


def big_payload(size):
    return bytes(bytearray(range(256))) * (size // 256)


def payload_length(value):
    return type(value).__name__, len(value)


class Holder(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, content=None):
        self.content = content

    def get(self):
        return self.content

    def put(self, content):
        self.content = content
        return content

    def content_is(self, other):
        return self.content is other


class PeerHolder(TwinObject):
    __twin_id__ = PEER_ID

    def __init__(self, content=None):
        self.content = content

    def get(self):
        return self.content


class NativeThing(TwinObject):
    """Lives in the main"""

    def where(self):
        return kernel_state.TWIN_ID


def open_devnull():
    return open(__import__('os').devnull)


def read_from(handle):
    return handle.read()


def io_open_this_file(mode):
    """A file of the io module (Python 2: not the built-in file type)"""
    import io
    return io.open(__file__.replace('.pyc', '.py'), mode)


class UnpicklableResultTest(support.TwinTestCase):
    def test_a_file_comes_back_as_a_reference(self):
        """Python 2's protocol 2 once "pickled" a file into something Python 3 cannot load
        (UndecodableValue): it crosses as a reference from every twin"""
        handle = self.twin.execute(open_devnull)
        self.assertEqual(type(handle).__name__, 'RemoteObject')
        self.assertEqual(self.twin.execute(read_from, handle), '')

    def test_io_module_files_come_back_as_references(self):
        """Python 2 "pickled" io.open's files as empty objects: iterating one here raised
        "I/O operation on uninitialized object"; now they cross as references"""
        for mode in ('r', 'rb'):
            handle = self.twin.execute(io_open_this_file, mode)
            self.assertEqual(type(handle).__name__, 'RemoteObject', mode)
            first = next(iter(handle))
            self.assertIn('Values cross with their types', first if isinstance(first, str) else first.decode())
            handle.close()


class RoundTripTest(support.TwinTestCase):
    def assertRoundTrip(self, value):
        result = self.twin.execute(identity, value)
        self.assertEqual(result, value)
        self.assertIs(type(result), type(value), 'type of %r changed to %r' % (value, type(result)))
        return result

    def test_singletons_and_numbers(self):
        for value in (None, True, False, 0, 1, -17, 2 ** 70, -(2 ** 65), 1.5, -0.0, 1e300, 3 + 4j):
            self.assertRoundTrip(value)
        self.assertIs(self.twin.execute(identity, None), None)
        self.assertIs(self.twin.execute(identity, True), True)
        self.assertEqual(self.twin.execute(identity, float('inf')), float('inf'))
        nan = self.twin.execute(identity, float('nan'))
        self.assertNotEqual(nan, nan)

    def test_containers(self):
        for value in ([], [1, [2, [3]]], (), (1, (2, 'three')), {}, {'a': [1, 2], 'b': {'c': None}},
                      {1: 'one', (2, 3): 'tuple key'}, set(), set([1, 2, 3]), frozenset([4, 5]),
                      [set([1]), {'k': (frozenset(),)}]):
            self.assertRoundTrip(value)

    def test_text_and_bytes_keep_their_types_between_python3_interpreters(self):
        self.require_py3_twin('Python 2 twins apply the text rules (see TextRulesTest)')
        for value in ('text', u'caf\xe9 \u2603', b'bytes', b'\x00\xff', bytearray(b'ba')):
            self.assertRoundTrip(value)

    def test_text_in_python3_twins(self):
        self.require_py3_twin('Python 2 twins apply the text rules (see TextRulesTest)')
        self.assertEqual(self.twin.execute(type_names, ['a', b'b']), ['str', 'bytes'])

    def test_large_bytes(self):
        size = 1024 * 1024
        data = bytes(bytearray(range(256))) * (size // 256)
        expected_type = 'str' if support.twin_is_py2() else 'bytes'
        self.assertEqual(self.twin.execute(payload_length, data), (expected_type, size))
        returned = self.twin.execute(big_payload, size)
        self.assertIs(type(returned), bytes)  # not ASCII: bytes even from Python 2
        self.assertEqual(returned, data)
        self.assertEqual(self.twin.execute(payload_length, bytearray(data)), ('bytearray', size))

    def test_nested_values_through_a_twin_object(self):
        holder = Holder({'list': [1, 2], 'set': set(['x'])})
        self.assertEqual(holder.get(), {'list': [1, 2], 'set': set(['x'])})
        self.assertEqual(holder.put((None, 1.25, [True])), (None, 1.25, [True]))


class ProxyValuesTest(support.TwinTestCase):
    def test_proxy_round_trips_as_the_same_proxy(self):
        holder = Holder()
        result = self.twin.execute(identity, holder)
        self.assertIs(result, holder)

    def test_nested_proxies_round_trip(self):
        first, second = Holder(1), Holder(2)
        value = [first, {'second': second, 'both': (first, second)}, set([3])]
        result = self.twin.execute(identity, value)
        self.assertIs(result[0], first)
        self.assertIs(result[1]['second'], second)
        self.assertIs(result[1]['both'][0], first)
        self.assertEqual(result[2], set([3]))

    def test_proxy_arrives_in_its_twin_as_the_real_object(self):
        holder, inner = Holder(), Holder(5)
        holder.put(inner)
        self.assertTrue(holder.content_is(inner))
        self.assertIs(holder.get(), inner)
        self.assertEqual(holder.get().get(), 5)

    def test_main_object_round_trips_as_itself(self):
        thing = NativeThing()
        self.assertIs(self.twin.execute(identity, thing), thing)
        holder = Holder(thing)
        self.assertIs(holder.get(), thing)
        self.assertEqual(holder.get().where(), kernel_state.MASTER_ID)

    @support.guarded()
    def test_proxy_of_a_third_twin(self):
        peer_holder = PeerHolder('in peer')
        holder = Holder(peer_holder)
        self.assertIs(holder.get(), peer_holder)
        self.assertEqual(holder.get().get(), 'in peer')
        # the same object reaches the twin again through the peer
        self.assertIs(self.peer.execute(identity, holder), holder)


class TextRulesTest(support.TwinTestCase):
    """py3 str -> py2 unicode; py3 bytes -> py2 str; py2 str -> py3 str if ASCII, else bytes"""

    def setUp(self):
        support.TwinTestCase.setUp(self)
        self.require_py2_twin('the text rules apply between Python 2 and Python 3')

    def test_py3_str_is_py2_unicode(self):
        self.assertEqual(self.twin.execute(type_name, 'text'), 'unicode')
        self.assertEqual(self.twin.execute(type_name, u'caf\xe9'), 'unicode')

    def test_py3_bytes_is_py2_str(self):
        self.assertEqual(self.twin.execute(type_name, b'bytes'), 'str')
        self.assertEqual(self.twin.execute(type_name, b'\xff\x00'), 'str')

    def test_ascii_py2_str_is_py3_str(self):
        value = self.twin.execute(native_ascii_str)
        self.assertIs(type(value), str)
        self.assertEqual(value, 'plain ascii')

    def test_non_ascii_py2_str_is_py3_bytes(self):
        value = self.twin.execute(native_non_ascii_str)
        self.assertIs(type(value), bytes)
        self.assertEqual(value, b'caf\xc3\xa9')

    def test_py2_unicode_is_py3_str(self):
        value = self.twin.execute(native_unicode)
        self.assertIs(type(value), str)
        self.assertEqual(value, u'caf\xe9')

    def test_round_trips(self):
        self.assertEqual(self.twin.execute(identity, u'caf\xe9'), u'caf\xe9')
        self.assertIs(type(self.twin.execute(identity, u'caf\xe9')), str)
        self.assertEqual(self.twin.execute(identity, b'\xff\x00'), b'\xff\x00')
        # ASCII bytes come back as py2 str, which is ASCII: a py3 str
        self.assertEqual(self.twin.execute(identity, b'abc'), 'abc')

    def test_ints_and_longs(self):
        self.assertEqual(self.twin.execute(type_name, 1), 'int')
        self.assertEqual(self.twin.execute(type_name, 2 ** 70), 'long')
        self.assertIs(type(self.twin.execute(identity, 2 ** 70)), int)


if __name__ == '__main__':
    unittest.main()
