"""
Import check of ``cpy2py-run --check SCRIPT``: ``<twin interpreter> cpy2py_check.py``

Run by the supervisor with the environment a twin gets (``CPY2PY_TWIN_ID``,
``CPY2PY_MAIN_FILE`` or ``CPY2PY_MAIN_MODULE``, ``PYTHONPATH``, the twin's own variables),
but without a run directory or control channel. It imports the main script (or ``-m``
module) the way a twin does - under another name, so the code under
``if __name__ == '__main__':`` does not run - and ends with one line on stdout:
``CPY2PY-CHECK ok`` or ``CPY2PY-CHECK failed <message, newlines as \\n>``.
Standard library only; valid Python 2.7 and 3.
"""
import os
import sys

VERDICT = 'CPY2PY-CHECK'


def _escape(text):
    return text.replace('\\', '\\\\').replace('\n', '\\n')


def main():
    # not part of a running application: no run directory, no control channel
    for name in ('CPY2PY_RUN_DIR', 'CPY2PY_TOKEN', 'CPY2PY_CONTROL_FD'):
        os.environ.pop(name, None)
    bootstrap = os.path.dirname(os.path.abspath(__file__))
    if bootstrap not in sys.path:
        sys.path.insert(0, bootstrap)
    real_stdout = sys.stdout
    from cpy2py.kernel.main_module import check_main_import
    failure = check_main_import(os.environ.get('CPY2PY_TWIN_ID', '?'))
    if failure is None:
        real_stdout.write('%s ok\n' % VERDICT)
    else:
        real_stdout.write('%s failed %s\n' % (VERDICT, _escape(failure)))
    real_stdout.flush()
    # the script's threads or atexit handlers must not change the verdict
    os._exit(0)


if __name__ == '__main__':
    main()
