"""What help(), inspect.signature and CLI builders read from proxy methods: the method's

Before, ``proxy.method.__doc__`` was the runtime's own docstring ("``proxy.name`` for a
method: ..."), ``inspect.signature(proxy.method)`` was ``(*args, **kwargs)`` and
``Cls.method`` on a proxy class had neither doc nor signature.
"""
from __future__ import print_function

import inspect
import unittest

from cpy2py import TwinObject

import support
from support import TWIN_ID


class Job(TwinObject):
    __twin_id__ = TWIN_ID

    def run(self, x, scale=2):
        """Run the job."""
        return x * scale

    @classmethod
    def make(cls, name='a'):
        """Make one."""
        return cls()

    @staticmethod
    def helper(a, b=1):
        """Help."""
        return a + b


class MethodMetaTest(support.TwinTestCase):
    def test_bound_method(self):
        job = Job()
        self.assertEqual(job.run.__doc__, 'Run the job.')
        self.assertEqual(str(inspect.signature(job.run)), '(x, scale=2)')
        self.assertEqual(inspect.getdoc(job.run), 'Run the job.')
        self.assertEqual(job.run(3), 6)

    def test_methods_through_the_class(self):
        self.assertEqual(Job.run.__doc__, 'Run the job.')
        self.assertEqual(str(inspect.signature(Job.run)), '(self, x, scale=2)')
        self.assertEqual(Job.run.__qualname__, 'Job.run')
        self.assertEqual(Job.make.__doc__, 'Make one.')
        self.assertEqual(str(inspect.signature(Job.helper)), '(a, b=1)')
        self.assertEqual(Job.run(Job(), 2), 4)

    def test_class_and_static_methods_on_an_instance(self):
        job = Job()
        self.assertEqual(str(inspect.signature(job.make)), "(name='a')")
        self.assertEqual(str(inspect.signature(job.helper)), '(a, b=1)')
        self.assertEqual(job.helper.__doc__, 'Help.')
        self.assertEqual(job.helper(2, 3), 5)


if __name__ == '__main__':
    unittest.main()
