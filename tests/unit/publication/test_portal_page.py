"""The portal page as the server renders it: register search, charts, escaping."""

from __future__ import annotations

from decimal import Decimal

from services.publication.register import fold
from services.publication.web.page import render
from tests.unit.publication.builders import envelope, grant, publish


def page(query: str = "") -> str:
    entries, _ = publish(
        [
            envelope(grant("a1", beneficiary_location="Weymouth")),
            envelope(
                grant(
                    "a2",
                    title="Helpline <script>alert(1)</script>",
                    recipient_name="Salisbury Trust",
                    recipient_organisation_id="GB-CHC-7654321",
                    amount=Decimal("900.00"),
                    beneficiary_location="Salisbury",
                )
            ),
        ]
    )
    return render(fold(entries), list(reversed(entries)), latest=2, query=query, scope="")


def test_the_register_lists_every_award_and_the_search_narrows_it() -> None:
    assert page().count('<tr data-award="') == 2
    narrowed = page("salisbury")
    assert narrowed.count('<tr data-award="') == 1 and 'data-award="a2"' in narrowed
    assert 'value="salisbury"' in narrowed


def test_charts_show_where_the_money_went_as_inline_svg() -> None:
    html = page()
    assert html.count("<svg") == 3
    assert "Weymouth: £2,500.00" in html and "Salisbury: £900.00" in html
    assert 'id="total-awarded">£3,400.00<' in html


def test_published_text_is_escaped_and_the_live_stream_resumes_after_the_page() -> None:
    html = page()
    assert "<script>alert(1)</script>" not in html
    assert "Helpline &lt;script&gt;" in html
    assert 'data-latest="2"' in html and "new EventSource(url)" in html
