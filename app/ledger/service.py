"""Posting and reversing journal entries. Other features post through `post_entry`.

Lock order, the same in every use case so concurrent ones cannot deadlock: the audit chain (every audited
writer takes it when it records its event, so the event is recorded first), then the entry being reversed or
approved, then the entity's entry counter. The counter row stays locked until commit, so an entity's numbers
are gapless and unique; a failed posting rolls back its number with everything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import ValidationFailedError, violation
from app.core.ids import new_id
from app.entities.models import LegalEntity
from app.ledger import balance_repository, journal_repository, repository
from app.ledger.access import visible_entity, visible_entry
from app.ledger.domain.calendar import fiscal_period_of, format_period
from app.ledger.domain.entries import LineDraft, PostedLine, check_entry, reversal_lines
from app.ledger.entry_records import PostedEntry, entry_snapshot, posted_lines
from app.ledger.errors import (
    EntityNotPostableError,
    EntryAlreadyReversedError,
    PeriodClosedError,
    UnbalancedEntryError,
)
from app.ledger.models import JournalEntry, JournalLine

__all__ = ["PostedEntry", "post_entry", "reverse_entry"]

_SOURCE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def _postable(entity: LegalEntity, entry_date: date) -> None:
    if entity.kind != "company":
        raise EntityNotPostableError(
            f"{entity.code} is an outside party and keeps no books here", entity_id=entity.id
        )
    if not entity.active_on(entry_date):
        raise EntityNotPostableError(
            f"{entity.code} does not exist on {entry_date.isoformat()}",
            entity_id=entity.id,
            entry_date=entry_date.isoformat(),
        )


def _check_lines(session: Session, *, entity: LegalEntity, lines: Sequence[LineDraft]) -> list[PostedLine]:
    codes = {line.account_code for line in lines}
    counterparties = {line.counterparty_entity_id for line in lines if line.counterparty_entity_id}
    check = check_entry(
        entity_id=entity.id,
        functional_currency=entity.functional_currency,
        lines=lines,
        known_accounts=repository.existing_account_codes(session, codes=codes),
        known_entities=repository.existing_entity_ids(session, entity_ids=counterparties),
    )
    if check.ok:
        return check.lines
    errors = [violation(v.loc, v.msg, v.type) for v in check.violations]
    imbalances = [
        {
            "currency": i.currency,
            "debit": str(i.debit),
            "credit": str(i.credit),
            "difference": str(i.difference),
        }
        for i in check.imbalances
    ] or None
    if all(v.type == "unbalanced" for v in check.violations):
        raise UnbalancedEntryError("The entry does not balance", errors=errors, imbalances=imbalances)
    raise ValidationFailedError(
        f"The entry has {len(errors)} problem(s)", errors=errors, imbalances=imbalances
    )


def _store(
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
    year, month = fiscal_period_of(entry_date)
    if repository.closed_months(session, entity_id=entity.id, months={(year, month)}):
        raise PeriodClosedError(
            f"{format_period(year, month)} is closed for {entity.code}",
            entity_id=entity.id,
            period=format_period(year, month),
        )
    number = journal_repository.next_entry_number(session, entity_id=entity.id, fiscal_year=year)
    entry = JournalEntry(
        id=entry_id,
        entity_id=entity.id,
        fiscal_year=year,
        fiscal_month=month,
        number=number,
        entry_date=entry_date,
        description=description,
        source=source,
        source_ref=source_ref,
        reverses_id=reverses_id,
        preparer_id=actor.user_id,
        preparer=actor.username,
        posted_at=now,
    )
    rows = [
        JournalLine(
            entity_id=entity.id,
            entry_id=entry_id,
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
        for ln in lines
    ]
    journal_repository.add_entry(session, entry=entry, lines=rows)
    balance_repository.add_to_balances(
        session,
        entity_id=entity.id,
        totals=balance_repository.month_totals(
            (ln.account_code, ln.counterparty_entity_id, year, month, ln.debit, ln.credit) for ln in lines
        ),
    )
    return PostedEntry(entry=entry, lines=rows)


def post_entry(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    entry_date: date,
    description: str,
    lines: Sequence[LineDraft],
    now: datetime,
    source: str = "manual",
    source_ref: str | None = None,
) -> PostedEntry:
    """Post a balanced entry: number it, keep the balances, audit it; all in one transaction.

    `source` says which use case made it (manual, import, depreciation, transfer...), `source_ref` points at
    the object that caused it.

    Raises:
        EntityNotFoundError: unknown entity, or outside the actor's entities.
        EntityNotPostableError: an outside party, or a company that does not exist on the date.
        UnbalancedEntryError: debits and credits differ (the problem lists each imbalance).
        ValidationFailedError: any other problem with the lines, all of them listed.
        PeriodClosedError: the month of `entry_date` is closed for the entity.
    """
    with atomic(session):
        if not _SOURCE.match(source):
            raise ValidationFailedError(
                "invalid source", errors=[violation(("source",), "not a source name", "invalid_source")]
            )
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        _postable(entity, entry_date)
        posted = _check_lines(session, entity=entity, lines=lines)
        entry_id = new_id()
        audit.record(
            session,
            actor=actor,
            action="journal.entry.posted",
            subject_type="journal_entry",
            subject_id=entry_id,
            at=now,
            entity_id=entity.id,
            after=entry_snapshot(
                entry_id, entity.id, entry_date, description, source, source_ref, None, posted
            ),
        )
        return _store(
            session,
            actor=actor,
            entity=entity,
            entry_id=entry_id,
            entry_date=entry_date,
            description=description,
            source=source,
            source_ref=source_ref,
            reverses_id=None,
            lines=posted,
            now=now,
        )


def reverse_entry(
    session: Session,
    *,
    actor: Actor,
    entry_id: str,
    entry_date: date,
    now: datetime,
    description: str | None = None,
) -> PostedEntry:
    """Post the entry that cancels `entry_id` on `entry_date`; an entry is reversed at most once.

    Raises:
        EntryNotFoundError: unknown entry, or of an entity outside the actor's set.
        EntryAlreadyReversedError: the entry already has a reversal.
        ValidationFailedError: `entry_date` before the entry's own date.
        PeriodClosedError, EntityNotPostableError: as for `post_entry`.
    """
    with atomic(session):
        original = visible_entry(session, actor=actor, entry_id=entry_id)
        entity = visible_entity(session, actor=actor, entity_id=original.entity_id)
        if entry_date < original.entry_date:
            raise ValidationFailedError(
                "A reversal cannot be dated before the entry it reverses",
                errors=[
                    violation(
                        ("body", "entry_date"),
                        f"must be on or after {original.entry_date.isoformat()}",
                        "before_original",
                    )
                ],
            )
        _postable(entity, entry_date)
        reversal_id = new_id()
        text = (
            description or f"Reversal of {original.fiscal_year}-{original.number:06d}: {original.description}"
        )
        lines = reversal_lines(
            posted_lines(
                journal_repository.lines_of(session, entity_id=original.entity_id, entry_id=original.id)
            )
        )
        audit.record(
            session,
            actor=actor,
            action="journal.entry.posted",
            subject_type="journal_entry",
            subject_id=reversal_id,
            at=now,
            entity_id=entity.id,
            after=entry_snapshot(
                reversal_id, entity.id, entry_date, text[:500], "reversal", original.id, original.id, lines
            ),
        )
        audit.record(
            session,
            actor=actor,
            action="journal.entry.reversed",
            subject_type="journal_entry",
            subject_id=original.id,
            at=now,
            entity_id=entity.id,
            before={"reversed_by_id": None},
            after={"reversed_by_id": reversal_id},
        )
        original = visible_entry(session, actor=actor, entry_id=entry_id, for_update=True)
        if original.reversed_by_id is not None:
            raise EntryAlreadyReversedError(
                f"entry {entry_id} was reversed by {original.reversed_by_id}",
                entry_id=entry_id,
                reversed_by_id=original.reversed_by_id,
            )
        posted = _store(
            session,
            actor=actor,
            entity=entity,
            entry_id=reversal_id,
            entry_date=entry_date,
            description=text[:500],
            source="reversal",
            source_ref=original.id,
            reverses_id=original.id,
            lines=lines,
            now=now,
        )
        original.reversed_by_id = reversal_id
        session.flush()
        return posted
