"""TwinMaster: one master per id, start/stop/destroy/is_alive, execute, kernel names"""
from __future__ import print_function

import os
import pickle
import sys
import unittest

from cpy2py import TwinMaster, kernel_state
from cpy2py.kernel.exceptions import CPy2PyException, TwinterpreterTerminated

import support
from support import TWIN_ID, TWIN_EXECUTABLE, call_with_timeout, guarded


def add_and_tell(a, b, scale=1):
    """A module function: runs wherever it is sent"""
    return kernel_state.TWIN_ID, (a + b) * scale


class MasterIdentityTest(support.TwinTestCase):
    def test_one_master_per_id(self):
        again = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=TWIN_ID)
        self.assertIs(again, self.twin)
        self.assertIs(TwinMaster(twinterpreter_id=TWIN_ID), self.twin)
        self.assertEqual(self.twin.twinterpreter_id, TWIN_ID)

    def test_id_defaults_to_executable_basename(self):
        master = TwinMaster(TWIN_EXECUTABLE)
        self.assertEqual(master.twinterpreter_id, os.path.basename(TWIN_EXECUTABLE))
        self.assertIs(TwinMaster(executable=TWIN_EXECUTABLE), master)

    def test_needs_executable_or_id(self):
        with self.assertRaises(ValueError):
            TwinMaster()

    def test_original_kernel_names_are_accepted(self):
        for kernel in (None, 'single', 'async', 'multi', 'threaded'):
            master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=TWIN_ID, kernel=kernel)
            self.assertIs(master, self.twin)
            self.assertEqual(master.execute(add_and_tell, 1, 2), (TWIN_ID, 3))

    def test_unknown_kernel_name_is_refused(self):
        with self.assertRaises(ValueError):
            TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id='kernel_test', kernel='bogus')

    def test_executable_resolves_to_a_path(self):
        self.assertTrue(os.path.isabs(self.twin.executable), self.twin.executable)


class ExecuteTest(support.TwinTestCase):
    def test_builtins(self):
        self.assertEqual(self.twin.execute(len, [1, 2, 3]), 3)
        self.assertEqual(self.twin.execute(sorted, [3, 1, 2], reverse=True), [3, 2, 1])
        self.assertEqual(self.twin.execute(max, 4, 9, 2), 9)

    def test_runs_in_another_process(self):
        twin_pid = self.twin.execute(os.getpid)
        self.assertNotEqual(twin_pid, os.getpid())
        self.assertTrue(support.process_alive(twin_pid))

    def test_module_function_with_args_and_kwargs(self):
        self.assertEqual(self.twin.execute(add_and_tell, 2, 3), (TWIN_ID, 5))
        self.assertEqual(self.twin.execute(add_and_tell, 2, b=3, scale=10), (TWIN_ID, 50))

    def test_function_of_another_module(self):
        self.assertEqual(self.twin.execute(support.where)[0], TWIN_ID)
        self.assertEqual(self.twin.execute(os.path.join, 'a', 'b'), os.path.join('a', 'b'))

    def test_lambda_is_not_picklable(self):
        with self.assertRaises((pickle.PicklingError, AttributeError, TypeError)):
            self.twin.execute(lambda: 1)
        # the connection is still usable afterwards
        self.assertEqual(self.twin.execute(len, 'abc'), 3)

    def test_error_in_call_is_raised_here(self):
        with self.assertRaises(ZeroDivisionError):
            self.twin.execute(divmod, 1, 0)
        self.assertEqual(self.twin.execute(divmod, 7, 2), (3, 1))

    def test_native_master_runs_locally(self):
        master = TwinMaster(twinterpreter_id=kernel_state.TWIN_ID)
        self.assertTrue(master.native)
        self.assertFalse(self.twin.native)
        self.assertEqual(master.execute(os.getpid), os.getpid())
        self.assertTrue(master.start())
        self.assertTrue(master.is_alive)


class LifecycleTest(unittest.TestCase):
    """start/stop/destroy on a twin of its own, so the shared 'twin' is not disturbed"""
    ID = 'lifecycle'

    def tearDown(self):
        TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.ID).destroy()

    @guarded()
    def test_start_is_alive_stop(self):
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.ID)
        self.assertTrue(master.start())
        self.assertTrue(master.is_alive)
        self.assertTrue(master.start())  # starting again reuses the running twin
        pid = master.execute(os.getpid)
        self.assertEqual(master.execute(os.getpid), pid)
        self.assertFalse(master.stop())
        self.assertFalse(master.is_alive)
        self.assertTrue(support.wait_until(lambda: not support.process_alive(pid)),
                        'twin process %d still runs after stop()' % pid)
        with self.assertRaises(TwinterpreterTerminated):
            master.execute(os.getpid)

    @guarded()
    def test_restart_after_stop_is_a_new_process(self):
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.ID)
        master.start()
        first = master.execute(os.getpid)
        master.stop()
        self.assertTrue(master.start())
        second = master.execute(os.getpid)
        self.assertNotEqual(first, second)
        self.assertEqual(master.execute(add_and_tell, 1, 1), (self.ID, 2))

    @guarded()
    def test_destroy_forgets_the_master(self):
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.ID)
        master.start()
        pid = master.execute(os.getpid)
        master.destroy()
        self.assertFalse(master.is_alive)
        self.assertTrue(support.wait_until(lambda: not support.process_alive(pid)))
        with self.assertRaises(RuntimeError):
            master.start()
        with self.assertRaises(CPy2PyException):
            master.execute(os.getpid)
        fresh = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.ID)
        self.assertIsNot(fresh, master)
        self.assertTrue(fresh.start())
        self.assertNotEqual(fresh.execute(os.getpid), pid)

    @guarded()
    def test_first_use_starts_the_twin(self):
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.ID)
        # no start(): execute starts it on demand
        self.assertEqual(call_with_timeout(support.HANG_TIMEOUT, master.execute, add_and_tell, 2, 2),
                         (self.ID, 4))
        self.assertTrue(master.is_alive)

    def test_stop_of_a_never_started_twin(self):
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id='never_started')
        try:
            self.assertFalse(master.is_alive)
            self.assertFalse(master.stop())
        finally:
            master.destroy()


if __name__ == '__main__':
    unittest.main()
