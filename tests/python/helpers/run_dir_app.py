"""The child application of test_privacy.py: starts twin 'rdtwin' (APP_TWIN) and prints
one RESULT line with the run directory, its mode and the sockets in it."""
from __future__ import print_function

import json
import os
import stat

from cpy2py import TwinMaster

if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='rdtwin')
    master.start()
    directory = master.execute(os.getenv, 'CPY2PY_RUN_DIR')
    print('RESULT ' + json.dumps({
        'run_dir': directory, 'mode': stat.S_IMODE(os.stat(directory).st_mode),
        'sockets': sorted(name for name in os.listdir(directory) if name.endswith('.sock'))}))
