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


@dataclass(frozen=True)
class BookedEntry:
    """A posted entry with its lines as stored. The lines are plain records, not ORM rows: an entry of a
    hundred thousand lines is written set-based and never becomes a hundred thousand mapped objects."""

    entry: JournalEntry
    lines: list[PostedLine]


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


def with_rows(booked: BookedEntry) -> PostedEntry:
    """The entry as other features take it (lines as mapped rows, not attached to the session)."""
    entry = booked.entry
    return PostedEntry(
        entry=entry,
        lines=[
            JournalLine(
                entity_id=entry.entity_id,
                entry_id=entry.id,
                line_no=ln.line_no,
                account_code=ln.account_code,
                debit=ln.debit,
                credit=ln.credit,
                counterparty_entity_id=ln.counterparty_entity_id,
                currency=ln.currency,
                amount_in_currency=ln.amount_in_currency,
                rate=ln.rate,
                memo=ln.memo,
            )
            for ln in booked.lines
        ],
    )


#: Above this many lines an entry's audit snapshot keeps each line as one text (see `audit_snapshot`).
LARGE_ENTRY_LINES = 100
LINE_TEXT_FIELDS = (
    "account_code",
    "debit",
    "credit",
    "counterparty_entity_id",
    "currency",
    "amount_in_currency",
    "rate",
)


def audit_snapshot(
    entry_id: str,
    entity_id: str,
    entry_date: date,
    description: str,
    source: str,
    source_ref: str | None,
    lines: Sequence[PostedLine],
) -> dict[str, Any]:
    """What the audit trail keeps of a posted entry: `entry_snapshot`, every line with every value.

    A large entry (a reporting package's adjustment has a line per account and counterparty) keeps each line
    as one text, its values in LINE_TEXT_FIELDS order joined by "|" (no counterparty: empty), with that
    order in `line_fields`: the same content, but canonical JSON and hashing then cost one string per line
    instead of a nested object of seven values, which was a third of a package import's time.
    """
    if len(lines) <= LARGE_ENTRY_LINES:
        return entry_snapshot(entry_id, entity_id, entry_date, description, source, source_ref, None, lines)
    return {
        "id": entry_id,
        "entity_id": entity_id,
        "entry_date": entry_date,
        "description": description,
        "source": source,
        "source_ref": source_ref,
        "reverses_id": None,
        "line_fields": "|".join(LINE_TEXT_FIELDS),
        "lines": [
            f"{ln.account_code}|{ln.debit:f}|{ln.credit:f}|{ln.counterparty_entity_id or ''}|{ln.currency}|"
            f"{ln.amount_in_currency:f}|{ln.rate:f}"
            for ln in lines
        ],
    }
