"""Errors of the entity register; each carries its HTTP status and a stable problem slug."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError, violation
from app.core.jsonable import to_jsonable
from app.entities.domain import Violation


class EntityNotFoundError(NotFoundError):
    slug = "entity-not-found"
    title = "No such legal entity"


class EntityValidationError(ValidationFailedError):
    """Every broken rule of an entity write at once: `errors[].loc` names the field, `.type` the rule."""

    slug = "entity-invalid"
    title = "The entity data is not valid"


class EntityCodeTakenError(ConflictError):
    slug = "entity-code-taken"
    title = "Another entity already has this code"


class UsccTakenError(ConflictError):
    slug = "uscc-taken"
    title = "Another entity already has this unified social credit code"


class EntityNotActiveError(ConflictError):
    """The entity has already been merged or dissolved: its history is closed."""

    slug = "entity-not-active"
    title = "The entity is no longer active"


class EntityLimitedUserError(ForbiddenError):
    """A user limited to some entities may not add entities to the register (it could not see them)."""

    slug = "entity-limited-user"
    title = "Not allowed for a user limited to some entities"


def problem_errors(
    violations: Iterable[Violation], *, prefix: tuple[str, ...] = ("body",)
) -> list[dict[str, Any]]:
    """Domain violations as a problem's `errors` list: `loc` names the field, extra figures as JSON values."""
    out: list[dict[str, Any]] = []
    for item in violations:
        entry = violation((*prefix, item.field), item.msg, item.type)
        entry.update({key: to_jsonable(value) for key, value in item.extra.items()})
        out.append(entry)
    return out
