"""Issue 10, point 6: memoryview values of any size, at any depth, both ways

Prints ``RESULT <json>``: for each sample, whether the twin saw what the main sent and the
main what the twin sent (each side describes what it received), plus any error."""
from __future__ import print_function

import json
import os
import sys

from cpy2py import TwinMaster

import values_funcs


def main():
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    report = {}
    for name, value in sorted(values_funcs.samples().items()):
        expected = values_funcs.describe(value)
        entry = report[name] = {}
        try:
            entry['to_twin'] = master.execute(values_funcs.describe, value) == expected
        except Exception as error:
            entry['to_twin'] = '%s: %s' % (type(error).__name__, error)
        try:
            entry['from_twin'] = values_funcs.describe(master.execute(values_funcs.sample, name)) == expected
        except Exception as error:
            entry['from_twin'] = '%s: %s' % (type(error).__name__, error)
    store = values_funcs.Store()
    for name in ('small', 'large', 'in_dict'):
        value = values_funcs.sample(name)
        entry = report['attribute_' + name] = {}
        try:
            store.payload = value
            entry['to_twin'] = store.describe_payload() == values_funcs.describe(value)
            entry['from_twin'] = values_funcs.describe(store.payload) == values_funcs.describe(value)
        except Exception as error:
            entry['error'] = '%s: %s' % (type(error).__name__, error)
    print('RESULT ' + json.dumps(report, sort_keys=True))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
