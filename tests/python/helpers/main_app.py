"""The child application of test_main_module.py (valid Python 2.7 and 3)

    main_app.py MODE [ARGS...]      or      python -m main_app MODE [ARGS...]

MODE picks the TwinMaster keywords: default, run_main, restore_argv, no_main. Every
execution of this module's body leaves a marker file ``import.<pid>`` in APP_MARKERS, the
``if __name__ == '__main__'`` block one named ``main-block.<pid>``. The main prints one
RESULT line (JSON) with what the twin 'apptwin' (APP_TWIN) saw.
"""
from __future__ import print_function

import json
import os
import sys

from cpy2py import TwinMaster, TwinObject, kernel_state


def _touch(kind):
    directory = os.environ.get('APP_MARKERS')
    if directory:
        open(os.path.join(directory, '%s.%d' % (kind, os.getpid())), 'w').close()


class AppObject(TwinObject):
    __twin_id__ = 'apptwin'

    def where(self):
        return kernel_state.TWIN_ID, os.getpid(), __name__


def app_function(value):
    return kernel_state.TWIN_ID, value * 2, __name__


def twin_argv():
    return sys.argv[1:]


_touch('import')

if __name__ == '__main__':
    _touch('main-block')
    if kernel_state.is_master():
        mode = sys.argv[1]
        keywords = {'run_main': {'run_main': True}, 'restore_argv': {'restore_argv': True},
                    'no_main': {'main_module': None}}.get(mode, {})
        master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='apptwin', **keywords)
        master.start()
        result = {'main_pid': os.getpid(), 'twin_pid': master.execute(os.getpid)}
        try:
            result['function'] = master.execute(app_function, 21)
            result['object'] = AppObject().where()
            result['argv'] = master.execute(twin_argv)
        except Exception as error:
            result['error'] = '%s: %s' % (type(error).__name__, error)
        print('RESULT ' + json.dumps(result))
        sys.stdout.flush()
