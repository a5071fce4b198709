"""Every event the platform knows, one module per producing service.

Importing this package registers them all, so a consumer can load any event by type.
"""

from shared.contracts import applications, funding, monitoring, publication
from shared.contracts.base import DomainEvent, Money, load_event, registered_events

__all__ = [
    "DomainEvent",
    "Money",
    "applications",
    "funding",
    "load_event",
    "monitoring",
    "publication",
    "registered_events",
]
