"""frozen: @dataclass(frozen=True), made in a third of the time.

Every build imports about a hundred frozen dataclasses, and the dataclasses module writes
and compiles six methods for each: a tenth of a second of a one-edit rebuild, whose whole
work is a few hundred milliseconds. Here the dataclasses module still makes __init__ and the
methods that keep an object unchangeable; __eq__, __hash__ and __repr__, which behave the
same whatever the fields, are shared functions that read the fields' names from the class.
They return what dataclass's own would (tests/test_records.py compares them).
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter

__all__ = ["frozen"]


def frozen(cls=None, /, **options):
    """As @dataclass(frozen=True, **options); eq=False and order=True as dataclass has them."""
    def wrap(cls):
        eq = options.pop("eq", True)
        if options.get("order"):  # ordering methods compare tuples of fields: leave it all
            return dataclasses.dataclass(cls, frozen=True, eq=eq, **options)
        own = cls.__dict__
        explicit_hash = not ("__hash__" not in own or (own["__hash__"] is None and "__eq__" in own))
        wants_repr = "__repr__" not in own
        wants_eq = eq and "__eq__" not in own
        cls = dataclasses.dataclass(cls, frozen=True, eq=False, repr=False, **options)
        fields = dataclasses.fields(cls)
        if wants_repr:
            cls.__repr__ = _repr
            cls._frozen_repr = tuple(f.name for f in fields if f.repr)
        if wants_eq:
            cls.__eq__ = _eq
            cls._frozen_eq = staticmethod(_values([f.name for f in fields if f.compare]))
        if eq and not explicit_hash:
            cls.__hash__ = _hash
            cls._frozen_hash = staticmethod(_values([f.name for f in fields
                                                     if (f.compare if f.hash is None else f.hash)]))
        return cls

    return wrap if cls is None else wrap(cls)


def _values(names: list[str]):
    """The fields' values as a tuple, as dataclass's methods compare and hash them."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return attrgetter(*names)


def _repr(self) -> str:
    return (f"{self.__class__.__qualname__}("
            + ", ".join(f"{name}={getattr(self, name)!r}" for name in self._frozen_repr) + ")")


def _eq(self, other):
    if other.__class__ is self.__class__:
        values = self._frozen_eq
        return values(self) == values(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self._frozen_hash(self))
