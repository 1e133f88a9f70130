"""Errors of stakes, method overrides, ownership queries and the structure chart."""

from __future__ import annotations

from app.core.errors import ConflictError, DomainError, NotFoundError, ValidationFailedError
from app.ownership import domain as od


class StakeNotFoundError(NotFoundError):
    slug = "stake-not-found"
    title = "No such equity stake"


class StakeValidationError(ValidationFailedError):
    """Every broken stake rule at once; `errors[].loc` names the field and `errors[].type` the rule
    (`share_out_of_range`, `self_holding`, `unknown_entity`, `entity_not_active`, `stake_overlap`,
    `over_allocated`, ...)."""

    slug = "stake-invalid"
    title = "The equity stake is not valid"


class StakeAlreadyEndedError(ConflictError):
    """An ended stake is history: it is never edited, a later change is a new record."""

    slug = "stake-already-ended"
    title = "The stake has already ended"


class StakesBeginAfterEndError(ConflictError):
    """An entity cannot end before stakes recorded for it begin; `stake_ids` lists them."""

    slug = "stakes-begin-after-end"
    title = "Stakes of the entity begin on or after that date"


class MethodOverrideNotFoundError(NotFoundError):
    slug = "method-override-not-found"
    title = "No such method override"


class MethodOverrideValidationError(ValidationFailedError):
    slug = "method-override-invalid"
    title = "The method override is not valid"


class MethodOverrideAlreadyEndedError(ConflictError):
    slug = "method-override-already-ended"
    title = "The method override has already ended"


class OwnershipQueryError(ValidationFailedError):
    """The question cannot be asked: e.g. the parent did not exist on `as_of`."""

    slug = "ownership-query-invalid"
    title = "The ownership query is not valid"


class OwnershipStateError(ConflictError):
    """The recorded holdings cannot be evaluated: a state to repair, not a bad request."""

    slug = "ownership-error"
    title = "The ownership structure cannot be evaluated"


class OwnershipClosedCycleError(OwnershipStateError):
    slug = "ownership-closed-cycle"
    title = "A cycle of holdings leaks nothing to outside shareholders"


class OwnershipIllConditionedError(OwnershipStateError):
    slug = "ownership-ill-conditioned"
    title = "A cycle of holdings is numerically ill-conditioned"


class OwnershipInvalidInputError(OwnershipStateError):
    slug = "ownership-invalid-input"
    title = "The recorded holdings break the ownership rules"


class GraphvizMissingError(DomainError):
    """The `dot` program (Debian package `graphviz`) is not installed on the server."""

    status = 503
    slug = "graphviz-missing"
    title = "Graphviz is not installed"


def from_engine(error: od.OwnershipError) -> OwnershipStateError:
    """The problem for an ownership-engine error raised while evaluating recorded holdings."""
    on = getattr(error, "on", None)
    extra: dict[str, object] = {"on": on.isoformat()} if on is not None else {}
    if isinstance(error, od.OwnershipCycleError):
        return OwnershipClosedCycleError(error.detail, entities=error.entities, cycle=error.cycle, **extra)
    if isinstance(error, od.OwnershipNumericalError):
        return OwnershipIllConditionedError(error.detail, entities=error.entities)
    if isinstance(error, od.OwnershipValidationError):
        violations = [{"code": v.code, "msg": v.message} for v in error.violations]
        return OwnershipInvalidInputError(error.detail, violations=violations, **extra)
    return OwnershipStateError(error.detail)
