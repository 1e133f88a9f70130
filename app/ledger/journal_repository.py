"""Queries of the journal: entry numbers, entries and their lines, the keyset listing."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, exists, insert, select, tuple_, update
from sqlalchemy.orm import Session

from app.ledger import repository
from app.ledger.models import Account, EntryCounter, FiscalPeriod, JournalEntry, JournalLine
from app.ledger.repository import insert_for


def next_entry_numbers(
    session: Session, *, counts: Mapping[tuple[str, int], int]
) -> dict[tuple[str, int], int]:
    """Take `count` numbers of each (entity, fiscal year); answers the last number taken of each, with the
    counter rows locked until the transaction ends.

    Missing counter rows are created (ON CONFLICT DO NOTHING, so two first postings cannot collide), then
    each counter is advanced by an UPDATE, which takes the row lock: a concurrent posting for the same entity
    and year waits here until this transaction commits or rolls back, so numbers are gapless and unique. One
    UPDATE per distinct count (a group close takes one number per entity: one statement).
    """
    if not counts:
        return {}
    table = EntryCounter.__table__
    session.execute(
        insert_for(session, table).on_conflict_do_nothing(index_elements=["entity_id", "fiscal_year"]),  # type: ignore[arg-type]
        [
            {"entity_id": entity_id, "fiscal_year": year, "last_number": 0}
            for entity_id, year in sorted(counts)
        ],
    )
    by_count: dict[int, list[tuple[str, int]]] = {}
    for key, count in counts.items():
        by_count.setdefault(count, []).append(key)
    out: dict[tuple[str, int], int] = {}
    for count, keys in sorted(by_count.items()):
        for start in range(0, len(keys), _KEYS_PER_STATEMENT):
            chunk = sorted(keys[start : start + _KEYS_PER_STATEMENT])
            rows = session.execute(
                update(EntryCounter)
                .where(tuple_(EntryCounter.entity_id, EntryCounter.fiscal_year).in_(chunk))
                .values(last_number=EntryCounter.last_number + count)
                .returning(EntryCounter.entity_id, EntryCounter.fiscal_year, EntryCounter.last_number)
                .execution_options(synchronize_session=False)
            )
            out.update({(entity_id, int(year)): int(last) for entity_id, year, last in rows})
    return out


def closed_months_of(
    session: Session, *, entity_months: Collection[tuple[str, int, int]]
) -> set[tuple[str, int, int]]:
    """Which (entity, year, month) of `entity_months` are closed, read fresh (a close committed meanwhile is
    seen)."""
    if not entity_months:
        return set()
    entity_ids = sorted({entity_id for entity_id, _, _ in entity_months})
    years = sorted({year for _, year, _ in entity_months})
    out: set[tuple[str, int, int]] = set()
    for start in range(0, len(entity_ids), _KEYS_PER_STATEMENT):
        rows = session.execute(
            select(FiscalPeriod.entity_id, FiscalPeriod.year, FiscalPeriod.month).where(
                FiscalPeriod.entity_id.in_(entity_ids[start : start + _KEYS_PER_STATEMENT]),
                FiscalPeriod.year.in_(years),
                FiscalPeriod.status == "closed",
            )
        )
        out.update((entity_id, int(year), int(month)) for entity_id, year, month in rows)
    return out & set(entity_months)


def known_account_codes(session: Session, *, codes: Collection[str]) -> set[str]:
    """Which of `codes` are accounts of the chart. Many codes (a package's adjustment names most of the
    chart) are checked against the whole chart, read without parameters: cheaper than binding hundreds."""
    if len(codes) <= _KEYS_PER_STATEMENT // 10:
        return repository.existing_account_codes(session, codes=codes)
    return set(session.execute(select(Account.code)).scalars()) & set(codes)


#: journal_line columns in the order of the rows `add_entries` takes.
LINE_COLUMNS = (
    "entity_id",
    "entry_id",
    "line_no",
    "account_code",
    "debit",
    "credit",
    "counterparty_entity_id",
    "currency",
    "amount_in_currency",
    "rate",
    "memo",
)
_KEYS_PER_STATEMENT = 500
_SQLITE_ROWS_PER_BATCH = 50_000
_COPY_FROM_LINES = 100


def add_entries(
    session: Session, *, entries: Sequence[JournalEntry], lines: Sequence[Sequence[object]]
) -> None:
    """Write entries and their lines: the headers in one flush, the lines set-based, never one mapped object
    per line. `lines` are tuples in LINE_COLUMNS order, amounts already at the stored scale.

    On PostgreSQL many lines go through COPY on the session's own connection (same transaction); a few lines,
    and every line elsewhere, through one executemany of a Core INSERT (COPY's extra round trips cost more
    than they save on a small entry).
    """
    session.add_all(entries)
    session.flush()
    if not lines:
        return
    if session.get_bind().dialect.name == "postgresql" and len(lines) >= _COPY_FROM_LINES:
        raw = session.connection().connection.driver_connection
        statement = f"COPY journal_line ({', '.join(LINE_COLUMNS)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in lines:
                copy.write_row(row)
        return
    table = cast(Table, JournalLine.__table__)
    for start in range(0, len(lines), _SQLITE_ROWS_PER_BATCH):
        session.execute(
            insert(table),
            [
                dict(zip(LINE_COLUMNS, row, strict=True))
                for row in lines[start : start + _SQLITE_ROWS_PER_BATCH]
            ],
        )


def find_entry(session: Session, *, entry_id: str, for_update: bool = False) -> JournalEntry | None:
    query = select(JournalEntry).where(JournalEntry.id == entry_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def lines_of(session: Session, *, entity_id: str, entry_id: str) -> list[JournalLine]:
    query = (
        select(JournalLine)
        .where(JournalLine.entity_id == entity_id, JournalLine.entry_id == entry_id)
        .order_by(JournalLine.line_no)
    )
    return list(session.execute(query).scalars())


def lines_of_entries(session: Session, *, entry_ids: Collection[str]) -> dict[str, list[JournalLine]]:
    if not entry_ids:
        return {}
    query = (
        select(JournalLine)
        .where(JournalLine.entry_id.in_(sorted(entry_ids)))
        .order_by(JournalLine.entry_id, JournalLine.line_no)
    )
    out: dict[str, list[JournalLine]] = {entry_id: [] for entry_id in entry_ids}
    for line in session.execute(query).scalars():
        out[line.entry_id].append(line)
    return out


@dataclass(frozen=True)
class JournalFilter:
    """Listing filters; `visible_entity_ids` None means every entity. Dates: `date_from` inclusive, `date_to`
    exclusive."""

    visible_entity_ids: frozenset[str] | None = None
    entity_id: str | None = None
    account_code: str | None = None
    counterparty_entity_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def list_entries(
    session: Session, *, filters: JournalFilter, after_id: str | None, limit: int
) -> Sequence[JournalEntry]:
    """One page in id order (ids are time-ordered), starting after `after_id`."""
    query = select(JournalEntry).order_by(JournalEntry.id).limit(limit)
    if after_id is not None:
        query = query.where(JournalEntry.id > after_id)
    if filters.visible_entity_ids is not None:
        query = query.where(JournalEntry.entity_id.in_(sorted(filters.visible_entity_ids)))
    if filters.entity_id is not None:
        query = query.where(JournalEntry.entity_id == filters.entity_id)
    if filters.date_from is not None:
        query = query.where(JournalEntry.entry_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(JournalEntry.entry_date < filters.date_to)
    if filters.account_code is not None or filters.counterparty_entity_id is not None:
        line_query = select(JournalLine.line_no).where(
            JournalLine.entity_id == JournalEntry.entity_id, JournalLine.entry_id == JournalEntry.id
        )
        if filters.account_code is not None:
            line_query = line_query.where(JournalLine.account_code == filters.account_code)
        if filters.counterparty_entity_id is not None:
            line_query = line_query.where(
                JournalLine.counterparty_entity_id == filters.counterparty_entity_id
            )
        query = query.where(exists(line_query))
    return session.execute(query).scalars().all()


def entity_ids_with_entries(session: Session) -> list[str]:
    return list(
        session.execute(select(JournalEntry.entity_id).distinct().order_by(JournalEntry.entity_id)).scalars()
    )
