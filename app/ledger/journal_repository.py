"""Queries of the journal: entry numbers, entries and their lines, the keyset listing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from app.ledger.models import EntryCounter, JournalEntry, JournalLine
from app.ledger.repository import insert_for


def next_entry_number(session: Session, *, entity_id: str, fiscal_year: int) -> int:
    """The next number of the entity's fiscal year, with the counter row locked until the transaction ends.

    The counter row is created if missing (ON CONFLICT DO NOTHING, so two first postings cannot collide), then
    incremented by one UPDATE, which takes the row lock: a concurrent posting for the same entity and year
    waits here until this transaction commits or rolls back, so numbers are gapless and unique.
    """
    table = EntryCounter.__table__
    session.execute(
        insert_for(session, table)  # type: ignore[arg-type]
        .values(entity_id=entity_id, fiscal_year=fiscal_year, last_number=0)
        .on_conflict_do_nothing(index_elements=["entity_id", "fiscal_year"])
    )
    number = session.execute(
        update(EntryCounter)
        .where(EntryCounter.entity_id == entity_id, EntryCounter.fiscal_year == fiscal_year)
        .values(last_number=EntryCounter.last_number + 1)
        .returning(EntryCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(number)


def add_entry(session: Session, *, entry: JournalEntry, lines: Sequence[JournalLine]) -> None:
    session.add(entry)
    session.flush()
    session.add_all(lines)
    session.flush()


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
