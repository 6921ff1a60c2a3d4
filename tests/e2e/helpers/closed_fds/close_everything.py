"""A main that closes every descriptor above 2 after its first twin call"""
import os

from cpy2py import TwinObject


class Echo(TwinObject):
    __twin_id__ = 'tw'

    def echo(self, value):
        return value


if __name__ == '__main__':
    echo = Echo()
    print('FIRST %s' % echo.echo(1))
    os.closerange(3, 65536)
    for label, call in (('EXISTING', lambda: echo.echo(2)), ('NEW', lambda: Echo().echo(3))):
        try:
            call()
        except Exception as err:
            print('%s %s: %s' % (label, type(err).__name__, err))
