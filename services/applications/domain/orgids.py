"""org-id identifiers (org-id.guide, as 360Giving uses them): a known list prefix and a format.

Each list's identifiers have a recognisable shape on their register; an identifier that does not
fit its list's shape is almost always a typo, so it is refused at registration.
"""

from __future__ import annotations

import re

# list prefix -> (register, pattern of the identifier on it)
ORG_ID_LISTS: dict[str, tuple[str, str]] = {
    "GB-CHC": ("Charity Commission for England and Wales", r"[0-9]{6,7}"),
    "GB-SC": ("Scottish Charity Regulator", r"SC[0-9]{6}"),
    "GB-NIC": ("Charity Commission for Northern Ireland", r"[0-9]{5,6}"),
    "GB-COH": ("Companies House", r"[0-9]{8}|(SC|NI|OC|SO|NC|FC|LP|SL|IP|RC|RS|CE)[0-9]{6}"),
    "GB-LAE": ("Local authorities in England", r"[A-Z]{3,4}"),
    "GB-LAS": ("Local authorities in Scotland", r"[A-Z]{3,4}"),
    "GB-LAN": ("Local authorities in Northern Ireland", r"[A-Z]{3,4}"),
    # The register holds Wales' principal local authorities under three-letter keys (GB-PLA-WRX);
    # kept lenient while demo data uses GB-PLA-<AREA>-OPCC for OPCCs (docs/adr/0024).
    "GB-PLA": ("Principal local authorities in Wales", r"[A-Z0-9]+(-[A-Z0-9]+)*"),
    "GB-GOR": ("Government Organisation Register", r"(PB|D|EA|OT)[0-9]{1,5}"),
    "GB-NHS": ("NHS Organisation Data Service", r"[A-Z0-9]{3,6}"),
    "GB-EDU": ("Register of schools (Edubase)", r"[0-9]{6}"),
    "GB-MPR": ("Mutuals Public Register", r"[0-9]{1,6}R?"),
    "GB-UKPRN": ("UK Register of Learning Providers", r"1[0-9]{7}"),
}


def org_id_problem(identifier: str) -> str | None:
    """Why `identifier` is not a valid org-id identifier, or None when it is."""
    for prefix, (register, pattern) in ORG_ID_LISTS.items():
        if identifier.startswith(prefix + "-"):
            local = identifier.removeprefix(prefix + "-")
            if re.fullmatch(pattern, local):
                return None
            return (
                f"{identifier!r} is not a valid {prefix} identifier: the {register} "
                f"identifier must match {pattern}"
            )
    known = ", ".join(ORG_ID_LISTS)
    return f"{identifier!r} does not start with a known org-id list prefix ({known})"
