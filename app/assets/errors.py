"""Errors of the asset register and of asset transfers, each with its status and problem type.

A refused request reports the problem type of its most fundamental violation and lists every violation
found in `errors` (`loc`, `msg`, `type` = the problem type of that violation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.assets.domain.workflow import Violation
from app.core.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    ValidationFailedError,
    violation,
)
from app.core.jsonable import to_jsonable
from app.ledger.errors import PeriodClosedError


class AssetNotFoundError(NotFoundError):
    slug = "asset-not-found"
    title = "No such asset"


class TransferNotFoundError(NotFoundError):
    slug = "asset-transfer-not-found"
    title = "No such asset transfer"


class AssetEntityNotFoundError(NotFoundError):
    slug = "entity-not-found"
    title = "No such legal entity"


class AssetValidationError(ValidationFailedError):
    slug = "asset-invalid"
    title = "The asset data is not valid"


class AssetTagTakenError(ConflictError):
    slug = "asset-tag-taken"
    title = "Another asset already has this tag"


class TransferAlreadyOpenError(ConflictError):
    slug = "transfer-already-open"
    title = "Another transfer of this asset is open"


class AssetNotHeldBySenderError(ConflictError):
    slug = "asset-not-held-by-sender"
    title = "The asset is not held by the sender on the transfer date"


class AssetDisposedError(ConflictError):
    slug = "asset-disposed"
    title = "The asset has been disposed of"


class ReceiverOutsideGroupError(DomainError):
    status = 422
    slug = "receiver-outside-group"
    title = "The receiver is outside the group: record a disposal instead"


class TransferToHolderError(DomainError):
    status = 422
    slug = "transfer-to-holder"
    title = "The receiver already holds the asset"


class AssetDepreciatedAfterDateError(ConflictError):
    slug = "asset-depreciated-after-date"
    title = "Depreciation is already booked for a month after the asset leaves"


class TransferPriceInvalidError(DomainError):
    status = 422
    slug = "transfer-price-invalid"
    title = "The price does not fit the kind of transfer"


class TransferSelfApprovalError(ForbiddenError):
    slug = "transfer-self-approval"
    title = "The requester cannot approve or reject their own transfer"


class TransferApproverNotControllerError(ForbiddenError):
    slug = "transfer-approver-not-controller"
    title = "Only a controller decides on transfers"


class TransferSecondApprovalRequiredError(ConflictError):
    slug = "transfer-second-approval-required"
    title = "A second approval by a different controller is required"


class TransferNotSubmittedError(ConflictError):
    slug = "transfer-not-submitted"
    title = "The transfer is no longer awaiting a decision"


class AssetStatusInvalidError(DomainError):
    status = 422
    slug = "asset-status-invalid"
    title = "The asset cannot take this status"


class ChartRoleMissingError(ConflictError):
    slug = "chart-role-missing"
    title = "The group chart lacks an account the asset rules post to"


class DepreciationUnitsMissingError(ValidationFailedError):
    slug = "depreciation-units-missing"
    title = "Units of production are missing for the month"


_BY_TYPE: dict[str, type[DomainError]] = {
    cls.slug: cls
    for cls in (
        TransferAlreadyOpenError,
        AssetNotHeldBySenderError,
        AssetDisposedError,
        ReceiverOutsideGroupError,
        TransferToHolderError,
        AssetDepreciatedAfterDateError,
        TransferPriceInvalidError,
        TransferSelfApprovalError,
        TransferApproverNotControllerError,
        TransferSecondApprovalRequiredError,
        TransferNotSubmittedError,
        AssetStatusInvalidError,
        PeriodClosedError,
    )
}


def problem_errors(
    violations: Sequence[Violation], *, prefix: tuple[str, ...] = ("body",)
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in violations:
        entry = violation((*prefix, item.field), item.msg, item.type)
        entry.update({key: to_jsonable(value) for key, value in item.extra.items()})
        out.append(entry)
    return out


def raise_violations(violations: Sequence[Violation], *, detail: str) -> None:
    """Raise the error of the first violation (they come most fundamental first), listing all of them."""
    if not violations:
        return
    first = violations[0]
    error_class = _BY_TYPE.get(first.type, AssetValidationError)
    errors = problem_errors(violations)
    message = f"{detail}: {first.msg}"
    if issubclass(error_class, ValidationFailedError):
        raise error_class(message, errors=errors)
    raise error_class(message, errors=errors, **{k: to_jsonable(v) for k, v in first.extra.items()})
