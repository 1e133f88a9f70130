"""Transfers of assets between group companies: request, approve (maker-checker, a second approval above the
threshold) or reject; the execution (`transfer_execution`) posts both companies' entries, moves the asset to
a new book and records the unrealised profit for consolidation, all in the approval's transaction.

Lock order: the asset row, then the transfer row, then what the books and the audit trail lock while
posting. Two approvals racing for one asset, or approvals of two transfers of it, therefore run one after
the other, and the second finds the asset moved or the transfer decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import ZERO, AssetFacts, group_relation, held_asset, load_one
from app.assets.config import asset_settings
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    position_on,
)
from app.assets.domain.periods import (
    Period,
)
from app.assets.domain.workflow import (
    ApprovalFacts,
    TransferRequestFacts,
    TransferStatus,
    Violation,
    approval_violations,
    approvals_required,
    rejection_violations,
    request_violations,
    transfer_value,
)
from app.assets.errors import (
    TransferAlreadyOpenError,
    TransferNotFoundError,
    raise_violations,
)
from app.assets.models import (
    AssetTransfer,
    FixedAsset,
    TransferApproval,
    UnrealizedAssetProfit,
)
from app.assets.posting import month_closed, posted_after
from app.assets.transfer_execution import execute_transfer
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.security import Role
from app.entities import service as entities_service
from app.entities.models import LegalEntity

# ------------------------------------------------------------------------------------------- transfers


@dataclass(frozen=True)
class TransferView:
    transfer: AssetTransfer
    approvals: list[TransferApproval]
    unrealized: UnrealizedAssetProfit | None


def _transfer_view(session: Session, transfer: AssetTransfer) -> TransferView:
    return TransferView(
        transfer=transfer,
        approvals=repository.approvals_of(session, [transfer.id])[transfer.id],
        unrealized=repository.unrealized_for_transfers(session, [transfer.id]).get(transfer.id),
    )


def transfer_snapshot(transfer: AssetTransfer) -> dict[str, Any]:
    return {
        "asset_id": transfer.asset_id,
        "from_entity_id": transfer.from_entity_id,
        "to_entity_id": transfer.to_entity_id,
        "kind": transfer.kind,
        "price": transfer.price,
        "transfer_on": transfer.transfer_on,
        "status": transfer.status,
        "approvals_required": transfer.approvals_required,
        "carrying_amount": transfer.carrying_amount,
        "gain": transfer.gain,
        "seller_entry_id": transfer.seller_entry_id,
        "buyer_entry_id": transfer.buyer_entry_id,
        "rejection_reason": transfer.rejection_reason,
    }


def _request_facts(
    session: Session,
    *,
    actor: Actor,
    facts: AssetFacts,
    kind: acc.TransferKind,
    price: Decimal | None,
    transfer_on: date,
    receiver: LegalEntity,
    named_sender_id: str | None,
    exclude_transfer_id: str | None,
) -> tuple[TransferRequestFacts, acc.Relation]:
    asset = facts.asset
    book = facts.open_book()
    holder = book if book is not None else (facts.books[-1] if facts.books else None)
    sender_id = holder.entity_id if holder else None
    open_transfer = repository.open_transfer(session, asset.id)
    open_id = open_transfer.id if open_transfer and open_transfer.id != exclude_transfer_id else None
    in_group, relation = (False, acc.Relation.OTHER)
    if sender_id is not None:
        in_group, relation = group_relation(session, sender_id=sender_id, receiver=receiver, on=transfer_on)
    closed: list[tuple[str, str]] = []
    for entity_id in dict.fromkeys(e for e in (sender_id, receiver.id) if e is not None):
        if actor.can_see(entity_id) and month_closed(
            session, actor=actor, entity_id=entity_id, day=transfer_on
        ):
            closed.append((entity_id, str(Period.of(transfer_on))))
    late = None
    if book is not None and transfer_on > book.valid_from:
        late = posted_after(session, book=book, convention=facts.convention, day=transfer_on)
    return (
        TransferRequestFacts(
            kind=kind,
            price=price,
            transfer_on=transfer_on,
            sender_id=sender_id,
            named_sender_id=named_sender_id,
            receiver_id=receiver.id,
            receiver_exists=True,
            receiver_external=receiver.kind != "company",
            receiver_in_group=in_group,
            receiver_active=receiver.active_on(transfer_on),
            asset_disposed_on=asset.disposed_on,
            holding_since=holder.valid_from if holder else None,
            open_transfer_id=open_id,
            closed_months=closed,
            depreciated_after=late,
        ),
        relation,
    )


def request_transfer(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    asset_id: str,
    to_entity_id: str,
    kind: acc.TransferKind,
    transfer_on: date,
    reason: str,
    price: Decimal | None = None,
    from_entity_id: str | None = None,
    receiver_useful_life_months: int | None = None,
    receiver_residual_value: Decimal | None = None,
) -> TransferView:
    """Ask to move an asset to another group company (status `submitted`, awaiting a controller).

    Raises:
        AssetNotFoundError, EntityNotFoundError: unknown or invisible asset or receiver.
        The problem of the first broken rule, with every broken rule in `errors`: TransferAlreadyOpenError,
        AssetNotHeldBySenderError, AssetDisposedError, ReceiverOutsideGroupError, TransferToHolderError,
        PeriodClosedError, AssetDepreciatedAfterDateError, TransferPriceInvalidError.
    """
    with atomic(session):
        asset = held_asset(session, actor=actor, asset_id=asset_id)
        receiver = entities_service.get_entity(session, actor=actor, entity_id=to_entity_id)
        facts = load_one(session, asset.id)
        rules, _ = _request_facts(
            session,
            actor=actor,
            facts=facts,
            kind=kind,
            price=price,
            transfer_on=transfer_on,
            receiver=receiver,
            named_sender_id=from_entity_id,
            exclude_transfer_id=None,
        )
        violations = request_violations(rules)
        if receiver_residual_value is not None and kind is not acc.TransferKind.SALE:
            violations.append(
                Violation(
                    "receiver_residual_value", "only a sale starts a new schedule", "transfer-price-invalid"
                )
            )
        if receiver_useful_life_months is not None and kind is not acc.TransferKind.SALE:
            violations.append(
                Violation(
                    "receiver_useful_life_months",
                    "only a sale starts a new schedule",
                    "transfer-price-invalid",
                )
            )
        raise_violations(violations, detail=f"asset {asset.tag} cannot be transferred")
        book = facts.open_book()
        assert book is not None
        assert rules.sender_id is not None
        held = position_on(
            facts.domain_book(book, leaving_on=transfer_on), day=transfer_on, units=facts.units_of(book)
        )
        value = transfer_value(price=price, carrying_amount=held.carrying_amount)
        transfer = AssetTransfer(
            asset_id=asset.id,
            from_entity_id=rules.sender_id,
            to_entity_id=receiver.id,
            kind=kind.value,
            price=price,
            transfer_on=transfer_on,
            reason=reason,
            receiver_useful_life_months=receiver_useful_life_months,
            receiver_residual_value=receiver_residual_value,
            status=TransferStatus.SUBMITTED.value,
            approvals_required=approvals_required(
                value=value, threshold=asset_settings().second_approval_threshold
            ),
            requested_by_id=actor.user_id,
            requested_by=actor.username,
            requested_at=now,
            version=1,
        )
        try:
            with session.begin_nested():
                session.add(transfer)
                session.flush()
        except IntegrityError as exc:
            raise TransferAlreadyOpenError(
                f"another transfer of {asset.tag} is open", asset_id=asset.id
            ) from exc
        audit.record(
            session,
            actor=actor,
            action="asset.transfer.requested",
            subject_type="asset_transfer",
            subject_id=transfer.id,
            at=now,
            entity_id=transfer.from_entity_id,
            after={**transfer_snapshot(transfer), "reason": reason, "value": value},
        )
        return _transfer_view(session, transfer)


def _visible_transfer(session: Session, *, actor: Actor, transfer_id: str) -> AssetTransfer:
    transfer = repository.get_transfer(session, transfer_id)
    if transfer is None or not (
        actor.can_see(transfer.from_entity_id) or actor.can_see(transfer.to_entity_id)
    ):
        raise TransferNotFoundError(f"no asset transfer {transfer_id}", transfer_id=transfer_id)
    return transfer


def get_transfer(session: Session, *, actor: Actor, transfer_id: str) -> TransferView:
    """Raises TransferNotFoundError (unknown, or neither company visible to the actor)."""
    return _transfer_view(session, _visible_transfer(session, actor=actor, transfer_id=transfer_id))


def list_transfers(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    asset_id: str | None = None,
    status: str | None = None,
    entity_id: str | None = None,
) -> list[TransferView]:
    rows = repository.list_transfers(
        session,
        after_id=after_id,
        limit=limit,
        asset_id=asset_id,
        status=status,
        entity_id=entity_id,
        visible=actor.entity_ids,
    )
    approvals = repository.approvals_of(session, [r.id for r in rows])
    unrealized = repository.unrealized_for_transfers(session, [r.id for r in rows])
    return [
        TransferView(transfer=r, approvals=approvals[r.id], unrealized=unrealized.get(r.id)) for r in rows
    ]


def _lock_transfer(session: Session, *, actor: Actor, transfer_id: str) -> tuple[FixedAsset, AssetTransfer]:
    """Lock the asset, then the transfer (the order every use case follows); both sides must be visible."""
    found = repository.get_transfer(session, transfer_id)
    if found is None or not (actor.can_see(found.from_entity_id) and actor.can_see(found.to_entity_id)):
        raise TransferNotFoundError(f"no asset transfer {transfer_id}", transfer_id=transfer_id)
    asset = repository.lock_assets(session, [found.asset_id])[0]
    transfer = repository.get_transfer(session, transfer_id, for_update=True)
    assert transfer is not None
    return asset, transfer


def approve_transfer(
    session: Session, *, actor: Actor, transfer_id: str, now: datetime, comment: str | None = None
) -> TransferView:
    """Approve a submitted transfer; the last approval needed executes it (both companies' entries posted).

    Raises:
        TransferNotFoundError: unknown, or a company of it invisible to the actor.
        TransferNotSubmittedError (409), TransferApproverNotControllerError (403), TransferSelfApprovalError
        (403), TransferSecondApprovalRequiredError (409: the same controller approving again), and, checked
        again at execution, every refusal of `request_transfer`.
    """
    with atomic(session):
        asset, transfer = _lock_transfer(session, actor=actor, transfer_id=transfer_id)
        approvals = repository.approvals_of(session, [transfer.id])[transfer.id]
        facts = load_one(session, asset.id)
        receiver = entities_service.get_entity(session, actor=actor, entity_id=transfer.to_entity_id)
        book = facts.open_book()
        value = transfer.price or ZERO
        if book is not None and transfer.transfer_on > book.valid_from:
            held = facts.position_of(book, transfer.transfer_on)
            value = transfer_value(price=transfer.price, carrying_amount=held.carrying_amount)
        required = max(
            transfer.approvals_required,
            approvals_required(value=value, threshold=asset_settings().second_approval_threshold),
        )
        violations = approval_violations(
            ApprovalFacts(
                status=TransferStatus(transfer.status),
                requester_id=transfer.requested_by_id,
                approver_id=actor.user_id,
                approver_is_controller=actor.role == Role.CONTROLLER,
                earlier_approver_ids=[a.approver_id for a in approvals],
                required=required,
            )
        )
        raise_violations(violations, detail=f"transfer {transfer.id} cannot be approved")
        kind = acc.TransferKind(transfer.kind)
        rules, relation = _request_facts(
            session,
            actor=actor,
            facts=facts,
            kind=kind,
            price=transfer.price,
            transfer_on=transfer.transfer_on,
            receiver=receiver,
            named_sender_id=transfer.from_entity_id,
            exclude_transfer_id=transfer.id,
        )
        raise_violations(request_violations(rules), detail=f"transfer {transfer.id} cannot be executed")
        approval = TransferApproval(
            transfer_id=transfer.id,
            approver_id=actor.user_id or actor.username,
            approver=actor.username,
            approved_at=now,
            comment=comment,
        )
        session.add(approval)
        transfer.approvals_required = required
        transfer.version += 1
        session.flush()
        before = transfer_snapshot(transfer)
        if len(approvals) + 1 < required:
            audit.record(
                session,
                actor=actor,
                action="asset.transfer.approved",
                subject_type="asset_transfer",
                subject_id=transfer.id,
                at=now,
                entity_id=transfer.from_entity_id,
                before=before,
                after={**transfer_snapshot(transfer), "approvals": len(approvals) + 1, "comment": comment},
            )
            return _transfer_view(session, transfer)
        execute_transfer(
            session, actor=actor, asset=asset, transfer=transfer, facts=facts, relation=relation, now=now
        )
        audit.record(
            session,
            actor=actor,
            action="asset.transfer.executed",
            subject_type="asset_transfer",
            subject_id=transfer.id,
            at=now,
            entity_id=transfer.from_entity_id,
            before=before,
            after={**transfer_snapshot(transfer), "approvals": len(approvals) + 1, "comment": comment},
        )
        return _transfer_view(session, transfer)


def reject_transfer(
    session: Session, *, actor: Actor, transfer_id: str, reason: str, now: datetime
) -> TransferView:
    """Reject a submitted transfer, with the reason.

    Raises:
        TransferNotFoundError, TransferNotSubmittedError, TransferApproverNotControllerError,
        TransferSelfApprovalError.
    """
    with atomic(session):
        _, transfer = _lock_transfer(session, actor=actor, transfer_id=transfer_id)
        violations = rejection_violations(
            status=TransferStatus(transfer.status),
            requester_id=transfer.requested_by_id,
            rejecter_id=actor.user_id,
            rejecter_is_controller=actor.role == Role.CONTROLLER,
        )
        raise_violations(violations, detail=f"transfer {transfer.id} cannot be rejected")
        before = transfer_snapshot(transfer)
        transfer.status = TransferStatus.REJECTED.value
        transfer.rejection_reason = reason
        transfer.rejected_by = actor.username
        transfer.decided_at = now
        transfer.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.transfer.rejected",
            subject_type="asset_transfer",
            subject_id=transfer.id,
            at=now,
            entity_id=transfer.from_entity_id,
            before=before,
            after=transfer_snapshot(transfer),
        )
        return _transfer_view(session, transfer)
