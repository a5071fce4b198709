"""`generate`: synthetic volume through the applications API, deterministic for a seed.

Each partnership gets plan priorities, the Dorset community grant scheme and an open round;
each application comes from its own (synthetic) charity, which registers itself first, and is
screened. The same seed gives the same organisations, titles and amounts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.auth import Role
from shared.demo_year.platform import Platform

PRIORITIES = ("Protect vulnerable people", "Prevent anti-social behaviour")
PLACES = ("Ashford", "Bangor", "Bridport", "Conwy", "Dover", "Poole", "Rhyl", "Wrexham")
PROJECTS = ("youth diversion", "street pastors", "victim advocacy", "bike marking", "speedwatch")


@dataclass(frozen=True)
class Generated:
    partnerships: int
    applications: int
    ineligible: int


def generate(
    applications_url: str,
    secret: str,
    partnerships: int,
    per_partnership: int,
    seed: int,
    progress: Callable[[int], None] = lambda _: None,
) -> Generated:
    """Create the partnerships and applications; `progress` is called once per application."""
    rng, today = random.Random(seed), date.today()
    platform, ineligible = Platform({"applications": applications_url}, secret), 0
    first_charity = rng.randrange(1_000_000, 9_999_999 - partnerships * per_partnership)
    try:
        for p in range(partnerships):
            partnership = f"gen-{seed}-{p + 1}"
            officer = platform.as_user(partnership, Role.COMMISSIONER, "GB-PLA-GEN-OPCC", "gen")
            officer.put(
                "applications",
                "/partnerships/{p}/plan-priorities",
                {"priorities": list(PRIORITIES)},
            )
            scheme = DORSET_COMMUNITY_GRANTS.model_dump(mode="json")
            officer.post("applications", "/partnerships/{p}/schemes", scheme)
            opened = officer.post(
                "applications",
                f"/partnerships/{{p}}/schemes/{scheme['scheme_id']}/rounds",
                {
                    "name": "generated",
                    "opens_on": today.isoformat(),
                    "closes_on": (today + timedelta(days=30)).isoformat(),
                },
            )
            for n in range(per_partnership):
                org = f"GB-CHC-{first_charity + p * per_partnership + n}"
                place, project = rng.choice(PLACES), rng.choice(PROJECTS)
                # One in ten asks for less than the scheme's £100 minimum: screened ineligible.
                pence = (
                    rng.randrange(2000, 9900)
                    if rng.random() < 0.1
                    else rng.randrange(10_000, 300_001)
                )
                applicant = platform.as_user(partnership, Role.APPLICANT, org, f"gen-{n}")
                applicant.post(
                    "applications",
                    "/partnerships/{p}/organisations",
                    {"organisation_id": org, "name": f"{place} {project} group", "kind": "charity"},
                )
                made = applicant.post(
                    "applications",
                    f"/partnerships/{{p}}/rounds/{opened['id']}/applications",
                    {
                        "title": f"{place} {project}",
                        "description": f"{project} in {place}",
                        "amount": str(Decimal(pence) / 100),
                        "start_date": (today + timedelta(days=40)).isoformat(),
                        "end_date": (today + timedelta(days=400)).isoformat(),
                        "plan_priorities": [rng.choice(PRIORITIES)],
                    },
                )
                screened = officer.post(
                    "applications", f"/partnerships/{{p}}/applications/{made['id']}/screening"
                )
                ineligible += screened["events"][0]["event_type"] == "ApplicationScreened" and (
                    pence < 10_000
                )
                progress(1)
    finally:
        platform.close()
    return Generated(partnerships, partnerships * per_partnership, ineligible)
