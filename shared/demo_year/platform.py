"""The four services as the demo year's callers see them: public HTTP APIs and signed tokens.

Nothing here touches a database: every step of the year is a request a user could make.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from shared.auth import Principal, Role, mint_token

T = TypeVar("T")
ARRIVAL_TIMEOUT = 45.0  # seconds for a fact to cross Kafka to another service


class StoryError(RuntimeError):
    """A step of the story did not happen; the message says which and what the service said."""


def pounds(amount: str | Decimal) -> str:
    """£1,234.50"""
    return f"£{Decimal(amount):,.2f}"


@dataclass(frozen=True)
class Caller:
    """A signed-in user (or the public, with no token) of one partnership."""

    platform: Platform
    partnership: str
    headers: Mapping[str, str]

    def call(
        self, method: str, service: str, path: str, json: Any = None, ok: tuple[int, ...] = ()
    ) -> httpx.Response:
        """One request; anything but 2xx (or a status in `ok`) ends the story with the reason."""
        url = f"{self.platform.urls[service]}{path.format(p=self.partnership)}"
        answer = self.platform.client.request(method, url, json=json, headers=dict(self.headers))
        if not (answer.is_success or answer.status_code in ok):
            raise StoryError(
                f"{service} answered {answer.status_code} to {method} {path}: {answer.text[:500]}"
            )
        return answer

    def post(self, service: str, path: str, json: Any = None) -> dict[str, Any]:
        body: dict[str, Any] = self.call(
            "POST", service, path, json if json is not None else {}
        ).json()
        return body

    def put(self, service: str, path: str, json: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.call("PUT", service, path, json).json()
        return body

    def get(self, service: str, path: str) -> dict[str, Any]:
        body: dict[str, Any] = self.call("GET", service, path).json()
        return body


@dataclass
class Platform:
    """The services' base URLs and the secret the demo signs its users' tokens with."""

    urls: Mapping[str, str]  # service name -> http://127.0.0.1:port
    secret: str
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def as_user(self, partnership: str, role: Role, org: str, user: str) -> Caller:
        principal = Principal(
            user_id=user, organisation_id=org, partnership_id=partnership, role=role
        )
        token = mint_token(principal, secret=self.secret)
        return Caller(self, partnership, {"Authorization": f"Bearer {token}"})

    def public(self, partnership: str) -> Caller:
        return Caller(self, partnership, {})

    def close(self) -> None:
        self.client.close()


def eventually(what: str, check: Callable[[], T | None], timeout: float = ARRIVAL_TIMEOUT) -> T:
    """Poll `check` until it gives something; after `timeout` the story fails naming `what`."""
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() > deadline:
            raise StoryError(
                f"{what} did not happen within {timeout:.0f} s: see the services' logs"
            )
        time.sleep(0.05)
    return found


class Narrator:
    """Numbered steps and their details, as the story goes."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say, self.number, self.began = say, 0, time.monotonic()

    def step(self, text: str) -> None:
        self.number += 1
        self.say(f"{self.number:>2}. {text}")

    def detail(self, text: str) -> None:
        self.say(f"      {text}")

    def elapsed(self) -> float:
        return time.monotonic() - self.began
