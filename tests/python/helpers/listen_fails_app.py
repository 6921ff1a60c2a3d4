"""The main cannot listen on its socket (a directory is in the way): the uncaught error
names the socket and the reason, without the runtime's frames or its internal OSError"""
import os

from cpy2py import TwinObject
from cpy2py.kernel.kernel import socket_path
from cpy2py.kernel.kernel_state import get_kernel


class Remote(TwinObject):
    __twin_id__ = 'twin'

    def pid(self):
        return os.getpid()


if __name__ == '__main__':
    kernel = get_kernel()
    os.mkdir(socket_path(kernel.run_dir, kernel.twin_id))
    Remote()
