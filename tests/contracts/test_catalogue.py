"""The committed event catalogue matches the contracts."""

from __future__ import annotations

from pathlib import Path

from shared.catalogue import render_catalogue

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_docs_events_md_is_generated_from_the_current_contracts() -> None:
    assert CATALOGUE.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/events.md is stale: run `commissioning catalogue`"
    )


def test_catalogue_lists_the_core_events_with_their_topics() -> None:
    text = render_catalogue()
    assert "## funding — topic `commissioning.funding.v1`" in text
    assert "### GrantAwarded (v1)" in text and "### KPIReturnSubmitted (v1)" in text
    assert "| `amount` | `Decimal` | yes |" in text
    assert "| `pot_id` | `str \\| None` | no |" in text
