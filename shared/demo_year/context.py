"""Who acts in the demo year, in which partnership, on which day; and what the year produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.auth import Role
from shared.demo_year import data
from shared.demo_year.platform import Caller, Narrator, Platform

# User ids live only in tokens and actors; the test checks none of them reaches the feed.
COMMISSIONER_USER = "u-commissioning-officer-7"
DORSET_USER = "u-grants-officer-3"
ASSESSORS = ("u-panel-assessor-1", "u-panel-assessor-2")
PARTNER_USER = "u-partner-finance-2"
AUDITOR_USER = "u-internal-auditor-5"
USER_IDS = (COMMISSIONER_USER, DORSET_USER, *ASSESSORS, PARTNER_USER, AUDITOR_USER)


@dataclass
class Outcome:
    """What the year made, for the summary and for the tests."""

    grant_awards: list[str] = field(default_factory=list)
    ballot_winners: list[str] = field(default_factory=list)
    victims_award: str = ""
    released: str = "0.00"
    voters: list[str] = field(default_factory=list)


@dataclass
class Year:
    """The platform, the two partnerships of the story and today's date."""

    platform: Platform
    story: Narrator
    today: date
    suffix: str = ""  # makes the partnership ids unique when runs share a broker
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def north_wales(self) -> str:
        return f"north-wales{self.suffix}"

    @property
    def dorset(self) -> str:
        return f"dorset{self.suffix}"

    @property
    def financial_year(self) -> str:
        return data.financial_year(self.today)

    def commissioner(self, dorset: bool = False) -> Caller:
        if dorset:
            return self.platform.as_user(
                self.dorset, Role.COMMISSIONER, data.DORSET_OPCC, DORSET_USER
            )
        return self.platform.as_user(
            self.north_wales, Role.COMMISSIONER, data.OPCC[0], COMMISSIONER_USER
        )

    def applicant(self, partnership: str, org: str, n: int) -> Caller:
        return self.platform.as_user(partnership, Role.APPLICANT, org, f"u-applicant-{n}")

    def assessor(self, n: int) -> Caller:
        return self.platform.as_user(self.dorset, Role.ASSESSOR, data.DORSET_OPCC, ASSESSORS[n])

    def partner(self, org: str) -> Caller:
        return self.platform.as_user(self.north_wales, Role.PARTNER, org, PARTNER_USER)

    def auditor(self, partnership: str) -> Caller:
        org = data.DORSET_OPCC if partnership == self.dorset else data.OPCC[0]
        return self.platform.as_user(partnership, Role.AUDITOR, org, AUDITOR_USER)
