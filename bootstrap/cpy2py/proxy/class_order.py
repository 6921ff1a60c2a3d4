"""
Where proxy classes stand in method resolution orders

A method of a TwinObject class names its class: ``super(Base, self)``, ``Base.method(self)``,
or the ``__class__`` cell of the zero-argument ``super()``. In a twin where ``Base`` is
foreign, that name is the proxy class of ``Base``. Yet a subclass that lives in this twin
(``__twin_id__`` of its own) is a real class deriving from the *real* ``Base``, and
inherits those methods: they run here on real objects. ``super(P, obj)`` accepts only a
``P`` in ``type(obj).__mro__`` and continues after it, and ``P`` was not there: every such
call failed ("obj must be an instance or subtype of type").

So the proxy class P of a foreign class R stands in the method resolution order of the
real classes made here, right after R (:py:func:`arrange`, called by ``TwinMeta.mro``):
``super(P, obj)`` then goes on where ``super(R, obj)`` would. P must change nothing else
there, so a proxy class is two classes:

* the *face* P, the class the name is bound to, holds class metadata (``__module__``,
  ``__doc__``, ``__twin_id__``, ``__dict__``, ...: names that every real class holds
  itself, or that only the proxy machinery reads) and remote stand-ins for the names R
  holds itself (as R does: class decorators look in ``cls.__dict__``). Right after R, R
  hides all of them;
* its *members* class, a plain class that P derives from, holds what P's instances find:
  remote stand-ins for everything R resolves to (mixins that are no TwinObjects included),
  the proxy's own ``__getattr__``, ``__setattr__``, ... and what class decorators set on P
  (which R here, undecorated, does not hide). It stands in no real class's order.

In the order of a proxy class, a face moves ahead of the members classes that C3 puts
before it, never ahead of another class: ``__mro__`` starts with the classes of the real
hierarchy, as the real class's does. A name still resolves to a stand-in of the same kind
as on the real class: up to the first mixin, the real order has the same classes, and a
face holds just the names of its real class. (What a class decorator sets on a derived
proxy class can be hidden by a base's own stand-in of the same name: both call the twin's
method of that name.)

Only classes that are foreign here get their face in: a class native here is bound to its
real class, which is in the order already.
"""
from cpy2py.kernel import kernel_state

#: key of a face's members class in the face's ``__dict__`` (set when it is created, so
#: ``mro()`` recognises a face before the class exists)
MEMBERS = '__cpy2py_members__'
#: key that marks a members class
HOLDER = '__cpy2py_holder__'


def is_face(klass):
    return MEMBERS in getattr(klass, '__dict__', ())


def _is_holder(klass):
    return HOLDER in getattr(klass, '__dict__', ())


def _face_here(klass):
    """The face that names the real class ``klass`` in this twin, or None (native here)"""
    namespace = getattr(klass, '__dict__', {})
    face = namespace.get('__cpy2py_proxy__')
    if face is None or namespace.get('__twin_id__') == kernel_state.TWIN_ID:
        return None
    return face


def arrange(order):
    """The method resolution order of a TwinObject class from its usual one, ``order``"""
    arranged = []
    if is_face(order[0]):
        for klass in order:
            position = len(arranged)
            if is_face(klass):
                while position and _is_holder(arranged[position - 1]):
                    position -= 1
            arranged.insert(position, klass)
        return arranged
    for klass in order:
        arranged.append(klass)
        face = _face_here(klass)
        if face is not None and face not in order:
            arranged.append(face)
    return arranged


__all__ = ['MEMBERS', 'HOLDER', 'is_face', 'arrange']
