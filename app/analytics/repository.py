"""Read-only queries the analytics need and no other feature offers: gross movements of a period by source.

Balances come through the ledger's report service; only the gross debits and credits of a few accounts,
without the entries that merely move existing assets inside the group, are summed here, in one query for
every company of the period.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.ledger.models import JournalEntry, JournalLine

ZERO = Decimal(0)

#: entity id -> (debits by account, credits by account)
GrossMovements = dict[str, tuple[dict[str, Decimal], dict[str, Decimal]]]


def gross_movements(
    session: Session,
    *,
    entity_ids: Collection[str],
    accounts: Collection[str],
    date_from: date,
    date_to: date,
    excluded_sources: Collection[str],
) -> GrossMovements:
    """Debits and credits per (company, account) of the entries dated `date_from`..`date_to` (inclusive) whose
    source is not in `excluded_sources`."""
    out: GrossMovements = {e: ({}, {}) for e in entity_ids}
    if not entity_ids or not accounts:
        return out
    query = (
        select(
            JournalLine.entity_id,
            JournalLine.account_code,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .join(
            JournalEntry,
            and_(JournalEntry.entity_id == JournalLine.entity_id, JournalEntry.id == JournalLine.entry_id),
        )
        .where(
            JournalLine.entity_id.in_(sorted(entity_ids)),
            JournalLine.account_code.in_(sorted(accounts)),
            JournalEntry.entry_date >= date_from,
            JournalEntry.entry_date <= date_to,
            JournalEntry.source.not_in(sorted(excluded_sources)),
        )
        .group_by(JournalLine.entity_id, JournalLine.account_code)
    )
    for entity_id, code, debit, credit in session.execute(query):
        debits, credits = out[entity_id]
        debits[code] = debit or ZERO
        credits[code] = credit or ZERO
    return out
