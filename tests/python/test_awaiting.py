"""``await`` on what async methods of a TwinObject return: the coroutine runs in its twin

An ``async def`` method called through a proxy returns a coroutine, which cannot be
pickled and comes back as a handle. Before, awaiting it failed (``async with proxy``:
"'async with' received an object from __aenter__ that does not implement __await__").
Now it runs to its end on the twin's own event loop while the main's loop goes on, and
cancelling the awaiting task cancels it in the twin.
"""
from __future__ import print_function

import time

import support


class AwaitTest(support.TwinTestCase):
    def setUp(self):
        super(AwaitTest, self).setUp()
        if support.twin_is_py2():
            self.skipTest('Python 2.7 has no coroutines')
        import async_service
        self.service = async_service.Service()

    def run_async(self, coroutine_function):
        import asyncio
        return support.call_with_timeout(
            120, asyncio.run, asyncio.wait_for(coroutine_function(), 100))

    def test_await_a_method(self):
        async def main():
            return await self.service.times_ten(4)
        self.assertEqual(self.run_async(main), 40)

    def test_main_loop_runs_while_the_twin_awaits(self):
        import asyncio
        service = self.service

        async def set_flag():
            await asyncio.sleep(0.05)
            service.flag = True

        async def main():
            return await asyncio.gather(service.wait_for_flag(), set_flag())
        self.assertEqual(self.run_async(main), ['flag seen', None])

    def test_async_with_and_async_for(self):
        service = self.service

        async def main():
            async with service as entered:
                self.assertIs(entered, service)
            return [value async for value in service]
        self.assertEqual(self.run_async(main), [1, 2, 3])
        self.assertEqual(service.log, ['enter', 'exit'])

    def test_async_generator_method(self):
        service = self.service

        async def main():
            return [value async for value in service.countdown(3)]
        self.assertEqual(self.run_async(main), [3, 2, 1])

    def test_exception_keeps_its_type(self):
        async def main():
            await self.service.fail()
        with self.assertRaises(KeyError):
            self.run_async(main)

    def test_cancel_reaches_the_twin(self):
        import asyncio
        service = self.service

        async def main():
            task = asyncio.ensure_future(service.forever())
            while 'started' not in service.log:  # cancel it running, not before it starts
                await asyncio.sleep(0.02)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return 'cancelled'
        self.assertEqual(self.run_async(main), 'cancelled')
        deadline = time.time() + 60
        while 'cancelled' not in service.log and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(service.log, ['started', 'cancelled'])
