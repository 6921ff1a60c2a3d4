"""
``await`` on a handle of a coroutine: ``await proxy.async_method()``, ``async with proxy``,
``async for x in proxy``, ``async for x in proxy.async_generator()``

A coroutine cannot be pickled, so an ``async def`` method called through a proxy returns a
handle (:py:class:`~cpy2py.proxy.handle.RemoteObject`). Awaiting it runs the coroutine to
its end in its owner, on that process's own event loop (one thread per process, started
on first use: the coroutine may await ``asyncio.sleep``, locks, other tasks there), while
the caller's event loop goes on: the caller awaits a cancellable future of that call (as
``asyncio.wrap_future(master.submit(...))``), so cancelling the awaiting task interrupts
the call and cancels the coroutine in the owner.
"""
import threading

from cpy2py.kernel import kernel_state
from cpy2py.kernel.kernel_state import get_kernel
from cpy2py.kernel.references import REF_ATTRIBUTE

_loop_lock = threading.Lock()
_loops = []


def _owner_loop():
    """This process's event loop for awaited coroutines, running in a thread of its own"""
    import asyncio
    with _loop_lock:
        if not _loops:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name='cpy2py-asyncio')
            thread.daemon = True
            thread.start()
            _loops.append(loop)
        return _loops[0]


def await_here(awaitable):
    """Runs in the owner of ``awaitable``: its result, once it ran on this process's loop"""
    try:
        import asyncio
        import concurrent.futures
        from inspect import isawaitable
    except ImportError:  # Python 2: nothing there can be awaited
        isawaitable = None
    if isawaitable is None or not isawaitable(awaitable):
        raise TypeError("object %s can't be used in 'await' expression" % type(awaitable).__name__)
    # wait_for(..., None) is a coroutine that awaits any awaitable (a coroutine, or what an
    # async generator's __anext__ returns), which run_coroutine_threadsafe alone refuses
    future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(awaitable, None), _owner_loop())
    try:
        while not future.done():
            # short waits: the interrupt of a cancelled call (CallCancelled) is raised at
            # the next bytecode, and a thread blocked in one long wait in C never gets there
            concurrent.futures.wait((future,), 0.05)
        return future.result()
    except BaseException:
        future.cancel()  # CallCancelled: the caller's task was cancelled (no-op when done)
        raise


def remote_await(handle):
    """``handle.__await__()`` in the caller: an iterator for ``await``, over a cancellable
    future of :py:func:`await_here` run by the handle's owner"""
    import asyncio
    owner = object.__getattribute__(handle, REF_ATTRIBUTE)[0]
    kernel = get_kernel()
    future = kernel_state.run_cancellable(
        lambda: kernel.request(owner, 'call', (await_here, (handle,), {}), ()))
    return asyncio.wrap_future(future).__await__()
