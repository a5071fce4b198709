"""`generate`: a synthetic commissioning year at volume, through the public HTTP APIs only.

Per partnership: plan priorities, the Dorset community grant scheme, its fund in funding (with a
budget that covers every bid), an open round and two assessors assigned to it. Per application:
a (synthetic) charity registers itself and applies; the officer screens it (one in ten asks for
less than the £100 minimum and is ineligible); the assessors declare their interests (one in
twenty bids has a conflicted first assessor) and score it; the commissioner approves it or
rejects it by its mean score; funding turns every approval into an award, monitoring gives it a
plan, and a grant whose project has already ended gets its end-of-grant return.

Everything a request carries is drawn up front from `random.Random(seed)` (`plan_year`), so the
same seed on the same day gives the same organisations, bids, scores, decisions and returns;
only the order in which the worker threads make the requests varies.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from services.monitoring.catalogue import BREAKDOWN_CODES, NOT_KNOWN
from shared.auth import Role
from shared.demo_year.data import financial_year
from shared.demo_year.platform import Caller, Platform, StoryError, eventually

PRIORITIES = ("Protect vulnerable people", "Prevent anti-social behaviour")
PLACES = ("Ashford", "Bangor", "Bridport", "Conwy", "Dover", "Poole", "Rhyl", "Wrexham")
PROJECTS = ("youth diversion", "street pastors", "victim advocacy", "bike marking", "speedwatch")
SCHEME = DORSET_COMMUNITY_GRANTS
CRITERIA = tuple((c.name, c.max_score) for c in SCHEME.criteria)
OFFICER_ORG = "GB-PLA-GEN-OPCC"
ASSESSORS = ("gen-assessor-1", "gen-assessor-2")
MIN_AMOUNT = SCHEME.rules.min_amount or Decimal(0)
APPROVE_FROM = Decimal(60)  # mean weighted score (percent) the commissioner approves from
WAIT = 60.0  # seconds for an approval to become an award, or an award a plan


@dataclass(frozen=True)
class Bid:
    """One application as the seed draws it, and what becomes of it."""

    n: int
    org: str
    place: str
    project: str
    amount: Decimal
    start: date
    end: date
    priority: str
    conflicted: bool  # the first assessor declares a conflict and only the second scores
    scores: tuple[tuple[int, ...], ...]  # per scoring assessor, one score per criterion
    beneficiaries: int

    @property
    def eligible(self) -> bool:
        """Every generated bid passes the scheme's rules but its minimum, which some miss."""
        return self.amount >= MIN_AMOUNT

    @property
    def mean_score(self) -> Decimal:
        """The scheme's weighted total (percent), averaged over the scoring assessors."""
        weights = sum((c.weight for c in SCHEME.criteria), start=Decimal(0))
        totals = [
            sum(
                (
                    c.weight * Decimal(s) / c.max_score
                    for c, s in zip(SCHEME.criteria, one, strict=True)
                ),
                start=Decimal(0),
            )
            * 100
            / weights
            for one in self.scores
        ]
        return sum(totals, start=Decimal(0)) / len(totals)

    @property
    def approved(self) -> bool:
        return self.eligible and self.mean_score >= APPROVE_FROM


@dataclass(frozen=True)
class PartnershipPlan:
    """One synthetic partnership and its bids."""

    partnership: str
    bids: tuple[Bid, ...]

    @property
    def budget(self) -> Decimal:
        """Enough for every bid, so no approval is blocked for want of money."""
        return sum((b.amount for b in self.bids), start=Decimal(0)) + Decimal(1000)


def plan_year(
    seed: int, partnerships: int, per_partnership: int, today: date
) -> list[PartnershipPlan]:
    """Everything the generator will send, drawn from the seed; no I/O."""
    rng = random.Random(seed)
    first_charity = rng.randrange(1_000_000, 9_999_999 - partnerships * per_partnership)
    plans = []
    for p in range(partnerships):
        bids = []
        for n in range(per_partnership):
            place, project = rng.choice(PLACES), rng.choice(PROJECTS)
            pence = (
                rng.randrange(2000, 9900) if rng.random() < 0.1 else rng.randrange(10_000, 300_001)
            )
            start = today + timedelta(days=rng.randrange(-420, 60))
            conflicted = rng.random() < 0.05
            scorers = 1 if conflicted else len(ASSESSORS)
            bids.append(
                Bid(
                    n=n,
                    org=f"GB-CHC-{first_charity + p * per_partnership + n}",
                    place=place,
                    project=project,
                    amount=Decimal(pence) / 100,
                    start=start,
                    end=start + timedelta(days=rng.randrange(90, 366)),
                    priority=rng.choice(PRIORITIES),
                    conflicted=conflicted,
                    scores=tuple(
                        tuple(rng.randint(1, top) for _, top in CRITERIA) for _ in range(scorers)
                    ),
                    beneficiaries=rng.randrange(0, 400),
                )
            )
        plans.append(PartnershipPlan(f"gen-{seed}-{p + 1}", tuple(bids)))
    return plans


@dataclass
class Generated:
    """What the generator made, counted as the services confirmed it."""

    partnerships: int = 0
    applications: int = 0
    ineligible: int = 0
    conflicts: int = 0
    scored: int = 0
    approved: int = 0
    rejected: int = 0
    awards: int = 0
    plans: int = 0
    returns: int = 0
    seconds: float = 0.0
    award_latencies: list[float] = field(default_factory=list)  # approval answered -> award seen
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    def award_seen(self, seconds: float) -> None:
        with self._lock:
            self.awards += 1
            self.award_latencies.append(seconds)

    def describe(self) -> str:
        return (
            f"{self.applications} applications in {self.partnerships} partnership(s): "
            f"{self.ineligible} screened ineligible, {self.conflicts} conflict(s) declared, "
            f"{self.scored} scored, {self.approved} approved, {self.rejected} rejected; "
            f"{self.awards} awards in funding, {self.plans} monitoring plans, "
            f"{self.returns} KPI returns ({self.seconds:.1f} s)"
        )


class Generator:
    """Sends a `plan_year` to the services at `urls` (applications, funding, monitoring)."""

    def __init__(
        self, urls: dict[str, str], secret: str, today: date, progress: Callable[[int], None]
    ) -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        self.platform = Platform(urls, secret, httpx.Client(timeout=30.0, limits=limits))
        self.today, self.progress, self.made = today, progress, Generated()

    def officer(self, partnership: str) -> Caller:
        return self.platform.as_user(partnership, Role.COMMISSIONER, OFFICER_ORG, "gen-officer")

    def assessor(self, partnership: str, n: int) -> Caller:
        return self.platform.as_user(partnership, Role.ASSESSOR, OFFICER_ORG, ASSESSORS[n])

    def set_up(self, plan: PartnershipPlan) -> str:
        """Priorities, scheme, fund, round and its assessors; the round's id."""
        officer = self.officer(plan.partnership)
        officer.put("applications", "/partnerships/{p}/plan-priorities", {"priorities": PRIORITIES})
        # Fund ids are unique across partnerships in funding: each partnership draws on its own.
        fund_id = f"{SCHEME.fund_id}-{plan.partnership}"
        scheme = SCHEME.model_dump(mode="json") | {"fund_id": fund_id}
        officer.post("applications", "/partnerships/{p}/schemes", scheme)
        officer.post(
            "funding",
            "/partnerships/{p}/funds",
            {
                "fund_id": fund_id,
                "name": "Generated community grants fund",
                "financial_year": financial_year(self.today),
                "source": "police_property_act",
                "budget": str(plan.budget),
                "budget_reference": f"generated ({plan.partnership})",
            },
        )
        opened = officer.post(
            "applications",
            f"/partnerships/{{p}}/schemes/{SCHEME.scheme_id}/rounds",
            {
                "name": "generated",
                "opens_on": self.today.isoformat(),
                "closes_on": (self.today + timedelta(days=30)).isoformat(),
            },
        )
        round_id = str(opened["id"])
        # Only registered users with the assessor role can be assigned, and only assigned ones
        # may see and score the round's applications.
        officer.post(
            "applications",
            "/partnerships/{p}/organisations",
            {"organisation_id": OFFICER_ORG, "name": "Generated OPCC", "kind": "opcc"},
        )
        for n, assessor in enumerate(ASSESSORS, start=1):
            officer.post(
                "applications",
                "/partnerships/{p}/users",
                {
                    "user_id": assessor,
                    "display_name": f"Generated assessor {n}",
                    "organisation_id": OFFICER_ORG,
                    "roles": ["assessor"],
                },
            )
        officer.put(
            "applications",
            f"/partnerships/{{p}}/rounds/{round_id}/assessors",
            {"assessor_ids": list(ASSESSORS)},
        )
        self.made.add(partnerships=1)
        return round_id

    def application(self, partnership: str, round_id: str, bid: Bid) -> None:
        """One bid from registration to its award, plan and return."""
        applicant = self.platform.as_user(partnership, Role.APPLICANT, bid.org, f"gen-{bid.n}")
        applicant.post(
            "applications",
            "/partnerships/{p}/organisations",
            {
                "organisation_id": bid.org,
                "name": f"{bid.place} {bid.project} group",
                "kind": "charity",
            },
        )
        made = applicant.post(
            "applications",
            f"/partnerships/{{p}}/rounds/{round_id}/applications",
            {
                "title": f"{bid.place} {bid.project}",
                "description": f"{bid.project} in {bid.place}",
                "amount": str(bid.amount),
                "start_date": bid.start.isoformat(),
                "end_date": bid.end.isoformat(),
                "plan_priorities": [bid.priority],
            },
        )
        self.made.add(applications=1)
        path = f"/partnerships/{{p}}/applications/{made['id']}"
        officer = self.officer(partnership)
        officer.post("applications", f"{path}/screening")
        if not bid.eligible:  # an eligible bid that was not would fail at its assessment
            status = officer.get("applications", path)["status"]
            if status != "ineligible":
                raise StoryError(f"application {made['id']} for £{bid.amount} is {status}")
            self.made.add(ineligible=1)
            return
        self._assess(partnership, path, bid)
        decision = {
            "decision_reference": f"GEN-{partnership}-{bid.n + 1:05d}",
            "reason": f"mean score {bid.mean_score:.1f}%, threshold {APPROVE_FROM}%",
        }
        if not bid.approved:
            officer.post("applications", f"{path}/rejection", decision)
            self.made.add(rejected=1)
            return
        officer.post("applications", f"{path}/approval", decision)
        approved_at = time.perf_counter()
        self.made.add(approved=1)
        award = self._await_award(officer, str(made["id"]))
        self.made.award_seen(time.perf_counter() - approved_at)
        self._monitor(partnership, officer, str(award["award_id"]), bid)

    def _assess(self, partnership: str, path: str, bid: Bid) -> None:
        first, second = self.assessor(partnership, 0), self.assessor(partnership, 1)
        scorers = [second] if bid.conflicted else [first, second]
        if bid.conflicted:
            first.post(
                "applications",
                f"{path}/conflict-declarations",
                {"has_conflict": True, "details": "trustee of the applicant"},
            )
            self.made.add(conflicts=1)
        for caller, scores in zip(scorers, bid.scores, strict=True):
            caller.post("applications", f"{path}/conflict-declarations", {"has_conflict": False})
            caller.post(
                "applications",
                f"{path}/scores",
                {"scores": {name: s for (name, _), s in zip(CRITERIA, scores, strict=True)}},
            )
        self.made.add(scored=1)

    def _await_award(self, officer: Caller, application_id: str) -> dict[str, Any]:
        path = f"/partnerships/{{p}}/awards/award-{application_id}"

        def found() -> dict[str, Any] | None:
            answer = officer.call("GET", "funding", path, ok=(404,))
            return None if answer.status_code == 404 else dict(answer.json())

        return eventually(f"the award of application {application_id}", found, WAIT)

    def _monitor(self, partnership: str, officer: Caller, award_id: str, bid: Bid) -> None:
        """Wait for monitoring's plan; the provider returns every period that has ended."""
        path = f"/partnerships/{{p}}/monitoring/services/{award_id}"

        def planned() -> dict[str, Any] | None:
            answer = officer.call("GET", "monitoring", path, ok=(404,))
            return None if answer.status_code == 404 else dict(answer.json())

        plan = eventually(f"monitoring's plan for {award_id}", planned, WAIT)
        self.made.add(plans=1)
        provider = self.platform.as_user(partnership, Role.APPLICANT, bid.org, f"gen-{bid.n}")
        for period in plan["periods"]:
            if date.fromisoformat(period["end"]) >= self.today:
                continue
            figures = _figures(bid, period, plan)
            provider.post("monitoring", f"{path}/returns", figures)
            self.made.add(returns=1)

    def close(self) -> None:
        self.platform.close()


def _unknown(breakdown: str) -> str:
    """The breakdown's "not known" category (a full plan's return must still add up)."""
    codes = BREAKDOWN_CODES.get(breakdown)
    return NOT_KNOWN if codes is None or NOT_KNOWN in codes else min(codes)


def _figures(bid: Bid, period: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """A return the plan accepts: the counts, each required breakdown, each agreed KPI."""
    people = bid.beneficiaries
    breakdowns = {name: {_unknown(name): people} for name in plan["required_breakdowns"]}
    return {
        "period_start": period["start"],
        "period_end": period["end"],
        "beneficiaries": people,
        "breakdowns": breakdowns,
        "referrals_in": people * 3 // 4,
        "referrals_out": people // 5,
        "kpi_values": {k["code"]: str(k.get("target") or 0) for k in plan["kpis"]},
    }


def generate(
    urls: dict[str, str],
    secret: str,
    partnerships: int,
    per_partnership: int,
    seed: int,
    progress: Callable[[int], None] = lambda _: None,
    workers: int = 8,
    today: date | None = None,
) -> Generated:
    """Make the partnerships and their applications; `progress` is called once per application.

    Partnerships are set up one after another; their applications then go through `workers`
    threads. A step the services refuse stops the run with a `StoryError` saying which.
    """
    today = today or date.today()
    plans = plan_year(seed, partnerships, per_partnership, today)
    generator = Generator(urls, secret, today, progress)
    started = time.perf_counter()
    try:
        rounds = [generator.set_up(plan) for plan in plans]
        work = [
            (plan.partnership, round_id, bid)
            for plan, round_id in zip(plans, rounds, strict=True)
            for bid in plan.bids
        ]
        _run_all(generator, work, workers)
    finally:
        generator.close()
    generator.made.seconds = time.perf_counter() - started
    return generator.made


def _run_all(generator: Generator, work: Sequence[tuple[str, str, Bid]], workers: int) -> None:
    def one(item: tuple[str, str, Bid]) -> None:
        generator.application(*item)
        generator.progress(1)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        # list(): re-raise the first failure here rather than lose it in a future.
        list(pool.map(one, work))
