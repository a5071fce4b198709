"""The year in order: each step a function of the `Year`, narrated as it happens."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from shared.demo_year import grants, money, summary, victims
from shared.demo_year.context import Outcome, Year
from shared.demo_year.platform import Narrator, Platform


def tell_year(
    urls: Mapping[str, str], secret: str, say: Callable[[str], None], suffix: str = ""
) -> Outcome:
    """Run the whole year against the services at `urls`; what it made."""
    platform = Platform(urls, secret)
    year = Year(platform, Narrator(say), datetime.now(UTC).date(), suffix)
    try:
        money.register_partnership(year)
        money.funds(year)
        money.pooled_budget(year)
        money.formula_allocation(year)
        grants.community_grant_round(year)
        grants.public_vote(year)
        victims.contract_victims_service(year)
        last_return = victims.quarterly_returns(year)
        victims.late_return_and_escalation(year)
        victims.decommission(year, last_return)
        summary.settled_ledger(year)
        summary.ledger_summary(year)
        summary.latest_feed(year)
    finally:
        platform.close()
    say(f"\nthe year took {year.story.elapsed():.1f} s, {year.story.number} steps.")
    return year.outcome
