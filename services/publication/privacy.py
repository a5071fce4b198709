"""No personal data reaches the feed: small-number suppression and free-text scrubbing. Pure.

The rule is written down in docs/adr/0013-small-number-suppression.md; how corrections are
protected against subtraction from earlier entries, in
docs/adr/0053-corrections-against-differencing.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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


# Corrections (ADR 0053). A correction entry sits beside every entry it follows for the same
# period, so a reader can subtract: female 20 then 22 says two women were added. The rules below
# work on published figures only (what the feed already shows and what the correction would
# show after the rules above), so they never need the raw counts of earlier returns.


def _small_change(change: int, threshold: int) -> bool:
    """A change a reader must not learn: 1 to threshold-1 people, either way."""
    return 0 < abs(change) < threshold


def protect_count(
    count: int | None, earlier: Sequence[int | None], threshold: int = DEFAULT_THRESHOLD
) -> int | None:
    """A single count in a correction: hidden when it differs by 1 to threshold-1 from any
    figure published before for the same period (not only the latest: 30, 45, then 32 hides
    32). `count` is already suppressed on its own (`suppress_count`)."""
    if count is None:
        return None
    if any(shown is not None and _small_change(count - shown, threshold) for shown in earlier):
        return None
    return count


def known_total(table: SuppressedTable) -> int | None:
    """The total a reader knows: published, or the sum of the cells when none is hidden."""
    if table.total is not None:
        return table.total
    if table.cells and all(count is not None for count in table.cells.values()):
        return sum(count for count in table.cells.values() if count is not None)
    return None


def _shown(table: SuppressedTable, name: str) -> int | None:
    """A cell as a reader knows it: a category a breakdown leaves out counts nobody."""
    return table.cells.get(name, 0)


def protect_table(
    table: SuppressedTable, earlier: Sequence[SuppressedTable], threshold: int = DEFAULT_THRESHOLD
) -> SuppressedTable:
    """A breakdown in a correction, protected against every earlier publication of it.

    `table` is the breakdown as it would be published on its own (`suppress_table`, its total
    the published total or None); `earlier` the same breakdown in each entry published before
    for the period. The changes between them are a table to protect like any other:

    1. a cell hidden before, in a table whose total was known, stays hidden (showing a
       secondary-suppressed cell later, unchanged, would give away its partner);
    2. a cell whose change against any earlier figure is 1 to threshold-1 is hidden;
    3. then, until nothing fails: the rules of `suppress_table` (two or more hidden cells that
       together count at least `threshold`, when the total is known); a total that changed by 1
       to threshold-1 is hidden (or, when it is only known as the sum of the cells, a cell is);
       and the change of the hidden cells together (the total's change less the visible
       cells' changes) must not be 1 to threshold-1 either. Each failure hides the smallest
       visible cell, ties by name, or the total when no cell is left: deterministic.
    """
    cells: Cells = dict(table.cells)
    total = table.total
    for before in earlier:
        if known_total(before) is None:
            continue  # no subtraction was possible there: its hidden cells have no partners
        for name, count in before.cells.items():
            if count is None and name in cells:
                cells[name] = None
    for before in earlier:
        for name, count in cells.items():
            was = _shown(before, name)
            if count is not None and was is not None and _small_change(count - was, threshold):
                cells[name] = None
    while (step := _next_to_hide(SuppressedTable(total, cells), earlier, threshold)) is not None:
        if step == "":
            total = None
        else:
            cells[step] = None
    return SuppressedTable(total, cells)


def _next_to_hide(
    table: SuppressedTable, earlier: Sequence[SuppressedTable], threshold: int
) -> str | None:
    """The next cell to hide ("" for the total), or None when the table is safe."""
    cells = table.cells
    visible = sorted(
        (name for name, count in cells.items() if count is not None),
        key=lambda name: (cells[name], name),
    )

    def smallest(preferred: Sequence[str] = ()) -> str:
        first = [name for name in visible if name in preferred]
        return (first or visible or [""])[0]

    hidden = table.hidden
    total = known_total(table)
    if table.total is not None and hidden:
        hidden_sum = table.total - sum(cells[name] or 0 for name in visible)
        if len(hidden) < 2 or hidden_sum < threshold:
            return smallest()
    if total is None:
        return None  # nothing hidden can be had by subtraction from an unknown total
    for before in earlier:
        total_before = known_total(before)
        if total_before is None:
            continue
        change = total - total_before
        if _small_change(change, threshold):
            return "" if table.total is not None else smallest()
        names = sorted(set(cells) | set(before.cells))
        both = [n for n in names if _shown(table, n) is not None and _shown(before, n) is not None]
        visible_change = sum((_shown(table, n) or 0) - (_shown(before, n) or 0) for n in both)
        if _small_change(change - visible_change, threshold):
            return smallest([n for n in both if n in cells])
    return None
