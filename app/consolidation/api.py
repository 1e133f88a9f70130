"""HTTP: business combinations and their later events (fair-value movements, goodwill impairments).

Roles: recording is preparers' work (admin, controller, accountant); every role reads. A user limited to
some entities records only between entities it sees and sees an acquisition when it sees either party;
otherwise 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from app.consolidation import acquisition_service, event_service
from app.consolidation.acquisition_rules import AcquisitionInput, AdjustmentInput
from app.consolidation.models import FairValueMovement, GoodwillImpairment
from app.consolidation.schemas import (
    AcquisitionCreate,
    AcquisitionRead,
    EquityLineRead,
    FairValueAdjustmentRead,
    FairValueMovementCreate,
    FairValueMovementRead,
    ImpairmentCreate,
    ImpairmentRead,
)
from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import PREPARERS, READERS
from app.users.auth import allow

acquisitions_router = feature_router(tag="consolidation", prefix="/acquisitions")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
IdQuery = Annotated[str | None, Query(min_length=1, max_length=36)]


def after(cursor: str | None) -> str | None:
    values = decode_cursor(cursor, arity=1)
    return str(values[0]) if values else None


def movement_read(row: FairValueMovement) -> FairValueMovementRead:
    return FairValueMovementRead.model_validate(row, from_attributes=True)


def impairment_read(row: GoodwillImpairment) -> ImpairmentRead:
    return ImpairmentRead.model_validate(row, from_attributes=True)


def acquisition_read(view: acquisition_service.AcquisitionView) -> AcquisitionRead:
    row = view.row
    return AcquisitionRead(
        id=row.id,
        acquirer_id=row.acquirer_id,
        acquiree_id=row.acquiree_id,
        acquired_on=row.acquired_on,
        share=row.share,
        voting_share=row.voting_share,
        consideration=row.consideration,
        currency=row.currency,
        combination=row.combination,
        nci_measurement=row.nci_measurement,
        nci_fair_value=row.nci_fair_value,
        previously_held_fair_value=row.previously_held_fair_value,
        previously_held_carrying_amount=row.previously_held_carrying_amount,
        deferred_tax_rate=row.deferred_tax_rate,
        equity_source=row.equity_source,
        equity_at_acquisition=[
            EquityLineRead(account_code=e.account_code, amount=e.amount) for e in view.equity
        ],
        fair_value_adjustments=[
            FairValueAdjustmentRead.model_validate(a, from_attributes=True) for a in view.adjustments
        ],
        fair_value_movements=[movement_read(m) for m in view.movements],
        goodwill_impairments=[impairment_read(i) for i in view.impairments],
        net_assets=row.net_assets,
        goodwill=row.goodwill,
        bargain_purchase_gain=row.bargain_purchase_gain,
        capital_reserve_adjustment=row.capital_reserve_adjustment,
        nci_at_acquisition=row.nci_at_acquisition,
        goodwill_attributable_to_nci=row.goodwill_attributable_to_nci,
        acquirer_interest=row.acquirer_interest,
        stake_id=row.stake_id,
        created_at=row.created_at,
        created_by=row.created_by,
    )


@acquisitions_router.post(
    "",
    response_model=AcquisitionRead,
    status_code=201,
    operation_id="record_acquisition",
    responses=problem_responses(404, 409),
)
def record_acquisition(
    body: AcquisitionCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> AcquisitionRead:
    """Record a business combination: goodwill (or a bargain purchase gain, or under common control the
    capital reserve adjustment) and the NCI at acquisition, computed as the group sees it on that date. The
    acquirer's holding is recorded as a stake from `acquired_on` unless already in force as such. The equity
    at acquisition defaults to the acquiree's books on that date."""
    request = AcquisitionInput(
        acquirer_id=body.acquirer_id,
        acquiree_id=body.acquiree_id,
        acquired_on=body.acquired_on,
        share=body.share,
        voting_share=body.voting_share if body.voting_share is not None else body.share,
        consideration=body.consideration,
        combination=body.combination,
        nci_measurement=body.nci_measurement,
        nci_fair_value=body.nci_fair_value,
        previously_held_fair_value=body.previously_held_fair_value,
        previously_held_carrying_amount=body.previously_held_carrying_amount,
        equity_at_acquisition=[(e.account_code, e.amount) for e in body.equity_at_acquisition]
        if body.equity_at_acquisition is not None
        else None,
        fair_value_adjustments=[AdjustmentInput(**a.model_dump()) for a in body.fair_value_adjustments],
        deferred_tax_rate=body.deferred_tax_rate,
    )
    view = acquisition_service.record_acquisition(session, actor=actor, request=request, now=now)
    response.headers["Location"] = f"/api/v1/acquisitions/{view.row.id}"
    return acquisition_read(view)


@acquisitions_router.get("", response_model=Page[AcquisitionRead], operation_id="list_acquisitions")
def list_acquisitions(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    acquirer_id: IdQuery = None,
    acquiree_id: IdQuery = None,
) -> Page[AcquisitionRead]:
    found = acquisition_service.list_acquisitions(
        session,
        actor=actor,
        limit=limit + 1,
        after_id=after(cursor),
        acquirer_id=acquirer_id,
        acquiree_id=acquiree_id,
    )
    items = [acquisition_read(v) for v in found[:limit]]
    return Page[AcquisitionRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(found) > limit else None
    )


@acquisitions_router.get(
    "/{acquisition_id}",
    response_model=AcquisitionRead,
    operation_id="read_acquisition",
    responses=problem_responses(404),
)
def read_acquisition(acquisition_id: str, actor: Reader, session: ReadSessionDep) -> AcquisitionRead:
    return acquisition_read(
        acquisition_service.read_acquisition(session, actor=actor, acquisition_id=acquisition_id)
    )


@acquisitions_router.post(
    "/{acquisition_id}/fair-value-movements",
    response_model=FairValueMovementRead,
    status_code=201,
    operation_id="record_fair_value_movement",
    responses=problem_responses(404),
)
def record_fair_value_movement(
    acquisition_id: str, body: FairValueMovementCreate, actor: Preparer, session: SessionDep, now: NowDep
) -> FairValueMovementRead:
    """Part of a fair-value adjustment realised otherwise than by depreciation (inventory sold, liability
    settled): from `on` the group's P&L carries it and the adjustment is that much smaller."""
    row = event_service.record_fair_value_movement(
        session,
        actor=actor,
        acquisition_id=acquisition_id,
        on=body.on,
        account_code=body.account_code,
        amount=body.amount,
        pnl_account_code=body.pnl_account_code,
        now=now,
    )
    return movement_read(row)


@acquisitions_router.post(
    "/{acquisition_id}/goodwill-impairments",
    response_model=ImpairmentRead,
    status_code=201,
    operation_id="record_goodwill_impairment",
    responses=problem_responses(404),
)
def record_goodwill_impairment(
    acquisition_id: str, body: ImpairmentCreate, actor: Preparer, session: SessionDep, now: NowDep
) -> ImpairmentRead:
    """An impairment loss on the combination's goodwill (for an associate: on the whole investment)."""
    row = event_service.record_goodwill_impairment(
        session, actor=actor, acquisition_id=acquisition_id, on=body.on, amount=body.amount, now=now
    )
    return impairment_read(row)
