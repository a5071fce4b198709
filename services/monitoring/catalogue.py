"""The Dorset minimum KPI set (Dorset PCC commissioning overview 2019, §4.1) as category codes.

Every return counts its beneficiaries, and breaks them down by the client details, vulnerability
and intervention type; offence type and location are "if applicable", so a plan requires them
only when the commissioner says so. Referrals to and from other agencies are counts of their own.
Each breakdown is a partition of the beneficiaries: `not_known` keeps the sums honest when a
provider does not know a client's details.
"""

from __future__ import annotations

from types import MappingProxyType

NOT_KNOWN = "not_known"

# None: the codes are the provider's own areas (location of offence), any code is accepted.
BREAKDOWN_CODES: MappingProxyType[str, frozenset[str] | None] = MappingProxyType(
    {
        "gender": frozenset({"female", "male", "non_binary", NOT_KNOWN}),
        "age_band": frozenset(
            {"under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus", NOT_KNOWN}
        ),
        "learning_difficulties": frozenset({"yes", "no", NOT_KNOWN}),
        # The five high-level ethnic groups of the ONS 2011 census classification.
        "ethnicity": frozenset({"asian", "black", "mixed", "white", "other", NOT_KNOWN}),
        "vulnerability": frozenset(
            {
                "none",
                "child",
                "older_person",
                "disability",
                "mental_health",
                "domestic_abuse",
                "sexual_violence",
                "repeat_victim",
                "other",
                NOT_KNOWN,
            }
        ),
        "intervention_type": frozenset(
            {
                "advice",
                "advocacy",
                "counselling",
                "diversion",
                "education",
                "mentoring",
                "practical_support",
                "restorative_justice",
                "other",
            }
        ),
        # Home Office recorded-crime groups, plus anti-social behaviour, which is not a crime.
        "offence_type": frozenset(
            {
                "violence_against_the_person",
                "sexual_offences",
                "robbery",
                "theft",
                "criminal_damage_and_arson",
                "drug_offences",
                "possession_of_weapons",
                "public_order",
                "miscellaneous_crimes",
                "fraud",
                "anti_social_behaviour",
                "not_applicable",
                NOT_KNOWN,
            }
        ),
        "location": None,
    }
)

# What a full plan requires in every return; a light plan requires only the counts.
CLIENT_DETAILS = ("gender", "age_band", "learning_difficulties", "ethnicity")
FULL_PLAN_BREAKDOWNS = (*CLIENT_DETAILS, "vulnerability", "intervention_type")
IF_APPLICABLE = ("offence_type", "location")

# The counts every return carries; a KPI with one of these codes rates the count itself.
COUNTED = ("beneficiaries", "referrals_in", "referrals_out")
