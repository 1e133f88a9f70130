"""Posting and reversing journal entries. Other features post through `post_entry`.

Lock order, the same in every use case so concurrent ones cannot deadlock: the audit chain (every audited
writer takes it when it records its event, so the event is recorded first), then the entry being reversed or
approved, then the entity's entry counter. The counter row stays locked until commit, so an entity's numbers
are gapless and unique; a failed posting rolls back its number with everything else.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import ValidationFailedError, violation
from app.core.ids import new_id
from app.entities.models import LegalEntity
from app.ledger import entry_store, journal_repository, repository
from app.ledger.access import visible_entity, visible_entry
from app.ledger.domain.entries import LineDraft, PostedLine, check_entry, reversal_lines
from app.ledger.entry_records import (
    BookedEntry,
    PostedEntry,
    audit_snapshot,
    entry_snapshot,
    posted_lines,
    with_rows,
)
from app.ledger.errors import (
    EntityNotFoundError,
    EntityNotPostableError,
    EntryAlreadyReversedError,
    UnbalancedEntryError,
)

__all__ = ["BookedEntry", "EntryToPost", "PostedEntry", "post_entries", "post_entry", "reverse_entry"]

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


def _check_lines(
    *,
    entity: LegalEntity,
    lines: Sequence[LineDraft],
    known_accounts: Collection[str],
    known_entities: Collection[str],
) -> list[PostedLine]:
    check = check_entry(
        entity_id=entity.id,
        functional_currency=entity.functional_currency,
        lines=lines,
        known_accounts=known_accounts,
        known_entities=known_entities,
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


@dataclass(frozen=True)
class EntryToPost:
    """One entry of `post_entries`: what `post_entry` takes, for one entity."""

    entity_id: str
    entry_date: date
    description: str
    lines: Sequence[LineDraft]
    source: str = "manual"
    source_ref: str | None = None


def _check_source(source: str) -> None:
    if not _SOURCE.match(source):
        raise ValidationFailedError(
            "invalid source", errors=[violation(("source",), "not a source name", "invalid_source")]
        )


def post_entries(
    session: Session, *, actor: Actor, entries: Sequence[EntryToPost], now: datetime
) -> list[BookedEntry]:
    """Post several balanced entries at once (a group's packages at a close), each as `post_entry` would:
    every entry checked before anything is written, numbered gaplessly, audited, balances kept; one
    transaction, and set-based however many lines they hold. The answer is in the order given.

    Raises:
        EntityNotFoundError, EntityNotPostableError, UnbalancedEntryError, ValidationFailedError,
        PeriodClosedError: as for `post_entry`, for the first entry that has the problem.
    """
    with atomic(session):
        for item in entries:
            _check_source(item.source)
        entity_ids = {item.entity_id for item in entries}
        found = repository.entities_by_id(session, entity_ids=entity_ids)
        entities: dict[str, LegalEntity] = {}
        for item in entries:
            entity = found.get(item.entity_id)
            if entity is None or not actor.can_see(item.entity_id):
                raise EntityNotFoundError(f"no entity {item.entity_id}", entity_id=item.entity_id)
            _postable(entity, item.entry_date)
            entities[item.entity_id] = entity
        codes = {line.account_code for item in entries for line in item.lines}
        counterparties = {
            line.counterparty_entity_id
            for item in entries
            for line in item.lines
            if line.counterparty_entity_id
        }
        known_accounts = journal_repository.known_account_codes(session, codes=codes)
        known_entities = repository.existing_entity_ids(session, entity_ids=counterparties)
        checked = [
            _check_lines(
                entity=entities[item.entity_id],
                lines=item.lines,
                known_accounts=known_accounts,
                known_entities=known_entities,
            )
            for item in entries
        ]
        pending: list[entry_store.PendingEntry] = []
        for item, posted in zip(entries, checked, strict=True):
            entry_id = new_id()
            audit.record(
                session,
                actor=actor,
                action="journal.entry.posted",
                subject_type="journal_entry",
                subject_id=entry_id,
                at=now,
                entity_id=item.entity_id,
                after=audit_snapshot(
                    entry_id,
                    item.entity_id,
                    item.entry_date,
                    item.description,
                    item.source,
                    item.source_ref,
                    posted,
                ),
            )
            pending.append(
                entry_store.PendingEntry(
                    entities[item.entity_id],
                    entry_id,
                    item.entry_date,
                    item.description,
                    item.source,
                    item.source_ref,
                    None,
                    posted,
                )
            )
        return entry_store.store_many(session, actor=actor, pending=pending, now=now)


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
    (booked,) = post_entries(
        session,
        actor=actor,
        entries=[
            EntryToPost(
                entity_id=entity_id,
                entry_date=entry_date,
                description=description,
                lines=lines,
                source=source,
                source_ref=source_ref,
            )
        ],
        now=now,
    )
    return with_rows(booked)


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
        posted = entry_store.store_one(
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
