"""
The application timed by startup.py: one call to each of two twins, then exit

    cpy2py-run --twin a=python3 --twin b=pypy3 startup_app.py

Prints one line of JSON: seconds since $BENCH_T0 (the wall clock just before cpy2py-run
was started) at which the main script began, and at which each call returned.
"""
import json
import os
import sys
import time

T_MAIN = time.time()

from cpy2py import TwinMaster  # noqa: E402

t0 = float(os.environ.get('BENCH_T0', T_MAIN))
marks = {'main': T_MAIN - t0}
for twin_id in sys.argv[1:] or ['a', 'b']:
    TwinMaster(twin_id).execute(time.time)
    marks[twin_id] = time.time() - t0
sys.stdout.write(json.dumps(marks) + '\n')
