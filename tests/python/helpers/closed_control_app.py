"""The child application of test_twin_ids.py: closes every descriptor above 2 (as daemonising
code does) and only then uses twin 'cctwin' (APP_TWIN). Prints RESULT lines: whether a
subprocess started after ``import cpy2py`` sees CPY2PY_CONTROL_FD, and what the first call
raised."""
from __future__ import print_function

import os
import subprocess
import sys

from cpy2py import TwinMaster

if __name__ == '__main__':
    seen = subprocess.check_output([sys.executable, '-c',
                                    'import os; print("CPY2PY_CONTROL_FD" in os.environ)'])
    print('RESULT child-sees-fd ' + seen.decode().strip())
    sys.stdout.flush()
    os.closerange(3, 256)
    try:
        TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='cctwin').execute(os.getpid)
        print('RESULT call ok')
    except Exception as error:
        print('RESULT call %s %s' % (type(error).__name__, error))
