"""The asyncio cases of deadline_app.py (Python 3 only syntax)"""
import asyncio

import deadline_funcs


def case_asyncio(master, report, wait_for_state):
    async def call():
        return await asyncio.wrap_future(master.submit(deadline_funcs.busy, 'asyncio'))

    async def scenario():
        task = asyncio.ensure_future(call())
        while master.execute(deadline_funcs.state, 'asyncio') != 'running':
            await asyncio.sleep(0.02)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return 'cancelled'
        return 'not cancelled'
    report('task', asyncio.run(scenario()))
    report('interrupted', wait_for_state(master, 'asyncio', 'interrupted'))
    report('usable', master.execute(deadline_funcs.echo, 'usable'))


def case_asyncio_interrupt(master, report):
    """Ctrl-C (SIGINT to the main) while an asyncio main awaits a twin call"""
    async def scenario():
        future = asyncio.wrap_future(master.submit(deadline_funcs.busy, 'sigint'))
        while master.execute(deadline_funcs.state, 'sigint') != 'running':
            await asyncio.sleep(0.02)
        report('waiting', True)
        return await future
    try:
        asyncio.run(scenario())
    except KeyboardInterrupt:
        report('keyboard_interrupt', True)
