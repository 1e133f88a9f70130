"""The transfer workflow: who may ask, who may approve, and when a transfer may not happen at all.

submitted -> executed (approved: the entries of both companies are posted in the same transaction)
          -> rejected (with a reason)

Maker-checker: the approver must be a controller other than the requester. Above a configurable value
(the price of a sale, else the carrying amount, whichever is larger) a second approval by yet another
controller is needed; the first approval is recorded and the transfer stays submitted.

A transfer is refused when: another transfer of the asset is open; the asset is not held by the sender on
the transfer date or is disposed by then; the receiver is the sender, or outside the group (that is a
disposal, not a transfer); the month is closed in either company's books; the price does not fit the kind.
Each check returns a `Violation` whose `type` is the problem type it is reported as, and all of them are
returned at once. The service reports the first (they are ordered from the most fundamental) and lists
them all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.assets.domain.accounting import TransferKind

ZERO = Decimal(0)


class TransferStatus(StrEnum):
    SUBMITTED = "submitted"
    EXECUTED = "executed"
    REJECTED = "rejected"


class AssetStatus(StrEnum):
    IN_USE = "in_use"
    IDLE = "idle"
    HELD_FOR_SALE = "held_for_sale"
    DISPOSED = "disposed"


SETTABLE_STATUSES = frozenset({AssetStatus.IN_USE, AssetStatus.IDLE, AssetStatus.HELD_FOR_SALE})


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: `type` is the problem type slug, `field` the input it concerns."""

    field: str
    msg: str
    type: str
    extra: dict[str, Any] = dataclass_field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TransferRequestFacts:
    """What the rules need to know about a requested transfer (loaded by the service)."""

    kind: TransferKind
    price: Decimal | None
    transfer_on: date
    sender_id: str | None
    named_sender_id: str | None
    receiver_id: str
    receiver_exists: bool
    receiver_external: bool
    receiver_in_group: bool
    receiver_active: bool
    asset_disposed_on: date | None
    holding_since: date | None
    open_transfer_id: str | None
    closed_months: Collection[tuple[str, str]] = ()
    depreciated_after: str | None = None


def request_violations(facts: TransferRequestFacts) -> list[Violation]:
    """Every reason the transfer cannot be requested (or executed: the same rules are checked again)."""
    out: list[Violation] = []
    if facts.asset_disposed_on is not None and facts.asset_disposed_on <= facts.transfer_on:
        out.append(
            Violation(
                "asset_id",
                f"the asset was disposed of on {facts.asset_disposed_on}",
                "asset-disposed",
                {"disposed_on": facts.asset_disposed_on},
            )
        )
    if facts.sender_id is None:
        out.append(
            Violation(
                "transfer_on",
                f"no company holds the asset on {facts.transfer_on}",
                "asset-not-held-by-sender",
            )
        )
    elif facts.named_sender_id is not None and facts.named_sender_id != facts.sender_id:
        out.append(
            Violation(
                "from_entity_id",
                "the asset is not held by this company on the transfer date",
                "asset-not-held-by-sender",
                {"holder_entity_id": facts.sender_id},
            )
        )
    elif facts.holding_since is not None and facts.transfer_on <= facts.holding_since:
        out.append(
            Violation(
                "transfer_on",
                f"the sender holds the asset only from {facts.holding_since}",
                "asset-not-held-by-sender",
                {"holding_since": facts.holding_since},
            )
        )
    if facts.open_transfer_id is not None:
        out.append(
            Violation(
                "asset_id",
                "another transfer of this asset is open",
                "transfer-already-open",
                {"open_transfer_id": facts.open_transfer_id},
            )
        )
    if not facts.receiver_exists:
        out.append(Violation("to_entity_id", "no such company", "receiver-outside-group"))
    elif facts.sender_id is not None and facts.receiver_id == facts.sender_id:
        out.append(Violation("to_entity_id", "the receiver already holds the asset", "transfer-to-holder"))
    elif facts.receiver_external or not facts.receiver_in_group:
        out.append(
            Violation(
                "to_entity_id",
                "the receiver is outside the group: record a disposal instead",
                "receiver-outside-group",
            )
        )
    elif not facts.receiver_active:
        out.append(
            Violation(
                "to_entity_id",
                f"the receiver does not exist on {facts.transfer_on}",
                "receiver-outside-group",
            )
        )
    for entity_id, month in sorted(facts.closed_months):
        out.append(
            Violation(
                "transfer_on",
                f"{month} is closed in the books of {entity_id}",
                "period-closed",
                {"period": month, "entity_id": entity_id},
            )
        )
    if facts.depreciated_after is not None:
        out.append(
            Violation(
                "transfer_on",
                f"the sender has already booked depreciation for {facts.depreciated_after}",
                "asset-depreciated-after-date",
                {"period": facts.depreciated_after},
            )
        )
    out += price_violations(kind=facts.kind, price=facts.price)
    return out


def price_violations(*, kind: TransferKind, price: Decimal | None) -> list[Violation]:
    if kind is TransferKind.SALE and (price is None or price <= 0):
        return [Violation("price", "a sale needs a positive price", "transfer-price-invalid")]
    if kind is TransferKind.FREE_TRANSFER and price is not None:
        return [
            Violation(
                "price", "a free transfer has no price: it moves at carrying amount", "transfer-price-invalid"
            )
        ]
    if kind is TransferKind.CAPITAL_CONTRIBUTION and price is not None and price <= 0:
        return [
            Violation("price", "the registered capital subscribed must be positive", "transfer-price-invalid")
        ]
    return []


def transfer_value(*, price: Decimal | None, carrying_amount: Decimal) -> Decimal:
    """The value the approval threshold is compared with."""
    return max(price or ZERO, carrying_amount)


def approvals_required(*, value: Decimal, threshold: Decimal) -> int:
    """One approval, or two above the threshold."""
    return 2 if value > threshold else 1


@dataclass(frozen=True, slots=True)
class ApprovalFacts:
    status: TransferStatus
    requester_id: str | None
    approver_id: str | None
    approver_is_controller: bool
    earlier_approver_ids: Collection[str]
    required: int


def approval_violations(facts: ApprovalFacts) -> list[Violation]:
    """Every reason this user may not approve now (maker-checker, second approval, state)."""
    out: list[Violation] = []
    if facts.status is not TransferStatus.SUBMITTED:
        out.append(
            Violation(
                "status",
                f"the transfer is {facts.status}, not submitted",
                "transfer-not-submitted",
                {"transfer_status": facts.status.value},
            )
        )
    if not facts.approver_is_controller:
        out.append(
            Violation("approver", "only a controller approves transfers", "transfer-approver-not-controller")
        )
    if facts.approver_id is not None and facts.approver_id == facts.requester_id:
        out.append(
            Violation("approver", "the requester cannot approve their own transfer", "transfer-self-approval")
        )
    if facts.approver_id is not None and facts.approver_id in facts.earlier_approver_ids:
        out.append(
            Violation(
                "approver",
                f"this transfer needs {facts.required} approvals by different controllers",
                "transfer-second-approval-required",
                {"approvals_required": facts.required},
            )
        )
    return out


def rejection_violations(
    *, status: TransferStatus, requester_id: str | None, rejecter_id: str | None, rejecter_is_controller: bool
) -> list[Violation]:
    out: list[Violation] = []
    if status is not TransferStatus.SUBMITTED:
        out.append(
            Violation(
                "status",
                f"the transfer is {status}, not submitted",
                "transfer-not-submitted",
                {"transfer_status": status.value},
            )
        )
    if not rejecter_is_controller:
        out.append(
            Violation("approver", "only a controller rejects transfers", "transfer-approver-not-controller")
        )
    if rejecter_id is not None and rejecter_id == requester_id:
        out.append(
            Violation(
                "approver", "the requester cannot decide on their own transfer", "transfer-self-approval"
            )
        )
    return out


def status_violations(*, current: AssetStatus, new: AssetStatus) -> list[Violation]:
    if current is AssetStatus.DISPOSED:
        return [Violation("status", "the asset is disposed", "asset-disposed")]
    if new not in SETTABLE_STATUSES:
        return [
            Violation(
                "status", "an asset is disposed by a disposal, not by a status change", "asset-status-invalid"
            )
        ]
    return []
