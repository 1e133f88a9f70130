"""A posted entry as the use cases hand it around, and what the audit trail keeps of one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.ledger.domain.entries import PostedLine
from app.ledger.models import JournalEntry, JournalLine


@dataclass(frozen=True)
class PostedEntry:
    entry: JournalEntry
    lines: list[JournalLine]


def entry_snapshot(
    entry_id: str,
    entity_id: str,
    entry_date: date,
    description: str,
    source: str,
    source_ref: str | None,
    reverses_id: str | None,
    lines: Sequence[PostedLine],
) -> dict[str, Any]:
    """What the audit trail keeps of a posted entry (the number is allocated after the event is recorded)."""
    return {
        "id": entry_id,
        "entity_id": entity_id,
        "entry_date": entry_date,
        "description": description,
        "source": source,
        "source_ref": source_ref,
        "reverses_id": reverses_id,
        "lines": [
            {
                "account_code": ln.account_code,
                "debit": ln.debit,
                "credit": ln.credit,
                "counterparty_entity_id": ln.counterparty_entity_id,
                "currency": ln.currency,
                "amount_in_currency": ln.amount_in_currency,
                "rate": ln.rate,
            }
            for ln in lines
        ],
    }


def posted_lines(rows: Sequence[JournalLine]) -> list[PostedLine]:
    return [
        PostedLine(
            line_no=r.line_no,
            account_code=r.account_code,
            debit=r.debit,
            credit=r.credit,
            counterparty_entity_id=r.counterparty_entity_id,
            currency=r.currency,
            amount_in_currency=r.amount_in_currency,
            rate=r.rate,
            memo=r.memo,
        )
        for r in rows
    ]
