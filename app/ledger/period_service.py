"""Closing and reopening months of an entity's books (controllers; audited).

A month with no row is open. Closing writes (or updates) the row; posting reads it afresh after taking the
audit chain's lock, which closing also takes, so a posting never slips into a month closed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.ledger import repository
from app.ledger.access import visible_entity
from app.ledger.domain.calendar import format_period
from app.ledger.errors import PeriodStateError
from app.ledger.models import FiscalPeriod

OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True)
class PeriodView:
    entity_id: str
    year: int
    month: int
    status: str
    closed_at: datetime | None = None
    closed_by: str | None = None
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    version: int = 0

    @property
    def period(self) -> str:
        return format_period(self.year, self.month)


def _view(row: FiscalPeriod) -> PeriodView:
    return PeriodView(
        entity_id=row.entity_id,
        year=row.year,
        month=row.month,
        status=row.status,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        reopened_at=row.reopened_at,
        reopened_by=row.reopened_by,
        version=row.version,
    )


def _change(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    year: int,
    month: int,
    to_status: str,
    reason: str | None,
    now: datetime,
) -> PeriodView:
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        period = format_period(year, month)
        action = "ledger.period.closed" if to_status == CLOSED else "ledger.period.reopened"
        audit.record(
            session,
            actor=actor,
            action=action,
            subject_type="fiscal_period",
            subject_id=f"{entity.id}:{period}",
            at=now,
            entity_id=entity.id,
            before={"status": CLOSED if to_status == OPEN else OPEN},
            after={"status": to_status, "reason": reason},
        )
        row = repository.get_period(session, entity_id=entity.id, year=year, month=month, for_update=True)
        current = row.status if row is not None else OPEN
        if current == to_status:
            raise PeriodStateError(
                f"{period} of {entity.code} is already {to_status}",
                entity_id=entity.id,
                period=period,
                period_status=current,
            )
        if row is None:
            row = FiscalPeriod(entity_id=entity.id, year=year, month=month, status=to_status, version=0)
            session.add(row)
        row.status = to_status
        if to_status == CLOSED:
            row.closed_at, row.closed_by = now, actor.username
        else:
            row.reopened_at, row.reopened_by = now, actor.username
        row.version += 1
        session.flush()
        return _view(row)


def close_period(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    year: int,
    month: int,
    now: datetime,
    reason: str | None = None,
) -> PeriodView:
    """Lock a month of one entity: postings dated in it are refused (409 period-closed) until it is reopened.

    Raises:
        EntityNotFoundError: unknown or invisible entity.
        PeriodStateError: the month is already closed.
    """
    return _change(
        session,
        actor=actor,
        entity_id=entity_id,
        year=year,
        month=month,
        to_status=CLOSED,
        reason=reason,
        now=now,
    )


def reopen_period(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    year: int,
    month: int,
    now: datetime,
    reason: str | None = None,
) -> PeriodView:
    """Unlock a closed month (a controller's audited act; the reason is kept in the audit trail).

    Raises:
        EntityNotFoundError: unknown or invisible entity.
        PeriodStateError: the month is not closed.
    """
    return _change(
        session,
        actor=actor,
        entity_id=entity_id,
        year=year,
        month=month,
        to_status=OPEN,
        reason=reason,
        now=now,
    )


def list_periods(session: Session, *, actor: Actor, entity_id: str, year: int) -> list[PeriodView]:
    """The twelve months of a fiscal year with their status.

    Raises:
        EntityNotFoundError: unknown or invisible entity.
    """
    entity = visible_entity(session, actor=actor, entity_id=entity_id)
    rows = repository.periods_of_year(session, entity_id=entity.id, year=year)
    return [
        _view(rows[month])
        if month in rows
        else PeriodView(entity_id=entity.id, year=year, month=month, status=OPEN)
        for month in range(1, 13)
    ]
