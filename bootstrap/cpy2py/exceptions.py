"""
Every exception of the cpy2py runtime, in one module

The original library's module names for them (``cpy2py.kernel.exceptions``,
``cpy2py.kernel.kernel_exceptions``, ``cpy2py.twinterpreter.exceptions``,
``cpy2py.twinterpreter.twin_exceptions``, ``cpy2py.utility.exceptions``,
``cpy2py.ipyc.ipyc_exceptions``) name this module (see :py:mod:`cpy2py.aliases`).
Processes of one run share this bootstrap, so the classes pickle by this module's path.
"""
import pickle as _pickle


class CPy2PyException(Exception):
    """Base of every exception cpy2py raises itself"""


class TwinterpreterException(CPy2PyException):
    """A problem with a twinterpreter"""


class TwinterpreterUnavailable(TwinterpreterException, RuntimeError):
    """A twinterpreter cannot be reached or started"""

    def __init__(self, twin_id, reason=None):
        if reason is None:
            message = "Twinterpeter '%s' not available" % (twin_id,)
        else:
            message = "twin %r is unavailable: %s" % (twin_id, reason)
        TwinterpreterException.__init__(self, message)
        self.twin_id = twin_id
        self.reason = reason

    def __reduce__(self):
        return (self.__class__, (self.twin_id, self.reason))


class TwinterpreterTerminated(TwinterpreterUnavailable):
    """A twinterpreter has stopped or died; calls into it cannot complete"""

    def __init__(self, twin_id, reason='it is not running'):
        TwinterpreterException.__init__(self, "twin %r terminated: %s" % (twin_id, reason))
        self.twin_id = twin_id
        self.reason = reason

    def __reduce__(self):
        return (self.__class__, (self.twin_id, self.reason))


class StaleProxy(TwinterpreterTerminated):
    """A proxy refers to an object of a twinterpreter process that no longer exists"""


class StopTwinterpreter(CPy2PyException):
    """Raised inside a twinterpreter to shut it down cleanly"""

    def __init__(self, message='Twinterpreter Shutdown', exit_code=1):
        CPy2PyException.__init__(self, message)
        self.exit_code = exit_code


class ControlChannelLost(CPy2PyException, RuntimeError):
    """This process was started by cpy2py-run, but the descriptor of its control channel was
    closed (by the program) before the runtime took it"""


class RemoteException(CPy2PyException):
    """
    An exception raised in another twinterpreter whose type cannot be used here

    :ivar remote_type: dotted name of the original exception type
    :ivar remote_traceback: the traceback text as printed in the twin
    """

    def __init__(self, remote_type, message, remote_traceback=''):
        CPy2PyException.__init__(self, '%s: %s' % (remote_type, message))
        self.remote_type = remote_type
        self.remote_message = message
        self.remote_traceback = remote_traceback

    def __reduce__(self):
        return (self.__class__, (self.remote_type, self.remote_message, self.remote_traceback))


class RemoteTraceback(Exception):
    """Carries the remote traceback as the ``__cause__`` of a re-raised exception"""

    def __init__(self, text):
        Exception.__init__(self, text)
        self.text = text

    def __str__(self):
        return self.text


class AuthenticationError(CPy2PyException):
    """A peer failed to prove the run's secret"""


class TwinterpreterProcessError(TwinterpreterException):
    """The process of a twinterpreter failed, e.g. it exited right after being started"""


class RemoteCpy2PyNotFound(ImportError, CPy2PyException):
    """The interpreter of a twin cannot import cpy2py"""

    def __init__(self, interpreter):
        ImportError.__init__(self, 'cpy2py cannot be imported by interpreter %r' % (interpreter,))
        self.name = 'cpy2py'
        self.interpreter = interpreter

    def __reduce__(self):
        return (self.__class__, (self.interpreter,))


class IPyCTerminated(CPy2PyException):
    """The communication channel to a twinterpreter was closed (a name of the original library)"""


# the spelling of the original library (without the second "r"): the same classes
TwinterpeterException = TwinterpreterException
TwinterpeterUnavailable = TwinterpreterUnavailable
TwinterpeterTerminated = TwinterpreterTerminated


class UndecodableValue(CPy2PyException):
    """A value another twin sent cannot be decoded here; the message says which and why"""


class UnpicklableCall(CPy2PyException, _pickle.PicklingError):
    """A call cannot be sent: what ``execute()`` was given to run cannot be pickled (it must
    be importable in the twin), or an argument's pickling failed in a way no reference helps;
    the message says which and what helps"""


class TwinImportError(ImportError):
    """
    A twin cannot import the module of a class or function it was sent

    The message names the twin, the module, the file and line, the original exception and
    what helps; it says everything, so no remote traceback is attached.
    """
    __cpy2py_quiet__ = True


try:
    _TimeoutBase = TimeoutError
except NameError:  # Python 2: TimeoutError is an OSError on Python 3
    _TimeoutBase = OSError


class CallTimeout(CPy2PyException, _TimeoutBase):
    """A call did not finish within the deadline of ``cpy2py.deadline()``; the twin was asked to
    interrupt it (a ``TimeoutError`` on Python 3, an ``OSError`` on Python 2)"""

    def __init__(self, message):
        _TimeoutBase.__init__(self, message)

    def __str__(self):
        return str(self.args[0]) if self.args else ''

    def __reduce__(self):
        return (self.__class__, (str(self),))


class CallCancelled(BaseException):
    """
    A call was cancelled: raised in the twin's thread that runs it (an asynchronous
    exception, like KeyboardInterrupt, so ``except Exception`` does not swallow it) and in
    the caller's thread whose call was cancelled (``Future.cancel()``)
    """
