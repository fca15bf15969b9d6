"""sitegen.records.frozen behaves as @dataclass(frozen=True): the same repr (which cache keys
are made of), equality, hash, immutability and dataclass tools."""

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from sitegen.records import frozen


def pair(**options):
    """The same class made by dataclass and by frozen."""
    made = []
    for decorate in (lambda cls: dataclass(cls, frozen=True, **options),
                     lambda cls: frozen(cls, **options)):
        cls = type("Thing", (), {"__module__": __name__, "__qualname__": "Thing",
                                 "__annotations__": {"a": "int", "b": "str", "c": "tuple",
                                                     "hidden": "int"},
                                 "b": "", "c": (), "hidden": field(default=0, compare=False,
                                                                   repr=False)})
        made.append(decorate(cls))
    return made


@pytest.mark.parametrize("options", [{}, {"kw_only": True}])
def test_repr_equality_and_hash_are_dataclasses(options):
    theirs, ours = pair(**options)
    for values in [dict(a=1), dict(a=2, b="x<y", c=(1, ("z",))), dict(a=1, hidden=5)]:
        a, b = theirs(**values), ours(**values)
        assert repr(a) == repr(b)
        assert hash(a) == hash(b)
        assert (a == theirs(**values)) and (b == ours(**values))
        assert b == ours(**{**values, "hidden": 99})  # compare=False, as dataclass has it
        assert b != ours(**{**values, "a": 7}) and a != theirs(**{**values, "a": 7})
        assert b.__eq__(a) is NotImplemented  # another class is never equal


def test_objects_cannot_be_changed_and_dataclass_tools_work():
    _, ours = pair()
    thing = ours(a=1, b="b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        thing.a = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del thing.b
    assert dataclasses.is_dataclass(thing)
    assert dataclasses.replace(thing, a=3) == ours(a=3, b="b")
    assert [f.name for f in dataclasses.fields(thing)] == ["a", "b", "c", "hidden"]
    assert dataclasses.astuple(thing) == (1, "b", (), 0)


def test_own_methods_are_kept_and_eq_false_keeps_identity():
    @frozen
    class Named:
        name: str

        def __repr__(self):
            return f"<{self.name}>"

        def __eq__(self, other):
            return isinstance(other, Named) and self.name.lower() == other.name.lower()

        __hash__ = object.__hash__

    assert repr(Named("A")) == "<A>" and Named("A") == Named("a")
    assert {Named("A"), Named("A")}.__len__() == 2  # its own (identity) hash

    @frozen(eq=False)
    class Token:
        value: int

    one = Token(1)
    assert one != Token(1) and one == one and hash(one) == object.__hash__(one)


def test_a_class_with_its_own_eq_gets_the_fields_hash_as_dataclass_gives():
    @dataclass(frozen=True)
    class Theirs:
        x: int

        def __eq__(self, other):
            return True

    @frozen
    class Ours:
        x: int

        def __eq__(self, other):
            return True

    assert hash(Theirs(4)) == hash(Ours(4))


def test_frozen_objects_pickle():
    thing = Pickled(1, ("a",))
    assert pickle.loads(pickle.dumps(thing)) == thing


@frozen
class Pickled:
    n: int
    items: tuple = ()
