"""Every query of the consolidation feature; returns models (or plain rows for the bulk reads), never commits.

The books of a run are read here set-based, for every consolidated company at once (`net_movements`): one
aggregate of the ledger's kept monthly balances, plus the journal lines of a partial month, grouped by
(entity, account, counterparty, year) and returned as plain tuples (through `bulk_rows`: on PostgreSQL
without per-value result processing, the sums of NUMERIC(24,4) columns arriving as Decimals of that scale).
The per-company trial balance of the ledger (`report_service.current_balances`) answers the same figures one
company and one query at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_, func, or_, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

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
from app.core.db import Base, bulk_rows
from app.core.money import Money
from app.ledger.models import AccountBalance, JournalEntry, JournalLine


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


M = TypeVar("M", bound=Base)
#: (entity, account, counterparty or None, fiscal year, debit less credit)
NetMovement = tuple[str, str, str | None, int, Decimal]
#: Entities per statement of the bulk reads (well inside every driver's limit on bound parameters).
_ENTITY_CHUNK = 2000


def chunks(ids: Collection[str]) -> list[list[str]]:
    ordered = sorted(ids)
    return [ordered[i : i + _ENTITY_CHUNK] for i in range(0, len(ordered), _ENTITY_CHUNK)]


def net_movements(
    session: Session,
    *,
    entity_ids: Collection[str],
    before_year: int,
    before_month: int,
    lines_from: date | None = None,
    lines_to: date | None = None,
) -> list[NetMovement]:
    """Debit less credit per (entity, account, counterparty, year) of the kept months before (`before_year`,
    `before_month`), and, when `lines_from` is given, of the journal lines dated `lines_from`..`lines_to`
    inclusive (a partial month, as the ledger's trial balance reads it)."""
    balance = AccountBalance
    out: list[NetMovement] = []
    for ids in chunks(entity_ids):
        kept = (
            select(
                balance.entity_id,
                balance.account_code,
                balance.counterparty_key,
                balance.year,
                type_coerce(func.sum(balance.debit - balance.credit), Money()),
            )
            .where(
                balance.entity_id.in_(ids),
                or_(
                    balance.year < before_year,
                    and_(balance.year == before_year, balance.month < before_month),
                ),
            )
            .group_by(balance.entity_id, balance.account_code, balance.counterparty_key, balance.year)
        )
        out.extend(
            (entity, code, cp or None, int(year), net or Decimal(0))
            for entity, code, cp, year, net in bulk_rows(session, kept)
        )
        if lines_from is None or lines_to is None:
            continue
        line, entry = JournalLine, JournalEntry
        partial = (
            select(
                line.entity_id,
                line.account_code,
                line.counterparty_entity_id,
                entry.fiscal_year,
                type_coerce(func.sum(line.debit - line.credit), Money()),
            )
            .join(entry, and_(entry.entity_id == line.entity_id, entry.id == line.entry_id))
            .where(entry.entity_id.in_(ids), entry.entry_date >= lines_from, entry.entry_date <= lines_to)
            .group_by(line.entity_id, line.account_code, line.counterparty_entity_id, entry.fiscal_year)
        )
        out.extend(
            (entity, code, cp, int(year), net or Decimal(0))
            for entity, code, cp, year, net in bulk_rows(session, partial)
        )
    return out


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


def _by_parent(
    session: Session,
    model: type[M],
    parent: InstrumentedAttribute[str],
    ids: Collection[str],
    order_by: Sequence[InstrumentedAttribute[Any]],
    *,
    dated: InstrumentedAttribute[date] | None = None,
    until: date | None = None,
) -> dict[str, list[M]]:
    """The rows of `model` whose `parent` column is one of `ids`, in `order_by` order, grouped by that id
    (every id present, with [] when it has none); with `dated` and `until`, those dated `until` or before."""
    out: dict[str, list[M]] = {i: [] for i in ids}
    if ids:
        query = select(model).where(parent.in_(sorted(ids))).order_by(*order_by)
        if dated is not None and until is not None:
            query = query.where(dated <= until)
        for row in session.execute(query).scalars():
            out[getattr(row, parent.key)].append(row)
    return out


def equity_lines(session: Session, *, acquisition_ids: Collection[str]) -> dict[str, list[AcquisitionEquity]]:
    model = AcquisitionEquity
    return _by_parent(
        session, model, model.acquisition_id, acquisition_ids, (model.acquisition_id, model.account_code)
    )


def fair_value_adjustments(
    session: Session, *, acquisition_ids: Collection[str]
) -> dict[str, list[FairValueAdjustment]]:
    model = FairValueAdjustment
    return _by_parent(
        session, model, model.acquisition_id, acquisition_ids, (model.acquisition_id, model.line_no)
    )


def fair_value_movements(
    session: Session, *, acquisition_ids: Collection[str], until: date | None = None
) -> dict[str, list[FairValueMovement]]:
    model = FairValueMovement
    return _by_parent(
        session,
        model,
        model.acquisition_id,
        acquisition_ids,
        (model.on, model.id),
        dated=model.on,
        until=until,
    )


def impairments(
    session: Session, *, acquisition_ids: Collection[str], until: date | None = None
) -> dict[str, list[GoodwillImpairment]]:
    model = GoodwillImpairment
    return _by_parent(
        session,
        model,
        model.acquisition_id,
        acquisition_ids,
        (model.on, model.id),
        dated=model.on,
        until=until,
    )


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
    model = ConsolidationAdjustmentLine
    return _by_parent(
        session, model, model.adjustment_id, adjustment_ids, (model.adjustment_id, model.line_no)
    )


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
