"""Routes of asset transfers between group companies: request, list, read, approve, reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from app.assets import (
    transfer_service,
)
from app.assets.api_common import Controller, Preparer, Reader, after_id, cents_opt, unrealized_read
from app.assets.domain.accounting import TransferKind
from app.assets.transfer_schemas import (
    ApprovalCreate,
    ApprovalRead,
    RejectionCreate,
    TransferCreate,
    TransferRead,
    TransferStatusName,
)
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.etag import etag_for
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router

transfers_router = feature_router(tag="assets")


def _transfer_read(view: transfer_service.TransferView) -> TransferRead:
    t = view.transfer
    return TransferRead(
        id=t.id,
        asset_id=t.asset_id,
        from_entity_id=t.from_entity_id,
        to_entity_id=t.to_entity_id,
        kind=t.kind,
        price=cents_opt(t.price),
        transfer_on=t.transfer_on,
        reason=t.reason,
        status=t.status,
        approvals_required=t.approvals_required,
        approvals=[
            ApprovalRead(
                approver_id=a.approver_id, approver=a.approver, approved_at=a.approved_at, comment=a.comment
            )
            for a in view.approvals
        ],
        requested_by=t.requested_by,
        requested_at=t.requested_at,
        decided_at=t.decided_at,
        rejected_by=t.rejected_by,
        rejection_reason=t.rejection_reason,
        carrying_amount=cents_opt(t.carrying_amount),
        gain=cents_opt(t.gain),
        group_cost=cents_opt(t.group_cost),
        group_accumulated_depreciation=cents_opt(t.group_accumulated_depreciation),
        seller_entry_id=t.seller_entry_id,
        buyer_entry_id=t.buyer_entry_id,
        unrealized_profit=unrealized_read(view.unrealized) if view.unrealized else None,
        version=t.version,
    )


# --------------------------------------------------------------------------------------------- transfers


@transfers_router.post(
    "/asset-transfers",
    response_model=TransferRead,
    status_code=201,
    operation_id="request_asset_transfer",
    responses=problem_responses(404, 409),
)
def request_asset_transfer(
    body: TransferCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> TransferRead:
    """Ask to move an asset to another group company; a controller other than the requester approves."""
    view = transfer_service.request_transfer(
        session,
        actor=actor,
        now=now,
        asset_id=body.asset_id,
        to_entity_id=body.to_entity_id,
        kind=TransferKind(body.kind),
        transfer_on=body.transfer_on,
        reason=body.reason,
        price=body.price,
        from_entity_id=body.from_entity_id,
        receiver_useful_life_months=body.receiver_useful_life_months,
        receiver_residual_value=body.receiver_residual_value,
    )
    response.headers["ETag"] = etag_for(view.transfer.version)
    return _transfer_read(view)


@transfers_router.get(
    "/asset-transfers", response_model=Page[TransferRead], operation_id="list_asset_transfers"
)
def list_asset_transfers(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    asset_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[TransferStatusName | None, Query()] = None,
    entity_id: Annotated[str | None, Query(max_length=36, description="sender or receiver")] = None,
) -> Page[TransferRead]:
    views = transfer_service.list_transfers(
        session,
        actor=actor,
        limit=limit + 1,
        after_id=after_id(cursor),
        asset_id=asset_id,
        status=status,
        entity_id=entity_id,
    )
    items = [_transfer_read(v) for v in views[:limit]]
    return Page[TransferRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(views) > limit else None
    )


@transfers_router.get(
    "/asset-transfers/{transfer_id}",
    response_model=TransferRead,
    operation_id="read_asset_transfer",
    responses=problem_responses(404),
)
def read_asset_transfer(
    transfer_id: str, actor: Reader, session: ReadSessionDep, response: Response
) -> TransferRead:
    view = transfer_service.get_transfer(session, actor=actor, transfer_id=transfer_id)
    response.headers["ETag"] = etag_for(view.transfer.version)
    return _transfer_read(view)


@transfers_router.post(
    "/asset-transfers/{transfer_id}/approve",
    response_model=TransferRead,
    operation_id="approve_asset_transfer",
    responses=problem_responses(404, 409),
)
def approve_asset_transfer(
    transfer_id: str, actor: Controller, session: SessionDep, now: NowDep, body: ApprovalCreate | None = None
) -> TransferRead:
    """Approve (a controller other than the requester). The last approval needed executes the transfer: the
    sender's and the receiver's entries are posted and the asset changes hands in one transaction."""
    view = transfer_service.approve_transfer(
        session, actor=actor, transfer_id=transfer_id, now=now, comment=body.comment if body else None
    )
    return _transfer_read(view)


@transfers_router.post(
    "/asset-transfers/{transfer_id}/reject",
    response_model=TransferRead,
    operation_id="reject_asset_transfer",
    responses=problem_responses(404, 409),
)
def reject_asset_transfer(
    transfer_id: str, body: RejectionCreate, actor: Controller, session: SessionDep, now: NowDep
) -> TransferRead:
    view = transfer_service.reject_transfer(
        session, actor=actor, transfer_id=transfer_id, reason=body.reason, now=now
    )
    return _transfer_read(view)
