"""One example of every event the publication service produces (contract round-trip tests)."""

from __future__ import annotations

from shared.contracts.base import DomainEvent

EXAMPLES: list[DomainEvent] = []
