"""Offline validators for the published files: 360Giving 1.4.3 and OCDS 1.1.5.

The schemas' `$ref`s point at remote URLs; the local copies in `schemas/` are registered under
those URLs, so validation never reaches the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource, Specification
from referencing.jsonschema import DRAFT4, DRAFT202012

SCHEMAS = Path(__file__).parent / "schemas"


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _with_local_refs(
    referenced: dict[str, Any], url: str, dialect: Specification[Any]
) -> Registry[Any]:
    """A registry answering `url` with the local copy of the schema it names."""
    resource: Resource[Any] = dialect.create_resource(referenced)
    registry: Registry[Any] = Registry().with_resource(url, resource)
    return registry


@cache
def giving360_validator() -> Draft202012Validator:
    """A validator of 360Giving grant packages."""
    grant = _load(SCHEMAS / "360giving" / "360-giving-schema.json")
    package = _load(SCHEMAS / "360giving" / "360-giving-package-schema.json")
    registry = _with_local_refs(grant, grant["$id"], DRAFT202012)
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def ocds_validator() -> Draft4Validator:
    """A validator of OCDS release packages."""
    release = _load(SCHEMAS / "ocds" / "release-schema.json")
    package = _load(SCHEMAS / "ocds" / "release-package-schema.json")
    registry = _with_local_refs(release, release["id"], DRAFT4)
    return Draft4Validator(
        package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def problems(validator: Draft4Validator | Draft202012Validator, document: Any) -> list[str]:
    """Every way `document` breaks the schema, as readable lines (empty when valid)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]
