"""Domain events: frozen pydantic payloads with a version, a registry, and upcasters.

A breaking change to an event adds a new `schema_version` and registers an upcaster from the old
one; stored events are never rewritten, they are upcast when read (DESIGN.md §3).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer

JsonDict = dict[str, Any]
Upcaster = Callable[[JsonDict], JsonDict]


def _exact_pounds(value: Decimal) -> Decimal:
    """Money is pounds to the penny: refuse fractions of a penny instead of rounding them away."""
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} is not a whole number of pence")
    return value.quantize(Decimal("0.01"))


# Serialised as a string so no JSON consumer ever turns money into a float.
Money = Annotated[Decimal, AfterValidator(_exact_pounds), PlainSerializer(str, return_type=str)]


class UnknownEventError(LookupError):
    """An event type or version this code has never heard of."""


class DomainEvent(BaseModel):
    """Base of every event payload; subclasses set `event_type` and `schema_version`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    producer: ClassVar[str]  # the service whose store and topic the event belongs to


_LATEST: dict[str, type[DomainEvent]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}

E = TypeVar("E", bound=type[DomainEvent])


def event(producer: str) -> Callable[[E], E]:
    """Register an event class as the latest version of its type, owned by `producer`."""

    def register(cls: E) -> E:
        cls.event_type = cls.__name__
        cls.producer = producer
        existing = _LATEST.get(cls.event_type)
        if existing is not None and existing is not cls:
            raise ValueError(f"event type {cls.event_type} is registered twice")
        _LATEST[cls.event_type] = cls
        return cls

    return register


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function turning a stored `from_version` payload into `from_version + 1`."""

    def register(function: Upcaster) -> Upcaster:
        _UPCASTERS[(event_type, from_version)] = function
        return function

    return register


def event_class(event_type: str) -> type[DomainEvent]:
    """The latest class registered for an event type."""
    try:
        return _LATEST[event_type]
    except KeyError:
        raise UnknownEventError(f"unknown event type {event_type!r}") from None


def load_event(event_type: str, schema_version: int, payload: JsonDict) -> DomainEvent:
    """Upcast a stored payload step by step to the latest version and validate it."""
    cls = event_class(event_type)
    if schema_version > cls.schema_version:
        raise UnknownEventError(
            f"{event_type} v{schema_version} is newer than this code (v{cls.schema_version})"
        )
    for version in range(schema_version, cls.schema_version):
        step = _UPCASTERS.get((event_type, version))
        if step is None:
            raise UnknownEventError(f"no upcaster for {event_type} v{version} -> v{version + 1}")
        payload = step(payload)
    return cls.model_validate(payload)


def registered_events() -> dict[str, type[DomainEvent]]:
    """Every event type this code knows, for catalogues and contract tests."""
    return dict(_LATEST)
