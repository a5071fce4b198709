"""`export 360giving|ocds`: fetch a published open-data file from the publication service."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx

PATHS = {"360giving": "/360giving.json", "ocds": "/ocds.json"}


class ExportError(RuntimeError):
    """The publication service did not give the file; the message says what it answered."""


def export(base_url: str, kind: str, output: Path, as_of: date | None = None) -> int:
    """Write the file to `output`; how many grants or releases it holds."""
    params = {"as_of": as_of.isoformat()} if as_of else {}
    try:
        answer = httpx.get(f"{base_url.rstrip('/')}{PATHS[kind]}", params=params, timeout=60)
    except httpx.HTTPError as error:
        raise ExportError(f"cannot reach the publication service at {base_url}: {error}") from error
    if answer.status_code != 200:
        raise ExportError(f"publication answered {answer.status_code}: {answer.text[:300]}")
    document = answer.json()
    output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    items = document.get("grants") if kind == "360giving" else document.get("releases")
    return len(items or [])
