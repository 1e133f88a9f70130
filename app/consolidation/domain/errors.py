"""Errors of the consolidation engine.

Every error derives from `ConsolidationError` and carries a stable `slug` and `title`, so the service layer
can map it to an RFC 9457 problem without parsing messages. Input checks collect every violation before
raising, so one run reports all of its problems at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule in the input: `code` is stable, `message` is for people, `subject` names the record."""

    code: str
    message: str
    subject: str | None = None


class ConsolidationError(Exception):
    """Base of every consolidation-engine error."""

    slug: ClassVar[str] = "consolidation-error"
    title: ClassVar[str] = "The group cannot be consolidated"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConsolidationInputError(ConsolidationError):
    """The inputs break the engine's rules; `violations` lists all of them."""

    slug = "consolidation-invalid-input"
    title = "The consolidation inputs are not valid"

    def __init__(self, violations: list[Violation]) -> None:
        first = violations[0].message if violations else "no detail"
        super().__init__(f"{len(violations)} consolidation input violation(s): {first}")
        self.violations = violations


class MissingExchangeRateError(ConsolidationInputError):
    """A foreign company or adjustment needs exchange rates that were not supplied (all of them listed)."""

    slug = "consolidation-missing-rate"
    title = "Exchange rates are missing for the translation"


class MissingAccountRoleError(ConsolidationInputError):
    """The chart has no account carrying a role that a consolidation entry must post to."""

    slug = "consolidation-missing-account-role"
    title = "The chart lacks an account the consolidation needs"
