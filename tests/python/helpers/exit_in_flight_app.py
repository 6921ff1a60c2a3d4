"""A tiny application for test_shutdown.py: the main ends while daemon threads wait in
long calls into twin 'exittwin' (APP_TWIN). Prints ``TWIN_PID <pid>``, then exits with
APP_EXIT (an exit status, or 'raise' for an uncaught exception)."""
from __future__ import print_function

import os
import sys
import threading
import time

from cpy2py import TwinMaster

if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='exittwin')
    master.start()
    print('TWIN_PID %d' % master.execute(os.getpid))
    sys.stdout.flush()
    for _ in range(4):
        thread = threading.Thread(target=master.execute, args=(time.sleep, 60))
        thread.daemon = True
        thread.start()
    time.sleep(0.5)  # the calls are in the twin now
    how = os.environ.get('APP_EXIT', '0')
    if how == 'raise':
        raise RuntimeError('main ends with calls in flight')
    sys.exit(int(how))
