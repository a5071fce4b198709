"""Inline SVG bar charts rendered on the server: no scripts, no build step, no CDN. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

BAR_HEIGHT = 22
LABEL_WIDTH = 220
BAR_WIDTH = 320


def bar_chart(title: str, rows: Sequence[tuple[str, Decimal]], chart_id: str) -> str:
    """A horizontal bar chart of money per label, largest first, with the amounts written out."""
    if not rows:
        caption = f"<figcaption>{escape(title)}</figcaption>"
        return f'<figure id="{chart_id}">{caption}<p>Nothing yet.</p></figure>'
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
    largest = max(amount for _, amount in ordered) or Decimal(1)
    height = BAR_HEIGHT * len(ordered) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 110
    bars = []
    for index, (label, amount) in enumerate(ordered):
        y = index * BAR_HEIGHT + 2
        length = int(BAR_WIDTH * amount / largest)
        bars.append(
            f"<g><title>{escape(label)}: £{amount:,.2f}</title>"
            f'<text x="0" y="{y + 15}" font-size="13">{escape(label[:32])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" height="{BAR_HEIGHT - 6}" '
            f'fill="#1d70b8"/>'
            f'<text x="{LABEL_WIDTH + max(length, 1) + 6}" y="{y + 13}" font-size="12">'
            f"£{amount:,.0f}</text></g>"
        )
    return (
        f'<figure id="{chart_id}"><figcaption>{escape(title)}</figcaption>'
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
        "</figure>"
    )


def totals(pairs: Sequence[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    """Sum the amounts per label."""
    summed: dict[str, Decimal] = {}
    for label, amount in pairs:
        summed[label] = summed.get(label, Decimal("0.00")) + amount
    return list(summed.items())
