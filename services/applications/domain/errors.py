"""Domain errors; the API maps each kind to its HTTP status."""

from __future__ import annotations

from collections.abc import Sequence

from shared.contracts.applications import FailedRule


class DomainError(Exception):
    """A command the domain refuses; the message says what is wrong."""


class NotFoundError(DomainError):
    """The thing the command names does not exist (in this partnership): 404."""


class ForbiddenError(DomainError):
    """The caller may not do this to this thing: 403."""


class ConflictError(DomainError):
    """The thing is in a state where the command makes no sense (already decided...): 409."""


class RuleViolationError(DomainError):
    """The command breaks one or more rules of the scheme or the domain: 422."""

    def __init__(self, failures: Sequence[FailedRule]) -> None:
        super().__init__("; ".join(f"{f.rule}: {f.reason}" for f in failures))
        self.failures = tuple(failures)

    @classmethod
    def single(cls, rule: str, reason: str) -> RuleViolationError:
        return cls([FailedRule(rule=rule, reason=reason)])
