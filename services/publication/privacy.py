"""No personal data reaches the feed: small-number suppression and free-text scrubbing. Pure.

The rule is written down in docs/adr/0013-small-number-suppression.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_THRESHOLD = 10  # DESIGN.md §2: counts under 10 are suppressed

# A published cell: the count, or None where it is suppressed.
Cells = dict[str, int | None]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# UK telephone numbers (01/02/03/07/08 and +44 forms, with spaces or dashes in between).
_PHONE = re.compile(r"(?<![\w])(\+44\s?|0)(\d[\s-]?){9,10}(?![\w])")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# An organisation identifier in org-id.guide form: GB-CHC-1234567, GB-COH-…, GB-LAE-…
ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-\S+$")


def scrub(text: str) -> str:
    """Free text with e-mail addresses, telephone numbers and postcodes removed.

    Descriptions and reasons are written by people and may name a contact; the feed keeps the
    sentence but never the contact details.
    """
    text = _EMAIL.sub("[contact removed]", text)
    text = _PHONE.sub("[contact removed]", text)
    return _POSTCODE.sub("[postcode removed]", text)


def is_organisation(identifier: str) -> bool:
    """Whether an identifier names an organisation (org-id form) rather than a person."""
    return bool(ORG_ID.match(identifier))


@dataclass(frozen=True)
class SuppressedTable:
    """A one-dimensional table of counts as published: hidden cells are None."""

    total: int | None
    cells: Cells

    @property
    def hidden(self) -> list[str]:
        """The names of the suppressed cells."""
        return [name for name, count in self.cells.items() if count is None]


def suppress_count(count: int, threshold: int = DEFAULT_THRESHOLD) -> int | None:
    """A single published count: hidden when 1 to threshold-1 (zero is shown)."""
    return None if 0 < count < threshold else count


def suppress_table(
    counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD
) -> SuppressedTable:
    """Primary and secondary suppression of one breakdown whose total is published.

    Primary: every cell from 1 to threshold-1 is hidden. Secondary: while fewer than two cells
    are hidden, or the hidden cells together count fewer than `threshold`, the smallest visible
    cell is hidden too, so no hidden cell can be derived as total minus the visible cells. If
    the whole table is hidden and still fails, the total is hidden as well.
    """
    total = sum(counts.values())
    if 0 < total < threshold:  # the whole group is small: publish nothing about it
        return SuppressedTable(None, {name: None for name in counts})
    hidden = {name for name, count in counts.items() if 0 < count < threshold}

    def unsafe() -> bool:
        hidden_sum = sum(counts[name] for name in hidden)
        return bool(hidden) and (len(hidden) < 2 or hidden_sum < threshold)

    # Smallest first, ties by name: the same counts always give the same published table.
    visible = sorted((n for n in counts if n not in hidden), key=lambda n: (counts[n], n))
    while unsafe() and visible:
        hidden.add(visible.pop(0))
    if unsafe():
        return SuppressedTable(None, {name: None for name in counts})
    return SuppressedTable(
        total, {name: None if name in hidden else count for name, count in counts.items()}
    )
