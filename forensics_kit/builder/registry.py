"""One small contract for every extension point of the builder: registration on subclassing.

Parameter types, content generators, evidence types and traffic session types
each have an abstract base deriving from :class:`Registered`; a subclass that
sets ``name`` is registered under it, so adding a kind is writing one class.
"""

from __future__ import annotations

from typing import ClassVar


class UnknownKindError(LookupError):
    """A recipe names a kind (type, generator) that no class registered."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = known
        super().__init__(f"unknown {kind} {name!r} (known: {', '.join(known)})")


class Registered:
    """Base of a registry: each direct family base declares its own ``registry`` dict.

    Attributes:
        kind: what the family is called in error messages ("parameter type").
        name: the name recipes use for this class; unset on abstract bases.
    """

    kind: ClassVar[str] = "kind"
    name: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[Registered]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "registry" in cls.__dict__:
            return  # a family base: starts its own registry
        if cls.__dict__.get("name"):
            cls.registry[cls.name] = cls

    @classmethod
    def lookup(cls, name: str) -> type:
        """Return the class registered as ``name`` or raise :class:`UnknownKindError`."""
        try:
            return cls.registry[name]
        except KeyError:
            raise UnknownKindError(cls.kind, name, sorted(cls.registry)) from None

    @classmethod
    def names(cls) -> list[str]:
        """Names of every registered class, sorted."""
        return sorted(cls.registry)
