"""vars(proxy) and proxy.__dict__ are the object's attributes, read from its twin

Before, they were the proxy's own dict: ``{'__cpy2py_ref__': ('twin', '...', 1)}``.
"""
from __future__ import print_function

import unittest

from cpy2py import TwinObject, kernel_state

import support
from support import TWIN_ID


class Settings(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)

    def names(self):
        return sorted(vars(self))


class Slotted(TwinObject):
    __twin_id__ = TWIN_ID
    __slots__ = ('a',)


class LocalSettings(Settings):
    """Lives here, although its base lives in the twin: its instances are real here"""
    __twin_id__ = kernel_state.MASTER_ID


class VarsTest(support.TwinTestCase):
    def test_vars_of_a_proxy(self):
        settings = Settings(host='db', port=5432)
        self.assertEqual(vars(settings), {'host': 'db', 'port': 5432})
        self.assertEqual(settings.__dict__, {'host': 'db', 'port': 5432})

    def test_assigning_the_dict(self):
        settings = Settings(host='db')
        settings.__dict__ = {'user': 'me'}
        self.assertEqual(settings.names(), ['user'])

    def test_slot_values_are_not_in_vars(self):
        slotted = Slotted()
        slotted.a = 1
        self.assertEqual(vars(slotted), {})  # TwinObject instances have a dict, as in Python

    def test_local_subclass_keeps_its_own_dict(self):
        local = LocalSettings(host='db')
        self.assertEqual(vars(local), {'host': 'db'})
        vars(local)['port'] = 1  # the live dict, as in one process
        self.assertEqual(local.port, 1)


if __name__ == '__main__':
    unittest.main()
