"""The child application of test_autostart.py: uses twin APP_TWIN_ID without starting it.

Standalone, the id doubles as the executable name (found on PATH); under cpy2py-run the
twin is declared on the command line. Prints one RESULT line (JSON)."""
from __future__ import print_function

import json
import os

from cpy2py import TwinMaster, TwinObject, kernel_state


class AutoObject(TwinObject):
    __twin_id__ = os.environ['APP_TWIN_ID']

    def where(self):
        return kernel_state.TWIN_ID, os.getpid()


if __name__ == '__main__':
    where = AutoObject().where()  # first use: no TwinMaster, no start()
    master = TwinMaster(os.environ['APP_TWIN_ID'])
    print('RESULT ' + json.dumps({
        'main_pid': os.getpid(), 'object': where, 'execute_pid': master.execute(os.getpid),
        'master_id': master.twinterpreter_id, 'alive': master.is_alive}))
