"""Every query of the consolidation feature; returns models, never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.consolidation.models import (
    Acquisition,
    AcquisitionEquity,
    ConsolidationAdjustment,
    ConsolidationAdjustmentLine,
    ConsolidationRun,
    FairValueAdjustment,
    FairValueMovement,
    GoodwillImpairment,
    UnrealizedInventoryProfit,
)


class RunHeader(NamedTuple):
    """A run without its documents (they can be large): what a listing shows."""

    id: str
    parent_id: str
    as_of: date
    period_start: date
    currency: str
    status: str
    input_hash: str
    result_hash: str
    created_at: datetime
    created_by: str


# ---------------------------------------------------------------------------------------------- acquisitions


def get_acquisition(session: Session, acquisition_id: str, *, for_update: bool = False) -> Acquisition | None:
    return session.get(Acquisition, acquisition_id, with_for_update=for_update)


def list_acquisitions(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    acquirer_id: str | None,
    acquiree_id: str | None,
    entity_ids: frozenset[str] | None,
) -> Sequence[Acquisition]:
    query = select(Acquisition).order_by(Acquisition.id).limit(limit)
    if after_id is not None:
        query = query.where(Acquisition.id > after_id)
    if acquirer_id is not None:
        query = query.where(Acquisition.acquirer_id == acquirer_id)
    if acquiree_id is not None:
        query = query.where(Acquisition.acquiree_id == acquiree_id)
    if entity_ids is not None:
        ids = sorted(entity_ids)
        query = query.where(or_(Acquisition.acquirer_id.in_(ids), Acquisition.acquiree_id.in_(ids)))
    return session.execute(query).scalars().all()


def acquisitions_of(session: Session, *, acquiree_ids: Collection[str], until: date) -> Sequence[Acquisition]:
    """Acquisitions of any of the entities made on or before `until`, oldest first."""
    if not acquiree_ids:
        return []
    query = (
        select(Acquisition)
        .where(Acquisition.acquiree_id.in_(sorted(acquiree_ids)), Acquisition.acquired_on <= until)
        .order_by(Acquisition.acquired_on, Acquisition.id)
    )
    return session.execute(query).scalars().all()


def equity_lines(session: Session, *, acquisition_ids: Collection[str]) -> dict[str, list[AcquisitionEquity]]:
    out: dict[str, list[AcquisitionEquity]] = {i: [] for i in acquisition_ids}
    if acquisition_ids:
        query = (
            select(AcquisitionEquity)
            .where(AcquisitionEquity.acquisition_id.in_(sorted(acquisition_ids)))
            .order_by(AcquisitionEquity.acquisition_id, AcquisitionEquity.account_code)
        )
        for row in session.execute(query).scalars():
            out[row.acquisition_id].append(row)
    return out


def fair_value_adjustments(
    session: Session, *, acquisition_ids: Collection[str]
) -> dict[str, list[FairValueAdjustment]]:
    out: dict[str, list[FairValueAdjustment]] = {i: [] for i in acquisition_ids}
    if acquisition_ids:
        query = (
            select(FairValueAdjustment)
            .where(FairValueAdjustment.acquisition_id.in_(sorted(acquisition_ids)))
            .order_by(FairValueAdjustment.acquisition_id, FairValueAdjustment.line_no)
        )
        for row in session.execute(query).scalars():
            out[row.acquisition_id].append(row)
    return out


def fair_value_movements(
    session: Session, *, acquisition_ids: Collection[str], until: date | None = None
) -> dict[str, list[FairValueMovement]]:
    out: dict[str, list[FairValueMovement]] = {i: [] for i in acquisition_ids}
    if acquisition_ids:
        query = (
            select(FairValueMovement)
            .where(FairValueMovement.acquisition_id.in_(sorted(acquisition_ids)))
            .order_by(FairValueMovement.on, FairValueMovement.id)
        )
        if until is not None:
            query = query.where(FairValueMovement.on <= until)
        for row in session.execute(query).scalars():
            out[row.acquisition_id].append(row)
    return out


def impairments(
    session: Session, *, acquisition_ids: Collection[str], until: date | None = None
) -> dict[str, list[GoodwillImpairment]]:
    out: dict[str, list[GoodwillImpairment]] = {i: [] for i in acquisition_ids}
    if acquisition_ids:
        query = (
            select(GoodwillImpairment)
            .where(GoodwillImpairment.acquisition_id.in_(sorted(acquisition_ids)))
            .order_by(GoodwillImpairment.on, GoodwillImpairment.id)
        )
        if until is not None:
            query = query.where(GoodwillImpairment.on <= until)
        for row in session.execute(query).scalars():
            out[row.acquisition_id].append(row)
    return out


# ---------------------------------------------------------------------------------------------- adjustments


def get_adjustment(session: Session, adjustment_id: str) -> ConsolidationAdjustment | None:
    return session.get(ConsolidationAdjustment, adjustment_id)


def list_adjustments(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    as_of: date | None,
    entity_id: str | None,
    entity_ids: frozenset[str] | None,
) -> Sequence[ConsolidationAdjustment]:
    query = select(ConsolidationAdjustment).order_by(ConsolidationAdjustment.id).limit(limit)
    if after_id is not None:
        query = query.where(ConsolidationAdjustment.id > after_id)
    if as_of is not None:
        query = query.where(ConsolidationAdjustment.as_of == as_of)
    if entity_id is not None:
        query = query.where(ConsolidationAdjustment.entity_id == entity_id)
    if entity_ids is not None:
        query = query.where(ConsolidationAdjustment.entity_id.in_(sorted(entity_ids)))
    return session.execute(query).scalars().all()


def adjustments_for_run(
    session: Session, *, entity_ids: Collection[str], as_of: date
) -> Sequence[ConsolidationAdjustment]:
    """Adjustments of the entities for `as_of`, and earlier ones that carry forward."""
    if not entity_ids:
        return []
    query = (
        select(ConsolidationAdjustment)
        .where(
            ConsolidationAdjustment.entity_id.in_(sorted(entity_ids)),
            or_(
                ConsolidationAdjustment.as_of == as_of,
                (ConsolidationAdjustment.as_of < as_of) & ConsolidationAdjustment.carry_forward.is_(True),
            ),
        )
        .order_by(ConsolidationAdjustment.id)
    )
    return session.execute(query).scalars().all()


def adjustment_lines(
    session: Session, *, adjustment_ids: Collection[str]
) -> dict[str, list[ConsolidationAdjustmentLine]]:
    out: dict[str, list[ConsolidationAdjustmentLine]] = {i: [] for i in adjustment_ids}
    if adjustment_ids:
        query = (
            select(ConsolidationAdjustmentLine)
            .where(ConsolidationAdjustmentLine.adjustment_id.in_(sorted(adjustment_ids)))
            .order_by(ConsolidationAdjustmentLine.adjustment_id, ConsolidationAdjustmentLine.line_no)
        )
        for row in session.execute(query).scalars():
            out[row.adjustment_id].append(row)
    return out


# ---------------------------------------------------------------------------------------------- unrealised


def get_unrealized(session: Session, record_id: str) -> UnrealizedInventoryProfit | None:
    return session.get(UnrealizedInventoryProfit, record_id)


def list_unrealized(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    as_of: date | None,
    entity_id: str | None,
    entity_ids: frozenset[str] | None,
) -> Sequence[UnrealizedInventoryProfit]:
    record = UnrealizedInventoryProfit
    query = select(record).order_by(record.id).limit(limit)
    if after_id is not None:
        query = query.where(record.id > after_id)
    if as_of is not None:
        query = query.where(record.as_of == as_of)
    if entity_id is not None:
        query = query.where(or_(record.seller_id == entity_id, record.buyer_id == entity_id))
    if entity_ids is not None:
        ids = sorted(entity_ids)
        query = query.where(or_(record.seller_id.in_(ids), record.buyer_id.in_(ids)))
    return session.execute(query).scalars().all()


def unrealized_on(session: Session, *, dates: Collection[date]) -> Sequence[UnrealizedInventoryProfit]:
    record = UnrealizedInventoryProfit
    query = select(record).where(record.as_of.in_(sorted(dates))).order_by(record.as_of, record.id)
    return session.execute(query).scalars().all()


# ---------------------------------------------------------------------------------------------- runs


def get_run(session: Session, run_id: str) -> ConsolidationRun | None:
    return session.get(ConsolidationRun, run_id)


def list_runs(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    parent_id: str | None,
    as_of: date | None,
    entity_ids: frozenset[str] | None,
) -> list[RunHeader]:
    run = ConsolidationRun
    query = (
        select(
            run.id,
            run.parent_id,
            run.as_of,
            run.period_start,
            run.currency,
            run.status,
            run.input_hash,
            run.result_hash,
            run.created_at,
            run.created_by,
        )
        .order_by(run.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(run.id > after_id)
    if parent_id is not None:
        query = query.where(run.parent_id == parent_id)
    if as_of is not None:
        query = query.where(run.as_of == as_of)
    if entity_ids is not None:
        query = query.where(run.parent_id.in_(sorted(entity_ids)))
    return [RunHeader._make(row) for row in session.execute(query)]
