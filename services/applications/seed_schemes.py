"""The seed papers' schemes as data (../shared/seeds/): what a partnership launches.

Each one is a `LaunchScheme`, so tests, the demo and an operator's API call all use the same
definitions. Fund ids name the fund each scheme draws on in the funding service.
"""

from __future__ import annotations

from decimal import Decimal

from services.applications.domain.schemes import LaunchScheme
from shared.contracts.applications import (
    Criterion,
    DecisionMode,
    EligibilityRules,
    OrganisationKind,
)
from shared.contracts.funding import Mechanism

VOLUNTARY_AND_COMMUNITY = (
    OrganisationKind.VOLUNTARY_COMMUNITY_GROUP,
    OrganisationKind.CHARITY,
)

# A panel's criteria, weighted: how the Dorset "robust application and evaluation process"
# is expressed; the weights are a partnership's choice, these are an example.
COMMUNITY_GRANT_CRITERIA = (
    Criterion(name="meets plan priorities", weight=Decimal(3), max_score=5),
    Criterion(name="community benefit", weight=Decimal(2), max_score=5),
    Criterion(name="value for money", weight=Decimal(1), max_score=5),
)

# Dorset 2019, 3.3: "voluntary and community sector organisations ... can apply for grants
# between £100 and £3,000 to deliver projects that meet one or more of the Police and Crime
# Plan priorities"; funded from the Police Property Act.
DORSET_COMMUNITY_GRANTS = LaunchScheme(
    scheme_id="dorset-community-grant-scheme",
    name="Community Grant Scheme",
    mechanism=Mechanism.GRANT,
    fund_id="dorset-police-property-act-fund",
    spend_category="community safety",
    rules=EligibilityRules(
        min_amount=Decimal("100.00"),
        max_amount=Decimal("3000.00"),
        eligible_kinds=VOLUNTARY_AND_COMMUNITY,
        requires_plan_priority=True,
    ),
    criteria=COMMUNITY_GRANT_CRITERIA,
)

# Wiltshire 2017: "Funding is available for one year only, and the maximum grant is £3,000"
# for communities and groups (administered with Wiltshire Community Foundation).
WILTSHIRE_POLICE_PROPERTY_ACT = LaunchScheme(
    scheme_id="wiltshire-police-property-act-fund",
    name="Police Property Act Fund",
    mechanism=Mechanism.GRANT,
    fund_id="wiltshire-police-property-act-fund",
    rules=EligibilityRules(
        max_amount=Decimal("3000.00"),
        eligible_kinds=VOLUNTARY_AND_COMMUNITY,
        max_duration_months=12,
    ),
    criteria=COMMUNITY_GRANT_CRITERIA,
)

# North Wales 2017, 6.3: PACT grants "of up to £2,000.00 for community and voluntary groups".
NORTH_WALES_PACT = LaunchScheme(
    scheme_id="north-wales-pact-grants",
    name="PACT community grants",
    mechanism=Mechanism.GRANT,
    fund_id="north-wales-pact",
    rules=EligibilityRules(max_amount=Decimal("2000.00"), eligible_kinds=VOLUNTARY_AND_COMMUNITY),
    criteria=COMMUNITY_GRANT_CRITERIA,
)

# North Wales 2017, 6.3: "Grants of up to £250.00 available only to Police Officers": the
# applicant signs in for its police force, the only kind of organisation admitted.
NORTH_WALES_NPT_SMALL_GRANTS = LaunchScheme(
    scheme_id="north-wales-npt-small-grants",
    name="Neighbourhood Policing Team Small Grant Fund",
    mechanism=Mechanism.GRANT,
    fund_id="north-wales-pact",
    rules=EligibilityRules(
        max_amount=Decimal("250.00"),
        eligible_kinds=(OrganisationKind.POLICE_FORCE,),
        requires_plan_priority=False,
    ),
    criteria=(Criterion(name="supports a grass-roots community group", weight=Decimal(1)),),
)

# North Wales 2017, 6.2: "a total of £42,000 ... to fund up to 12 projects, and the people of
# North Wales will decide which projects receive the funding".
NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE = LaunchScheme(
    scheme_id="north-wales-your-community-your-choice",
    name="Your Community, Your Choice",
    mechanism=Mechanism.GRANT,
    fund_id="north-wales-your-community-your-choice",
    rules=EligibilityRules(eligible_kinds=VOLUNTARY_AND_COMMUNITY),
    decision_mode=DecisionMode.PUBLIC_VOTE,
    budget=Decimal("42000.00"),
    max_projects=12,
)

SEED_SCHEMES: dict[str, LaunchScheme] = {
    s.scheme_id: s
    for s in (
        DORSET_COMMUNITY_GRANTS,
        WILTSHIRE_POLICE_PROPERTY_ACT,
        NORTH_WALES_PACT,
        NORTH_WALES_NPT_SMALL_GRANTS,
        NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
    )
}
