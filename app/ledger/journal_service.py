"""Approving and reading journal entries (the journal listing is keyset-paginated and can be streamed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.ledger import journal_repository
from app.ledger.access import visible_entity, visible_entry
from app.ledger.entry_records import PostedEntry
from app.ledger.errors import EntryAlreadyApprovedError, SelfApprovalError
from app.ledger.journal_repository import JournalFilter


def approve_entry(session: Session, *, actor: Actor, entry_id: str, now: datetime) -> PostedEntry:
    """Record the approval of a posted entry (maker-checker: never by its preparer). Amounts never change.

    Raises:
        EntryNotFoundError, EntryAlreadyApprovedError, SelfApprovalError.
    """
    with atomic(session):
        entry = visible_entry(session, actor=actor, entry_id=entry_id)
        audit.record(
            session,
            actor=actor,
            action="journal.entry.approved",
            subject_type="journal_entry",
            subject_id=entry.id,
            at=now,
            entity_id=entry.entity_id,
            before={"approved_by": None},
            after={"approved_by": actor.username, "approved_at": now},
        )
        entry = visible_entry(session, actor=actor, entry_id=entry_id, for_update=True)
        if entry.approved_by is not None:
            raise EntryAlreadyApprovedError(
                f"entry {entry_id} was approved by {entry.approved_by}",
                entry_id=entry_id,
                approved_by=entry.approved_by,
            )
        same_user = (
            entry.preparer_id == actor.user_id if entry.preparer_id else entry.preparer == actor.username
        )
        if same_user:
            raise SelfApprovalError("the preparer of an entry cannot approve it", entry_id=entry_id)
        entry.approved_by, entry.approved_at = actor.username, now
        session.flush()
        return PostedEntry(
            entry=entry,
            lines=journal_repository.lines_of(session, entity_id=entry.entity_id, entry_id=entry.id),
        )


def get_entry(session: Session, *, actor: Actor, entry_id: str) -> PostedEntry:
    """Raises: EntryNotFoundError."""
    entry = visible_entry(session, actor=actor, entry_id=entry_id)
    return PostedEntry(
        entry=entry, lines=journal_repository.lines_of(session, entity_id=entry.entity_id, entry_id=entry.id)
    )


def list_entries(
    session: Session, *, actor: Actor, filters: JournalFilter, after_id: str | None, limit: int
) -> tuple[list[PostedEntry], str | None]:
    """One page of entries with their lines, and the id to continue after (None on the last page).

    Raises:
        EntityNotFoundError: the `entity_id` filter names an entity outside the actor's set.
    """
    if filters.entity_id is not None:
        visible_entity(session, actor=actor, entity_id=filters.entity_id)
    scoped = JournalFilter(
        visible_entity_ids=actor.entity_ids,
        entity_id=filters.entity_id,
        account_code=filters.account_code,
        counterparty_entity_id=filters.counterparty_entity_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    rows = journal_repository.list_entries(session, filters=scoped, after_id=after_id, limit=limit + 1)
    page = list(rows[:limit])
    lines = journal_repository.lines_of_entries(session, entry_ids=[entry.id for entry in page])
    items = [PostedEntry(entry=entry, lines=lines.get(entry.id, [])) for entry in page]
    return items, (page[-1].id if len(rows) > limit else None)


def iter_journal(
    session: Session, *, actor: Actor, filters: JournalFilter, batch: int = 1000
) -> Iterator[PostedEntry]:
    """Every matching entry in id order, read page by page (keyset): for exports of any size."""
    after: str | None = None
    while True:
        items, after = list_entries(session, actor=actor, filters=filters, after_id=after, limit=batch)
        yield from items
        if after is None:
            return
