"""Kept balances: monthly debit and credit totals per (entity, account, counterparty), and the line sums they
must equal.

Trial balances read the kept months; only a date inside a month adds that month's lines up to the date (one
month of one entity), so no report ever scans the whole journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.core.money import ZERO
from app.ledger.domain.trial_balance import Movement
from app.ledger.models import NO_COUNTERPARTY, AccountBalance, JournalEntry, JournalLine
from app.ledger.repository import insert_for

#: (account code, counterparty key, year, month) -> (debit, credit)
MonthKey = tuple[str, str, int, int]


def add_to_balances(
    session: Session, *, entity_id: str, totals: Mapping[MonthKey, tuple[Decimal, Decimal]]
) -> None:
    """Add posted amounts to the kept months in the posting transaction (one upsert statement).

    `totals` has one item per key: PostgreSQL refuses to update the same row twice in one statement.
    """
    if not totals:
        return
    table = AccountBalance.__table__
    rows = [
        {
            "entity_id": entity_id,
            "account_code": code,
            "counterparty_key": counterparty,
            "year": year,
            "month": month,
            "debit": debit,
            "credit": credit,
        }
        for (code, counterparty, year, month), (debit, credit) in sorted(totals.items())
    ]
    statement = insert_for(session, table).values(rows)  # type: ignore[arg-type]
    statement = statement.on_conflict_do_update(
        index_elements=["entity_id", "account_code", "counterparty_key", "year", "month"],
        set_={
            "debit": table.c.debit + statement.excluded.debit,
            "credit": table.c.credit + statement.excluded.credit,
        },
    )
    session.execute(statement)


def _counterparty(key: str) -> str | None:
    return None if key == NO_COUNTERPARTY else key


def _before(year: int, month: int) -> ColumnElement[bool]:
    return or_(AccountBalance.year < year, and_(AccountBalance.year == year, AccountBalance.month < month))


def kept_movements(
    session: Session, *, entity_id: str, before_year: int, before_month: int
) -> list[Movement]:
    """Kept totals per (account, counterparty, year) of every month before (`before_year`, `before_month`)."""
    query = (
        select(
            AccountBalance.account_code,
            AccountBalance.counterparty_key,
            AccountBalance.year,
            func.sum(AccountBalance.debit),
            func.sum(AccountBalance.credit),
        )
        .where(AccountBalance.entity_id == entity_id, _before(before_year, before_month))
        .group_by(AccountBalance.account_code, AccountBalance.counterparty_key, AccountBalance.year)
    )
    return [
        Movement(code, _counterparty(cp), int(year), debit or ZERO, credit or ZERO)
        for code, cp, year, debit, credit in session.execute(query)
    ]


def line_movements(session: Session, *, entity_id: str, date_from: date, date_to: date) -> list[Movement]:
    """Line totals per (account, counterparty, year), entry dates from `date_from` to `date_to` inclusive."""
    query = (
        select(
            JournalLine.account_code,
            JournalLine.counterparty_entity_id,
            JournalEntry.fiscal_year,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .join(
            JournalEntry,
            and_(JournalEntry.entity_id == JournalLine.entity_id, JournalEntry.id == JournalLine.entry_id),
        )
        .where(
            JournalEntry.entity_id == entity_id,
            JournalEntry.entry_date >= date_from,
            JournalEntry.entry_date <= date_to,
        )
        .group_by(JournalLine.account_code, JournalLine.counterparty_entity_id, JournalEntry.fiscal_year)
    )
    return [
        Movement(code, cp, int(year), debit or ZERO, credit or ZERO)
        for code, cp, year, debit, credit in session.execute(query)
    ]


@dataclass(frozen=True)
class TaggedMovement:
    entity_id: str
    movement: Movement


def kept_tagged_movements(session: Session, *, before_year: int, before_month: int) -> list[TaggedMovement]:
    """Kept totals of lines with a counterparty, every entity, months before the given one."""
    query = (
        select(
            AccountBalance.entity_id,
            AccountBalance.account_code,
            AccountBalance.counterparty_key,
            AccountBalance.year,
            func.sum(AccountBalance.debit),
            func.sum(AccountBalance.credit),
        )
        .where(AccountBalance.counterparty_key != NO_COUNTERPARTY, _before(before_year, before_month))
        .group_by(
            AccountBalance.entity_id,
            AccountBalance.account_code,
            AccountBalance.counterparty_key,
            AccountBalance.year,
        )
    )
    return [
        TaggedMovement(entity, Movement(code, cp, int(year), debit or ZERO, credit or ZERO))
        for entity, code, cp, year, debit, credit in session.execute(query)
    ]


def line_tagged_movements(session: Session, *, date_from: date, date_to: date) -> list[TaggedMovement]:
    """Line totals with a counterparty, every entity, entry dates in [`date_from`, `date_to`] (inclusive)."""
    query = (
        select(
            JournalLine.entity_id,
            JournalLine.account_code,
            JournalLine.counterparty_entity_id,
            JournalEntry.fiscal_year,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .join(
            JournalEntry,
            and_(JournalEntry.entity_id == JournalLine.entity_id, JournalEntry.id == JournalLine.entry_id),
        )
        .where(
            JournalLine.counterparty_entity_id.is_not(None),
            JournalEntry.entry_date >= date_from,
            JournalEntry.entry_date <= date_to,
        )
        .group_by(
            JournalLine.entity_id,
            JournalLine.account_code,
            JournalLine.counterparty_entity_id,
            JournalEntry.fiscal_year,
        )
    )
    return [
        TaggedMovement(entity, Movement(code, cp, int(year), debit or ZERO, credit or ZERO))
        for entity, code, cp, year, debit, credit in session.execute(query)
    ]


def kept_months(session: Session, *, entity_id: str) -> dict[MonthKey, tuple[Decimal, Decimal]]:
    query = select(
        AccountBalance.account_code,
        AccountBalance.counterparty_key,
        AccountBalance.year,
        AccountBalance.month,
        AccountBalance.debit,
        AccountBalance.credit,
    ).where(AccountBalance.entity_id == entity_id)
    return {
        (code, cp, int(year), int(month)): (debit, credit)
        for code, cp, year, month, debit, credit in session.execute(query)
    }


def summed_months(session: Session, *, entity_id: str) -> dict[MonthKey, tuple[Decimal, Decimal]]:
    """What the kept months must be: the sums of the journal lines."""
    counterparty = func.coalesce(JournalLine.counterparty_entity_id, NO_COUNTERPARTY)
    query = (
        select(
            JournalLine.account_code,
            counterparty,
            JournalEntry.fiscal_year,
            JournalEntry.fiscal_month,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .join(
            JournalEntry,
            and_(JournalEntry.entity_id == JournalLine.entity_id, JournalEntry.id == JournalLine.entry_id),
        )
        .where(JournalLine.entity_id == entity_id)
        .group_by(JournalLine.account_code, counterparty, JournalEntry.fiscal_year, JournalEntry.fiscal_month)
    )
    return {
        (code, cp, int(year), int(month)): (debit or ZERO, credit or ZERO)
        for code, cp, year, month, debit, credit in session.execute(query)
    }


def entity_ids_with_balances(session: Session) -> list[str]:
    return list(
        session.execute(
            select(AccountBalance.entity_id).distinct().order_by(AccountBalance.entity_id)
        ).scalars()
    )


def month_totals(
    lines: Iterable[tuple[str, str | None, int, int, Decimal, Decimal]],
) -> dict[MonthKey, tuple[Decimal, Decimal]]:
    """(account, counterparty, year, month, debit, credit) rows summed per kept-balance key."""
    totals: dict[MonthKey, tuple[Decimal, Decimal]] = {}
    for code, counterparty, year, month, debit, credit in lines:
        key = (code, counterparty or NO_COUNTERPARTY, year, month)
        old_debit, old_credit = totals.get(key, (ZERO, ZERO))
        totals[key] = (old_debit + debit, old_credit + credit)
    return totals
