"""HTTP: group-level consolidation adjustments and unrealised profit in inventory.

Roles: recording is preparers' work (admin, controller, accountant); every role reads. A user limited to
some entities records only with entities it sees, and sees an adjustment when it sees its entity, an
unrealised profit when it sees the seller or the buyer; otherwise 404.
"""

from __future__ import annotations

from datetime import date

from fastapi import Response

from app.consolidation import adjustment_service
from app.consolidation.api import IdQuery, Preparer, Reader, after
from app.consolidation.models import UnrealizedInventoryProfit
from app.consolidation.schemas import (
    AdjustmentCreate,
    AdjustmentLineRead,
    AdjustmentRead,
    UnrealizedProfitCreate,
    UnrealizedProfitRead,
)
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router

adjustments_router = feature_router(tag="consolidation", prefix="/consolidation-adjustments")
unrealized_router = feature_router(tag="consolidation", prefix="/unrealized-profits")


def adjustment_read(view: adjustment_service.AdjustmentView) -> AdjustmentRead:
    row = view.row
    return AdjustmentRead(
        id=row.id,
        as_of=row.as_of,
        entity_id=row.entity_id,
        description=row.description,
        carry_forward=row.carry_forward,
        lines=[AdjustmentLineRead.model_validate(line, from_attributes=True) for line in view.lines],
        created_at=row.created_at,
        created_by=row.created_by,
    )


@adjustments_router.post(
    "",
    response_model=AdjustmentRead,
    status_code=201,
    operation_id="create_consolidation_adjustment",
    responses=problem_responses(404),
)
def create_consolidation_adjustment(
    body: AdjustmentCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> AdjustmentRead:
    """A group-level journal booked in one company for the runs of `as_of` (items in transit, alignment of
    accounting policies); with `carry_forward` also for later runs."""
    view = adjustment_service.create_adjustment(
        session,
        actor=actor,
        as_of=body.as_of,
        entity_id=body.entity_id,
        description=body.description,
        lines=[
            adjustment_service.AdjustmentLineInput(
                account_code=line.account_code,
                debit=line.debit or adjustment_service.ZERO,
                credit=line.credit or adjustment_service.ZERO,
                counterparty_entity_id=line.counterparty_entity_id,
            )
            for line in body.lines
        ],
        carry_forward=body.carry_forward,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/consolidation-adjustments/{view.row.id}"
    return adjustment_read(view)


@adjustments_router.get(
    "", response_model=Page[AdjustmentRead], operation_id="list_consolidation_adjustments"
)
def list_consolidation_adjustments(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    as_of: date | None = None,
    entity_id: IdQuery = None,
) -> Page[AdjustmentRead]:
    found = adjustment_service.list_adjustments(
        session, actor=actor, limit=limit + 1, after_id=after(cursor), as_of=as_of, entity_id=entity_id
    )
    items = [adjustment_read(v) for v in found[:limit]]
    return Page[AdjustmentRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(found) > limit else None
    )


@adjustments_router.get(
    "/{adjustment_id}",
    response_model=AdjustmentRead,
    operation_id="read_consolidation_adjustment",
    responses=problem_responses(404),
)
def read_consolidation_adjustment(
    adjustment_id: str, actor: Reader, session: ReadSessionDep
) -> AdjustmentRead:
    return adjustment_read(
        adjustment_service.get_adjustment(session, actor=actor, adjustment_id=adjustment_id)
    )


def unrealized_read(row: UnrealizedInventoryProfit) -> UnrealizedProfitRead:
    return UnrealizedProfitRead.model_validate(row, from_attributes=True)


@unrealized_router.post(
    "",
    response_model=UnrealizedProfitRead,
    status_code=201,
    operation_id="record_unrealized_profit",
    responses=problem_responses(404),
)
def record_unrealized_profit(
    body: UnrealizedProfitCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> UnrealizedProfitRead:
    """Intra-group goods still held on `as_of`: the profit in them (`amount`: held x markup / (1 + markup),
    held x margin, or as given) is eliminated by the run of that date and released by the next period's."""
    row = adjustment_service.create_unrealized_profit(
        session,
        actor=actor,
        as_of=body.as_of,
        seller_id=body.seller_id,
        buyer_id=body.buyer_id,
        inventory_at_transfer_price=body.inventory_at_transfer_price,
        markup_on_cost=body.markup_on_cost,
        margin_on_sales=body.margin_on_sales,
        unrealized_profit=body.unrealized_profit,
        deferred_tax_rate=body.deferred_tax_rate,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/unrealized-profits/{row.id}"
    return unrealized_read(row)


@unrealized_router.get("", response_model=Page[UnrealizedProfitRead], operation_id="list_unrealized_profits")
def list_unrealized_profits(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    as_of: date | None = None,
    entity_id: IdQuery = None,
) -> Page[UnrealizedProfitRead]:
    rows = adjustment_service.list_unrealized_profits(
        session, actor=actor, limit=limit + 1, after_id=after(cursor), as_of=as_of, entity_id=entity_id
    )
    items = [unrealized_read(r) for r in rows[:limit]]
    return Page[UnrealizedProfitRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(rows) > limit else None
    )


@unrealized_router.get(
    "/{record_id}",
    response_model=UnrealizedProfitRead,
    operation_id="read_unrealized_profit",
    responses=problem_responses(404),
)
def read_unrealized_profit(record_id: str, actor: Reader, session: ReadSessionDep) -> UnrealizedProfitRead:
    return unrealized_read(
        adjustment_service.get_unrealized_profit(session, actor=actor, record_id=record_id)
    )
