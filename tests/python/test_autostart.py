"""No explicit start needed: twins start on first use, from the main or from another twin"""
from __future__ import print_function

import json
import os
import shutil
import tempfile
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state

import support
from support import TWIN_EXECUTABLE, PEER_EXECUTABLE

LAZY_ID = 'lazy_peer'


class LazyThing(TwinObject):
    __twin_id__ = LAZY_ID

    def where(self):
        return kernel_state.TWIN_ID


def make_lazy_thing():
    """Runs in the twin under test: first use of LAZY_ID happens here"""
    thing = LazyThing()
    return thing.where(), thing


class FirstUseTest(unittest.TestCase):
    def test_id_is_the_executable_name(self):
        """``TwinObject`` with ``__twin_id__ = 'name'``: the twin 'name' starts on first use"""
        twin_id = 'cpy2py-autotwin'
        if support.SUPERVISED:
            env, twins = {}, {twin_id: TWIN_EXECUTABLE}
        else:
            bin_dir = tempfile.mkdtemp(prefix='cpy2py-bin-')
            self.addCleanup(shutil.rmtree, bin_dir, True)
            os.symlink(TWIN_EXECUTABLE, os.path.join(bin_dir, twin_id))
            env, twins = {'PATH': bin_dir + os.pathsep + os.environ.get('PATH', '')}, {}
        env['APP_TWIN_ID'] = twin_id
        code, out, err = support.run_app(['autostart_app.py'], twins=twins, env=env)
        self.assertEqual(code, 0, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
        self.assertEqual(len(lines), 1, out)
        result = json.loads(lines[0][len('RESULT '):])
        twin, pid = result['object']
        self.assertEqual(twin, twin_id)
        self.assertNotEqual(pid, result['main_pid'])
        self.assertEqual(result['execute_pid'], pid)
        self.assertEqual(result['master_id'], twin_id)
        self.assertTrue(result['alive'])

    @support.guarded()
    def test_twin_starts_a_twin_the_main_declared(self):
        """A TwinMaster in the main names the executable; another twin uses the id first"""
        master = TwinMaster(executable=PEER_EXECUTABLE, twinterpreter_id=LAZY_ID)
        self.addCleanup(master.destroy)
        self.assertFalse(master.is_alive)
        twin = support.start_twin()
        where, thing = twin.execute(make_lazy_thing)
        self.assertEqual(where, LAZY_ID)
        self.assertEqual(thing.where(), LAZY_ID)  # the main reaches the object too


if __name__ == '__main__':
    unittest.main()
