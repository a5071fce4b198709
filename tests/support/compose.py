"""Reading docker-compose.yml and deploy/Dockerfile as Compose and Docker would (no Docker here).

Used by tests/unit/test_compose.py (schema and wiring) and tests/e2e/test_compose_rehearsal.py
(the file's four services run as processes against the embedded servers).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"

Doc = dict[str, Any]

# $$ | ${NAME} | ${NAME:-default} ${NAME-default} ${NAME:?error} ${NAME?error} ${NAME:+alt} | $NAME
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariableError(KeyError):
    """A `${NAME:?message}` variable was not set; the message is the one Compose prints."""

    def __init__(self, variable: str, reason: str, path: str = "") -> None:
        self.variable, self.reason, self.path = variable, reason, path
        message = f"required variable {variable} is missing a value" + (
            f": {reason}" if reason else ""
        )
        super().__init__(f"error while interpolating {path}: {message}" if path else message)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])

    def at(self, path: str) -> MissingVariableError:
        return MissingVariableError(self.variable, self.reason, path)


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Substitute variables as Compose does (the subset of its syntax this file may use)."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        current = env.get(name)
        missing = current is None or (op is not None and op.startswith(":") and current == "")
        if op is not None and op.endswith("-"):
            return arg if missing else str(current)
        if op is not None and op.endswith("?"):
            if missing:
                raise MissingVariableError(name, arg)
            return str(current)
        if op is not None and op.endswith("+"):
            return "" if missing else arg
        return current or ""

    return _VARIABLE.sub(substitute, value)


def interpolate_all(node: Any, env: Mapping[str, str], path: str = "") -> Any:
    """Interpolate every string value in a loaded Compose document (keys are left alone).

    A missing required variable is reported as Compose reports it, with where it is used:
    `error while interpolating services.x.environment.Y: required variable Y is missing a value: …`.
    """
    if isinstance(node, dict):
        return {
            key: interpolate_all(value, env, f"{path}.{key}" if path else str(key))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [interpolate_all(item, env, f"{path}[{n}]") for n, item in enumerate(node)]
    if isinstance(node, str):
        try:
            return interpolate(node, env)
        except MissingVariableError as error:
            raise error.at(path) from None
    return node


def load_compose(env: Mapping[str, str] | None = None) -> Doc:
    """docker-compose.yml with anchors and `<<` merge keys resolved (PyYAML does both), and
    interpolated with `env` unless it is None."""
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml is not a mapping"
    if env is None:
        return loaded
    resolved: Doc = interpolate_all(loaded, env)
    return resolved


def environment_of(service: Doc) -> dict[str, str]:
    """A service's `environment`, whichever of the two Compose forms (map or list) it uses."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def depends_on_of(service: Doc) -> dict[str, str]:
    """`depends_on` as {target: condition}, whichever of the two forms it uses."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {target: spec.get("condition", "service_started") for target, spec in raw.items()}


def command_text(service: Doc) -> str:
    """entrypoint + command as one string, for looking at what a container runs."""
    parts: list[str] = []
    for key in ("entrypoint", "command"):
        value = service.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(str(item) for item in value)
    return " ".join(parts)


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in dockerfile.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    return [
        (parts[0].upper(), parts[1] if len(parts) > 1 else "")
        for parts in (line.split(None, 1) for line in logical)
    ]


def image_environment(dockerfile: Path = DOCKERFILE) -> dict[str, str]:
    """What the image's `ENV key=value ...` instructions set (the only ENV form used there)."""
    env: dict[str, str] = {}
    for instruction, args in _instructions(dockerfile.read_text(encoding="utf-8")):
        if instruction == "ENV":
            for pair in shlex.split(args):
                assert "=" in pair, f"ENV {args!r}: only the key=value form is supported"
                key, value = pair.split("=", 1)
                env[key] = value
    return env


def image_cmd(dockerfile: Path = DOCKERFILE) -> list[str]:
    """The image's default command: its last CMD, in exec (JSON array) form."""
    cmds = [
        args for instruction, args in _instructions(dockerfile.read_text()) if instruction == "CMD"
    ]
    assert cmds, f"{dockerfile} has no CMD"
    cmd = json.loads(cmds[-1])
    assert isinstance(cmd, list) and all(isinstance(part, str) for part in cmd), cmds[-1]
    return cmd
