"""Issue 10, point 8: bounding and cancelling twin calls (valid Python 2.7 and 3)

    deadline_app.py CASE

Prints ``STEP <name> <json>`` lines with what each step observed, then ``DONE``.
"""
from __future__ import print_function

import json
import os
import sys
import time

import cpy2py
from cpy2py import TwinMaster

import deadline_funcs

PY3 = sys.version_info[0] >= 3


def report(step, value):
    print('STEP %s %s' % (step, json.dumps(value, sort_keys=True)))
    sys.stdout.flush()


def outcome(function, *args):
    """('ok', value) or ('error', class names of the exception's type, message)"""
    try:
        return ['ok', function(*args)]
    except Exception as error:
        names = [klass.__name__ for klass in type(error).__mro__]
        return ['error', names, str(error)]


def wait_for_state(master, key, prefix, patience=60.0):
    end = time.time() + patience
    while time.time() < end:
        value = master.execute(deadline_funcs.state, key)
        if value and value.startswith(prefix):
            return value
        time.sleep(0.02)
    return master.execute(deadline_funcs.state, key)


def bounded(seconds, function, *args):
    with cpy2py.deadline(seconds):
        return function(*args)


def case_execute(master):
    report('timeout', outcome(bounded, 0.5, master.execute, deadline_funcs.busy, 'execute'))
    report('interrupted', wait_for_state(master, 'execute', 'interrupted'))
    report('usable', master.execute(deadline_funcs.echo, 'still usable'))
    report('in_time', outcome(bounded, 60, master.execute, deadline_funcs.echo, 5))


def case_proxy(master):
    worker = deadline_funcs.Worker()
    report('timeout', outcome(bounded, 0.5, worker.busy, 'proxy'))
    report('interrupted', wait_for_state(master, 'proxy', 'interrupted'))
    report('usable', worker.echo('proxy usable'))


def case_nested(master):
    def inner_earlier():
        with cpy2py.deadline(60):
            with cpy2py.deadline(0.5):
                return master.execute(deadline_funcs.busy, 'inner')

    def outer_earlier():
        with cpy2py.deadline(0.5):
            with cpy2py.deadline(60):
                return master.execute(deadline_funcs.busy, 'outer')
    report('inner_earlier', outcome(inner_earlier))
    report('inner_interrupted', wait_for_state(master, 'inner', 'interrupted'))
    report('outer_earlier', outcome(outer_earlier))
    report('outer_interrupted', wait_for_state(master, 'outer', 'interrupted'))

    def after_the_block():
        with cpy2py.deadline(0.5):
            pass
        return master.execute(deadline_funcs.sleep_then, 1.0, 'unbounded again')
    report('after_the_block', outcome(after_the_block))


def case_late_reply(master):
    # blocked in C: the twin cannot interrupt it, its reply comes late and must be dropped
    report('timeout', outcome(bounded, 0.3, master.execute, deadline_funcs.sleep_then, 2.0, 'late'))
    # this call is still waiting when the late reply arrives
    report('next', master.execute(deadline_funcs.sleep_then, 3.0, 'mine'))
    report('usable', master.execute(deadline_funcs.echo, 'usable'))


def case_cancel_running(master):
    future = master.submit(deadline_funcs.busy, 'cancel')
    report('running', wait_for_state(master, 'cancel', 'running'))
    report('cancel', future.cancel())
    report('cancelled', future.cancelled())
    report('result', outcome(future.result, 30))
    report('interrupted', wait_for_state(master, 'cancel', 'interrupted'))
    report('usable', master.execute(deadline_funcs.echo, 'usable'))


def case_cancel_at_once(master):
    future = master.submit(deadline_funcs.busy, 'at_once')
    report('cancel', future.cancel())  # pending or just running: either way it is cancelled
    report('cancelled', future.cancelled())
    report('result', outcome(future.result, 30))
    # None (it never ran) or interrupted; the future does not wait for the twin to stop it
    end = time.time() + 60
    while master.execute(deadline_funcs.state, 'at_once') == 'running' and time.time() < end:
        time.sleep(0.02)
    report('state', master.execute(deadline_funcs.state, 'at_once'))
    report('usable', master.execute(deadline_funcs.echo, 'usable'))


def case_stopped(master):
    """A 64 MiB argument to a twin stopped with SIGSTOP: the deadline bounds the sending too"""
    import signal
    pid = master.execute(os.getpid)
    big = b'x' * (64 << 20)
    os.kill(pid, signal.SIGSTOP)
    try:
        report('timeout', outcome(bounded, 0.5, master.execute, len, big))
        report('not_sent', outcome(bounded, 0.5, master.execute, len, big))
    finally:
        os.kill(pid, signal.SIGCONT)
    report('usable', master.execute(len, big))


def stopped_first():
    """The main's first call to a declared twin that is stopped (SIGSTOP) once it listens: the
    deadline bounds the connection's handshake too"""
    import signal
    import subprocess
    run_dir = os.environ['CPY2PY_RUN_DIR']
    end = time.time() + 60
    while not os.path.exists(os.path.join(run_dir, 'twin.sock')) and time.time() < end:
        time.sleep(0.01)
    pids = subprocess.check_output(['pgrep', '-P', str(os.getppid()), '-f', 'cpy2py_twin.py']).split()
    for pid in pids:
        os.kill(int(pid), signal.SIGSTOP)
    try:
        master = TwinMaster(twinterpreter_id='twin')
        report('timeout', outcome(bounded, 0.5, master.execute, deadline_funcs.echo, 'first'))
    finally:
        for pid in pids:
            os.kill(int(pid), signal.SIGCONT)
    report('usable', master.execute(deadline_funcs.echo, 'usable'))


def case_asyncio(master):
    import deadline_async
    deadline_async.case_asyncio(master, report, wait_for_state)


def case_asyncio_interrupt(master):
    import deadline_async
    deadline_async.case_asyncio_interrupt(master, report)


def main():
    if sys.argv[1] == 'stopped_first':  # before anything connects to the twin
        stopped_first()
        print('DONE')
        return
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    master.start()
    globals()['case_' + sys.argv[1]](master)
    print('DONE')


if __name__ == '__main__':
    main()
