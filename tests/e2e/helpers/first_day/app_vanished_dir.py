"""Issue 10, point 2: the class's module sits in a directory only the main has

The directory is removed after the main imported the module, as if it existed only on
the main's machine."""
from __future__ import print_function

import os
import shutil
import sys
import tempfile

from cpy2py import TwinMaster

SOURCE = """from cpy2py import TwinObject


class Far(TwinObject):
    __twin_id__ = 'twin'

    def run(self):
        return 44
"""

if __name__ == '__main__':
    TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    directory = tempfile.mkdtemp(prefix='cpy2py-vanished-')
    with open(os.path.join(directory, 'vanished_mod.py'), 'w') as module_file:
        module_file.write(SOURCE)
    sys.path.insert(0, directory)
    import vanished_mod
    shutil.rmtree(directory)
    print('RESULT', vanished_mod.Far().run())
