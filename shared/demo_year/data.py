"""The demo year's figures, all in one place, each traced to its seed paper (../shared/seeds/).

Money from the papers is used as written. Where a paper gives no figure (partners' pledges,
crime counts, the applicants and their projects) the value is illustrative and says so; every
organisation marked "(demo organisation)" is invented, with an identifier that only looks real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# ---- who: the partnership (North Wales 2017, 7.5: "Local Authorities and Health Boards")
OPCC = ("GB-PLA-NWALES-OPCC", "Office of the North Wales Police and Crime Commissioner", "opcc")
PARTNERS = (
    ("GB-NHS-7A1", "Betsi Cadwaladr University Health Board", "health_board"),
    ("GB-PLA-CWY", "Conwy County Borough Council", "local_authority"),
    ("GB-PLA-GWN", "Gwynedd Council", "local_authority"),
)
DORSET_OPCC = "GB-PLA-DORSET-OPCC"
DORSET_OPCC_NAME = "Office of the Dorset Police and Crime Commissioner"
PRIORITIES = (
    "Deliver support to victims",
    "Fight serious and organised crime",
    "Prevent anti-social behaviour",
    "Protect vulnerable people",
)

# ---- pooled budget (Kent 2012, 5.5: partners "may ... create a formal pooled budget").
# The pledges are illustrative: no paper gives them.
POOL_ID = "north-wales-joint-community-safety-pool"
POOL_PLEDGES = {
    "GB-PLA-NWALES-OPCC": "60000.00",
    "GB-NHS-7A1": "40000.00",
    "GB-PLA-CWY": "25000.00",
    "GB-PLA-GWN": "25000.00",
}
POOL_AWARD = ("Night-time economy street triage", "36000.00")

# ---- funds (North Wales 2017, 5.4, 6.2 and 7.4)
CSF_ID, CSF_BUDGET = "north-wales-community-safety-fund", "1166000.00"
MOJ_ID, MOJ_BUDGET = "north-wales-moj-victims-fund", "814076.00"
CSA_POT, CSA_AMOUNT, CSA_CATEGORY = "child-sexual-abuse-services", "56442.00", "csa services"
YCYC_ID, YCYC_BUDGET = "north-wales-your-community-your-choice", "42000.00"
DORSET_FUND_ID, DORSET_BUDGET = "dorset-police-property-act-fund", "12000.00"  # Dorset 2019, 3.3

# ---- formula allocation (Kent 2012, 2.4: "a Home Office formula – number of crimes per 1000
# popn" to each district). Populations are rounded ONS mid-2017 estimates; crime counts are
# illustrative. The amount is the Kent paper's CSP allocation, £506,882 (2.5).
FORMULA_ID, FORMULA_AMOUNT = "csf-district-allocation", "506882.00"
DISTRICTS = (
    ("anglesey", "Isle of Anglesey", 4870, 69900),
    ("gwynedd", "Gwynedd", 7950, 124200),
    ("conwy", "Conwy", 8920, 117200),
    ("denbighshire", "Denbighshire", 8110, 95300),
    ("flintshire", "Flintshire", 10930, 155000),
    ("wrexham", "Wrexham", 13240, 136100),
)


@dataclass(frozen=True)
class Bid:
    """A community grant application and how the panel treats it (all illustrative)."""

    org: str
    name: str
    kind: str
    title: str
    amount: str
    scores: tuple[int, int, int] | None  # None: never scored (ineligible)
    approve: bool = False
    screener_finding: str | None = None
    conflicted: bool = False  # the first assessor is a trustee and declares it


# Dorset 2019, 3.3: £100 to £3,000 for voluntary and community groups.
BIDS = (
    Bid(
        "GB-CHC-1170001",
        "Portland Youth Diversion (demo organisation)",
        "charity",
        "Friday-night sport and mentoring for young people at risk",
        "2500.00",
        (5, 4, 4),
        True,
    ),
    Bid(
        "GB-CHC-1170002",
        "Weymouth Street Angels (demo organisation)",
        "charity",
        "Night-time welfare patrols in Weymouth town centre",
        "1800.00",
        (4, 5, 3),
        True,
        conflicted=True,
    ),
    Bid(
        "GB-CHC-1170003",
        "Bridport Community Speedwatch (demo organisation)",
        "voluntary_community_group",
        "Speed-awareness volunteers for rural villages",
        "950.00",
        (2, 2, 3),
    ),
    Bid(
        "GB-CHC-1170004",
        "Shaftesbury Bike Marking (demo organisation)",
        "voluntary_community_group",
        "Security marking of bicycles at the market",
        "60.00",
        None,
    ),
    Bid(
        "GB-CHC-1170005",
        "Blandford Women's Refuge Drop-in (demo organisation)",
        "charity",
        "Weekly drop-in for women affected by domestic abuse",
        "2900.00",
        (5, 5, 4),
        True,
    ),
)
CRITERIA = ("meets plan priorities", "community benefit", "value for money")

# ---- "Your Community, Your Choice" (North Wales 2017, 6.2): £42,000, up to 12 projects.
# Projects and the public's votes are illustrative.
YCYC_PROJECTS = (
    (
        "GB-CHC-1180001",
        "Rhyl Boxing Academy (demo organisation)",
        "Boxing club for teenagers",
        "9500.00",
        14,
    ),
    (
        "GB-CHC-1180002",
        "Bangor Food Share (demo organisation)",
        "Community pantry and advice",
        "8000.00",
        11,
    ),
    (
        "GB-CHC-1180003",
        "Wrexham Youth Radio (demo organisation)",
        "Youth radio on online safety",
        "12000.00",
        9,
    ),
    (
        "GB-CHC-1180004",
        "Holyhead Coastguard Cadets (demo organisation)",
        "Cadet water safety",
        "7500.00",
        6,
    ),
    (
        "GB-CHC-1180005",
        "Mold Men's Shed (demo organisation)",
        "Men's shed against isolation",
        "9000.00",
        4,
    ),
    (
        "GB-CHC-1180006",
        "Llandudno Skatepark Group (demo organisation)",
        "Floodlit skatepark",
        "15000.00",
        3,
    ),
)

# ---- the contracted victims' service, paid from the MoJ core victims' money (7.4: £757,634).
VICTIMS_PROVIDER = ("GB-CHC-1190001", "North Wales Victim Help (demo organisation)")
VICTIMS_TITLE = "Victims' referral and support service"
VICTIMS_AMOUNT, VICTIMS_QUARTERS = "120000.00", 8
CSA_PROVIDER = ("GB-CHC-1190002", "Clwyd Children's Counselling (demo organisation)")
CSA_AWARD = ("Therapeutic support for children after sexual abuse", "40000.00")
KPIS = (
    {
        "code": "contacted_within_48h_pct",
        "name": "Victims contacted within 48 hours (%)",
        "target": "90",
    },
)
QUARTER_RETURNS = ((212, 94), (187, 81))  # beneficiaries, % contacted within 48 h: Q1, Q2


def financial_year(today: date) -> str:
    """The UK financial year (April to March) holding `today`, e.g. 2026/27."""
    first = today.year if today.month >= 4 else today.year - 1
    return f"{first}/{(first + 1) % 100:02d}"
