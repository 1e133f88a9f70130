"""Errors of the ownership engine.

Every error derives from `OwnershipError` and carries a stable `slug` and `title`, so the service layer can
map it to an RFC 9457 problem without parsing messages. Validators collect every violation before raising,
so one request reports all of its problems at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar


@dataclass(frozen=True)
class Violation:
    """One broken rule in the input: `code` is stable, `message` is for people."""

    code: str
    message: str
    holder: str | None = None
    investee: str | None = None
    entity: str | None = None


class OwnershipError(Exception):
    """Base of every ownership-engine error."""

    slug: ClassVar[str] = "ownership-error"
    title: ClassVar[str] = "The ownership structure cannot be evaluated"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class OwnershipValidationError(OwnershipError):
    """Holdings or overrides break the input rules; `violations` lists all of them.

    `on` is the date being evaluated when the error came from a dated computation (history), else None.
    """

    slug = "ownership-invalid-input"
    title = "The holdings or overrides are not valid"

    def __init__(self, violations: list[Violation], *, on: date | None = None) -> None:
        where = f" on {on.isoformat()}" if on is not None else ""
        super().__init__(f"{len(violations)} ownership rule violation(s){where}: {violations[0].message}")
        self.violations = violations
        self.on = on


class OwnershipCycleError(OwnershipError):
    """A set of companies own each other entirely (no outside shareholder anywhere in the cycle).

    The direct-holding matrix of such a component has spectral radius 1, so (I - A) is singular and no
    interest share exists. `entities` is the whole strongly connected component, `cycle` one closed path
    through it (first entity repeated at the end), for the message.
    """

    slug = "ownership-closed-cycle"
    title = "A cycle of holdings leaks nothing to outside shareholders"

    def __init__(self, *, entities: list[str], cycle: list[str], on: date | None = None) -> None:
        where = f" on {on.isoformat()}" if on is not None else ""
        super().__init__(
            f"entities {', '.join(entities)} hold all of each other's shares{where} "
            f"(cycle {' -> '.join(cycle)}); interest shares are undefined"
        )
        self.entities = entities
        self.cycle = cycle
        self.on = on


class OwnershipNumericalError(OwnershipError):
    """A cyclic component is so close to closed that the float solve cannot be trusted."""

    slug = "ownership-ill-conditioned"
    title = "A cycle of holdings is numerically ill-conditioned"

    def __init__(self, *, entities: list[str], reason: str) -> None:
        super().__init__(f"cannot solve the cycle {', '.join(entities)}: {reason}")
        self.entities = entities


class EntityNotInResultError(OwnershipError, KeyError):
    """The entity is not reachable from the parent through any holding."""

    slug = "ownership-entity-not-reachable"
    title = "The entity is not held by the group"

    def __init__(self, entity: str, parent: str) -> None:
        super().__init__(f"{entity} is not reachable from {parent} through any holding")
        self.entity = entity
        self.parent = parent

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.detail
