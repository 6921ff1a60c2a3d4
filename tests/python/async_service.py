"""A TwinObject with async methods, for test_awaiting (Python 3 only: 2.7 twins never import it)"""
import asyncio

from cpy2py import TwinObject

from support import TWIN_ID


class Service(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self):
        self.log = []
        self.flag = False

    async def __aenter__(self):
        await asyncio.sleep(0.01)
        self.log.append('enter')
        return self

    async def __aexit__(self, *exc_info):
        self.log.append('exit')
        return False

    def __aiter__(self):
        self.count = 0
        return self

    async def __anext__(self):
        await asyncio.sleep(0)
        self.count += 1
        if self.count > 3:
            raise StopAsyncIteration
        return self.count

    async def countdown(self, start):
        # an async generator method: what it returns is a handle, iterated with async for
        while start > 0:
            await asyncio.sleep(0)
            yield start
            start -= 1

    async def times_ten(self, value):
        await asyncio.sleep(0.01)
        return value * 10

    async def wait_for_flag(self):
        # suspends in the twin until the main sets the flag: the main's loop must run meanwhile
        while not self.flag:
            await asyncio.sleep(0.01)
        return 'flag seen'

    async def fail(self):
        await asyncio.sleep(0)
        raise KeyError('inside the twin')

    async def forever(self):
        self.log.append('started')
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.log.append('cancelled')
            raise
