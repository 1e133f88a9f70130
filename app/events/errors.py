"""Errors of the group events; each carries its HTTP status and a stable problem slug."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.core.errors import NotFoundError, ValidationFailedError, violation
from app.events.domain import Violation


class EventRuleViolationError(ValidationFailedError):
    """Every rule the event would break, at once (`errors[].loc` names the field); nothing was written."""

    slug = "group-event-invalid"
    title = "The event breaks rules of the group"


class GroupEventNotFoundError(NotFoundError):
    slug = "group-event-not-found"
    title = "No such group event"


def problem_errors(violations: Iterable[Violation]) -> list[dict[str, Any]]:
    return [violation(v.loc, v.msg, v.type) for v in violations]


def raise_violations(detail: str, violations: Iterable[Violation]) -> None:
    """Raises EventRuleViolationError listing every violation (does nothing when there is none)."""
    found = list(violations)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise EventRuleViolationError(f"{detail}: {found[0].msg}{more}", errors=problem_errors(found))
