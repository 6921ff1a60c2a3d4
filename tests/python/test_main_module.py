"""The main module in twins: its classes and functions resolve there, its __main__ block does not run"""
from __future__ import print_function

import json
import os
import shutil
import tempfile
import unittest

from cpy2py import kernel_state

import support
from support import TWIN_ID, TWIN_EXECUTABLE


def defined_in_test_module(value):
    return kernel_state.TWIN_ID, value, __name__


class SuiteModuleTest(support.TwinTestCase):
    """The suites themselves run as ``-m unittest``: their modules resolve by name"""

    def test_function_of_this_module(self):
        self.assertEqual(self.twin.execute(defined_in_test_module, 1), (TWIN_ID, 1, __name__))


class MainScriptTest(unittest.TestCase):
    """A separate application (helpers/main_app.py), run like the suite itself"""

    def setUp(self):
        self.markers = tempfile.mkdtemp(prefix='cpy2py-markers-')
        self.addCleanup(shutil.rmtree, self.markers, True)

    def run_main_app(self, main_args):
        code, out, err = support.run_app(
            main_args, twins={'apptwin': TWIN_EXECUTABLE},
            env={'APP_TWIN': TWIN_EXECUTABLE, 'APP_MARKERS': self.markers})
        self.assertEqual(code, 0, 'exit status %s\nstdout:\n%s\nstderr:\n%s' % (code, out, err))
        lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
        self.assertEqual(len(lines), 1, 'stdout:\n%s\nstderr:\n%s' % (out, err))
        return json.loads(lines[0][len('RESULT '):]), err

    def marker_pids(self, kind):
        return sorted(int(name.split('.')[1]) for name in os.listdir(self.markers)
                      if name.startswith(kind + '.'))

    def assertResolvedInTwin(self, result, err):
        self.assertNotIn('error', result, err)
        twin_id, doubled, module_name = result['function']
        self.assertEqual((twin_id, doubled), ('apptwin', 42))
        self.assertNotEqual(module_name, '__main__')
        twin_id, pid, _ = result['object']
        self.assertEqual((twin_id, pid), ('apptwin', result['twin_pid']))
        self.assertNotEqual(result['twin_pid'], result['main_pid'])

    def test_script_classes_and_functions_resolve_in_the_twin(self):
        result, err = self.run_main_app(['main_app.py', 'default'])
        self.assertResolvedInTwin(result, err)
        # the twin executed the script's body, but not its __main__ block
        self.assertEqual(self.marker_pids('import'), sorted([result['main_pid'], result['twin_pid']]))
        self.assertEqual(self.marker_pids('main-block'), [result['main_pid']])

    def test_dash_m_module_resolves_in_the_twin(self):
        result, err = self.run_main_app(['-m', 'main_app', 'default'])
        self.assertResolvedInTwin(result, err)
        self.assertEqual(self.marker_pids('main-block'), [result['main_pid']])
        self.assertIn(result['twin_pid'], self.marker_pids('import'))

    def test_run_main_runs_the_block_in_the_twin(self):
        if support.SUPERVISED:
            self.skipTest('run_main is a TwinMaster option of standalone masters')
        result, err = self.run_main_app(['main_app.py', 'run_main'])
        self.assertNotIn('error', result, err)
        self.assertEqual(result['function'][2], '__main__')
        self.assertEqual(self.marker_pids('main-block'), sorted([result['main_pid'], result['twin_pid']]))

    def test_restore_argv(self):
        if support.SUPERVISED:
            self.skipTest('restore_argv is a TwinMaster option of standalone masters')
        result, err = self.run_main_app(['main_app.py', 'restore_argv', 'one', 'two words'])
        self.assertNotIn('error', result, err)
        self.assertEqual(result['argv'], ['restore_argv', 'one', 'two words'])

    def test_main_module_none_does_not_load_the_script(self):
        if support.SUPERVISED:
            self.skipTest('main_module is a TwinMaster option of standalone masters')
        result, err = self.run_main_app(['main_app.py', 'no_main'])
        self.assertIn('error', result)
        self.assertEqual(self.marker_pids('import'), [result['main_pid']])


if __name__ == '__main__':
    unittest.main()
