"""Kept balances: monthly debit and credit totals per (entity, account, counterparty), and the line sums they
must equal.

Trial balances read the kept months; only a date inside a month adds that month's lines up to the date (one
month of one entity), so no report ever scans the whole journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.orm import Session

from app.core.db import bulk_rows
from app.core.money import ZERO
from app.ledger.domain.trial_balance import Movement
from app.ledger.models import NO_COUNTERPARTY, AccountBalance, JournalEntry, JournalLine
from app.ledger.repository import insert_for

#: (account code, counterparty key, year, month) -> (debit, credit)
MonthKey = tuple[str, str, int, int]


#: (entity, account code, counterparty key, year, month): one kept-balance row.
BalanceKey = tuple[str, str, str, int, int]

_BALANCE_COLUMNS = ("entity_id", "account_code", "counterparty_key", "year", "month", "debit", "credit")
_KEYS_PER_UPSERT = 5_000
_PG_UPSERT = text(
    "INSERT INTO account_balance (entity_id, account_code, counterparty_key, year, month, debit, credit) "
    "SELECT * FROM unnest(CAST(:entity_id AS varchar[]), CAST(:account_code AS varchar[]), "
    "CAST(:counterparty_key AS varchar[]), CAST(:year AS smallint[]), CAST(:month AS smallint[]), "
    "CAST(:debit AS numeric[]), CAST(:credit AS numeric[])) "
    "ON CONFLICT (entity_id, account_code, counterparty_key, year, month) DO UPDATE SET "
    "debit = account_balance.debit + excluded.debit, credit = account_balance.credit + excluded.credit"
)


#: From this many keys on, PostgreSQL gets the amounts by COPY into a temporary table and one upsert from it:
#: a third cheaper than binding arrays of a hundred thousand numerics.
_COPY_FROM_KEYS = 300
_DELTA_COLUMNS = ", ".join(_BALANCE_COLUMNS)
_PG_DELTA_TABLE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS account_balance_delta (LIKE account_balance) ON COMMIT DELETE ROWS"
)
_PG_UPSERT_FROM_DELTA = text(
    "INSERT INTO account_balance (entity_id, account_code, counterparty_key, year, month, debit, credit) "
    "SELECT entity_id, account_code, counterparty_key, year, month, debit, credit FROM account_balance_delta "
    "ORDER BY entity_id, account_code, counterparty_key, year, month "
    "ON CONFLICT (entity_id, account_code, counterparty_key, year, month) DO UPDATE SET "
    "debit = account_balance.debit + excluded.debit, credit = account_balance.credit + excluded.credit"
)


def _copy_upsert(
    session: Session, *, keys: list[BalanceKey], totals: Mapping[BalanceKey, tuple[Decimal, Decimal]]
) -> None:
    """The PostgreSQL upsert of many keys: COPY into the connection's temporary delta table (emptied at
    commit, and right after use so a second posting in the same transaction starts empty), then one
    INSERT ... SELECT ... ON CONFLICT DO UPDATE, in key order (the lock order of every posting)."""
    connection = session.connection()
    connection.exec_driver_sql(_PG_DELTA_TABLE)
    raw = connection.connection.driver_connection
    assert raw is not None
    statement = f"COPY account_balance_delta ({_DELTA_COLUMNS}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for key in keys:
            copy.write_row((*key, *totals[key]))
    session.execute(_PG_UPSERT_FROM_DELTA)
    connection.exec_driver_sql("TRUNCATE account_balance_delta")


def add_to_kept_balances(session: Session, *, totals: Mapping[BalanceKey, tuple[Decimal, Decimal]]) -> None:
    """Add posted amounts to the kept months in the posting transaction: one upsert per key, in batches
    (INSERT ... ON CONFLICT DO UPDATE on both databases), keys in sorted order so concurrent postings lock
    rows in the same order.

    `totals` has one item per key (sum the lines first): PostgreSQL refuses to update a row twice in one
    statement. On PostgreSQL a batch is one statement over arrays (`unnest`), with the amounts as exact
    numerics; on SQLite one executemany of the Core upsert (the money type scales the amounts).
    """
    if not totals:
        return
    keys = sorted(totals)
    if session.get_bind().dialect.name == "postgresql" and len(keys) >= _COPY_FROM_KEYS:
        _copy_upsert(session, keys=keys, totals=totals)
        return
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(keys), _KEYS_PER_UPSERT):
            chunk = keys[start : start + _KEYS_PER_UPSERT]
            columns: list[list[object]] = [[] for _ in _BALANCE_COLUMNS]
            for key in chunk:
                for column, value in zip(columns, (*key, *totals[key]), strict=True):
                    column.append(value)
            session.execute(_PG_UPSERT, dict(zip(_BALANCE_COLUMNS, columns, strict=True)))
        return
    table = AccountBalance.__table__
    statement = insert_for(session, table)  # type: ignore[arg-type]
    statement = statement.on_conflict_do_update(
        index_elements=["entity_id", "account_code", "counterparty_key", "year", "month"],
        set_={
            "debit": table.c.debit + statement.excluded.debit,
            "credit": table.c.credit + statement.excluded.credit,
        },
    )
    for start in range(0, len(keys), _KEYS_PER_UPSERT):
        session.execute(
            statement,
            [
                dict(zip(_BALANCE_COLUMNS, (*key, *totals[key]), strict=True))
                for key in keys[start : start + _KEYS_PER_UPSERT]
            ],
        )


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
        for code, cp, year, debit, credit in bulk_rows(session, query)
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
        for code, cp, year, debit, credit in bulk_rows(session, query)
    ]


class TaggedMovement(NamedTuple):
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
        for entity, code, cp, year, debit, credit in bulk_rows(session, query)
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
        for entity, code, cp, year, debit, credit in bulk_rows(session, query)
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
