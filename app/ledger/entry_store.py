"""Writing checked journal entries: numbers, headers, lines and kept balances, set-based. The use cases in
`service` check and audit first (`entry_records.audit_snapshot`), then store here, inside their transaction
(the lock order is `service`'s).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.core.context import Actor
from app.entities.models import LegalEntity
from app.ledger import balance_repository, journal_repository
from app.ledger.domain.calendar import fiscal_period_of, format_period
from app.ledger.domain.entries import PostedLine
from app.ledger.entry_records import BookedEntry, PostedEntry, with_rows
from app.ledger.errors import PeriodClosedError
from app.ledger.models import NO_COUNTERPARTY, JournalEntry


@dataclass(frozen=True)
class PendingEntry:
    """A checked entry whose audit event is recorded, ready to be numbered and written."""

    entity: LegalEntity
    entry_id: str
    entry_date: date
    description: str
    source: str
    source_ref: str | None
    reverses_id: str | None
    lines: Sequence[PostedLine]


def store_many(
    session: Session, *, actor: Actor, pending: Sequence[PendingEntry], now: datetime
) -> list[BookedEntry]:
    """Number, write and keep the balances of checked entries whose audit events are recorded, set-based:
    one query for closed months, one counter update per fiscal year, the headers in one flush, every line
    in one bulk insert (COPY on PostgreSQL) and one upsert per kept-balance key.

    Raises:
        PeriodClosedError: an entry's month is closed for its entity (the first such entry is named).
    """
    periods = [(p.entity.id, *fiscal_period_of(p.entry_date)) for p in pending]
    closed = journal_repository.closed_months_of(session, entity_months=set(periods))
    for item, (_entity_id, year, month) in zip(pending, periods, strict=True):
        if (item.entity.id, year, month) in closed:
            raise PeriodClosedError(
                f"{format_period(year, month)} is closed for {item.entity.code}",
                entity_id=item.entity.id,
                period=format_period(year, month),
            )
    counts = Counter((entity_id, year) for entity_id, year, _ in periods)
    last = journal_repository.next_entry_numbers(session, counts=counts)
    next_number = {key: last[key] - count + 1 for key, count in counts.items()}
    headers: list[JournalEntry] = []
    line_rows: list[tuple[object, ...]] = []
    totals: dict[balance_repository.BalanceKey, list[Decimal]] = {}
    for item, (entity_id, year, month) in zip(pending, periods, strict=True):
        number = next_number[(entity_id, year)]
        next_number[(entity_id, year)] = number + 1
        headers.append(
            JournalEntry(
                id=item.entry_id,
                entity_id=entity_id,
                fiscal_year=year,
                fiscal_month=month,
                number=number,
                entry_date=item.entry_date,
                description=item.description,
                source=item.source,
                source_ref=item.source_ref,
                reverses_id=item.reverses_id,
                preparer_id=actor.user_id,
                preparer=actor.username,
                posted_at=now,
            )
        )
        entry_id = item.entry_id
        for ln in item.lines:
            line_rows.append(
                (
                    entity_id,
                    entry_id,
                    ln.line_no,
                    ln.account_code,
                    ln.debit,
                    ln.credit,
                    ln.counterparty_entity_id,
                    ln.currency,
                    ln.amount_in_currency,
                    ln.rate,
                    ln.memo,
                )
            )
            key = (entity_id, ln.account_code, ln.counterparty_entity_id or NO_COUNTERPARTY, year, month)
            total = totals.get(key)
            if total is None:
                totals[key] = [ln.debit, ln.credit]
            else:
                total[0] += ln.debit
                total[1] += ln.credit
    journal_repository.add_entries(session, entries=headers, lines=line_rows)
    balance_repository.add_to_kept_balances(
        session, totals={key: (debit, credit) for key, (debit, credit) in totals.items()}
    )
    return [
        BookedEntry(entry=header, lines=list(item.lines))
        for header, item in zip(headers, pending, strict=True)
    ]


def store_one(
    session: Session,
    *,
    actor: Actor,
    entity: LegalEntity,
    entry_id: str,
    entry_date: date,
    description: str,
    source: str,
    source_ref: str | None,
    reverses_id: str | None,
    lines: Sequence[PostedLine],
    now: datetime,
) -> PostedEntry:
    (booked,) = store_many(
        session,
        actor=actor,
        pending=[
            PendingEntry(entity, entry_id, entry_date, description, source, source_ref, reverses_id, lines)
        ],
        now=now,
    )
    return with_rows(booked)
