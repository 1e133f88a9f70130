"""HTTP: journal entries (post, list, read, reverse, approve).

Entries are immutable: their path answers GET only, so PUT, PATCH and DELETE are 405.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Response

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.errors import ValidationFailedError, violation
from app.core.money import ZERO
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import APPROVERS, PREPARERS, READERS
from app.ledger import journal_service, service
from app.ledger.domain.entries import LineDraft
from app.ledger.entry_records import PostedEntry
from app.ledger.journal_repository import JournalFilter
from app.ledger.schemas import (
    JournalEntryCreate,
    JournalEntryRead,
    JournalLineRead,
    ReverseRequest,
)
from app.users.auth import allow

router = feature_router(tag="books")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
Approver = Annotated[Actor, Depends(allow(*APPROVERS))]


def str_cursor(cursor: str | None) -> str | None:
    """The last key of the previous page, from a cursor this service issued."""
    values = decode_cursor(cursor, arity=1)
    if values is None:
        return None
    if not isinstance(values[0], str):
        raise ValidationFailedError(
            "The cursor is not one this service issued",
            errors=[violation(("query", "cursor"), "invalid cursor", "invalid_cursor")],
        )
    return values[0]


def entry_read(posted: PostedEntry) -> JournalEntryRead:
    entry = posted.entry
    lines = [
        JournalLineRead(
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
        for ln in posted.lines
    ]
    return JournalEntryRead(
        id=entry.id,
        entity_id=entry.entity_id,
        fiscal_year=entry.fiscal_year,
        number=entry.number,
        entry_date=entry.entry_date,
        description=entry.description,
        source=entry.source,
        source_ref=entry.source_ref,
        reverses_id=entry.reverses_id,
        reversed_by_id=entry.reversed_by_id,
        preparer=entry.preparer,
        posted_at=entry.posted_at,
        approved_by=entry.approved_by,
        approved_at=entry.approved_at,
        total_debit=sum((ln.debit for ln in posted.lines), ZERO),
        total_credit=sum((ln.credit for ln in posted.lines), ZERO),
        lines=lines,
    )


@router.post(
    "/journal-entries",
    response_model=JournalEntryRead,
    status_code=201,
    operation_id="post_journal_entry",
    responses=problem_responses(404, 409),
)
def post_journal_entry(
    body: JournalEntryCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> JournalEntryRead:
    """Post a balanced entry; it gets the next number of its entity and fiscal year. Unbalanced entries,
    unknown accounts and other line problems are 422 (all listed); a closed month is 409 `period-closed`."""
    lines = [
        LineDraft(
            account_code=ln.account_code,
            debit=ln.debit,
            credit=ln.credit,
            counterparty_entity_id=ln.counterparty_entity_id,
            currency=ln.currency,
            amount_in_currency=ln.amount_in_currency,
            rate=ln.rate,
            memo=ln.memo,
        )
        for ln in body.lines
    ]
    posted = service.post_entry(
        session,
        actor=actor,
        entity_id=body.entity_id,
        entry_date=body.entry_date,
        description=body.description,
        lines=lines,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/journal-entries/{posted.entry.id}"
    return entry_read(posted)


@router.get(
    "/journal-entries",
    response_model=Page[JournalEntryRead],
    operation_id="list_journal_entries",
    responses=problem_responses(404),
)
def list_journal_entries(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    entity_id: Annotated[str | None, Query(max_length=36)] = None,
    account_code: Annotated[str | None, Query(max_length=20)] = None,
    counterparty_entity_id: Annotated[str | None, Query(max_length=36)] = None,
    date_from: Annotated[date | None, Query(alias="from", description="entry date, inclusive")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="entry date, exclusive")] = None,
) -> Page[JournalEntryRead]:
    """Entries with their lines in posting order, page by page (keyset cursor). `account_code` and
    `counterparty_entity_id` select entries with at least one such line."""
    filters = JournalFilter(
        entity_id=entity_id,
        account_code=account_code,
        counterparty_entity_id=counterparty_entity_id,
        date_from=date_from,
        date_to=date_to,
    )
    items, next_id = journal_service.list_entries(
        session, actor=actor, filters=filters, after_id=str_cursor(cursor), limit=limit
    )
    return Page[JournalEntryRead](
        items=[entry_read(i) for i in items], next_cursor=encode_cursor([next_id]) if next_id else None
    )


@router.get(
    "/journal-entries/{entry_id}",
    response_model=JournalEntryRead,
    operation_id="read_journal_entry",
    responses=problem_responses(404),
)
def read_journal_entry(entry_id: str, actor: Reader, session: ReadSessionDep) -> JournalEntryRead:
    return entry_read(journal_service.get_entry(session, actor=actor, entry_id=entry_id))


@router.post(
    "/journal-entries/{entry_id}/reverse",
    response_model=JournalEntryRead,
    status_code=201,
    operation_id="reverse_journal_entry",
    responses=problem_responses(404, 409),
)
def reverse_journal_entry(
    entry_id: str, body: ReverseRequest, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> JournalEntryRead:
    """Post the reversing entry (same lines, sides swapped) on `entry_date`; 409 if already reversed."""
    posted = service.reverse_entry(
        session,
        actor=actor,
        entry_id=entry_id,
        entry_date=body.entry_date,
        description=body.description,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/journal-entries/{posted.entry.id}"
    return entry_read(posted)


@router.post(
    "/journal-entries/{entry_id}/approve",
    response_model=JournalEntryRead,
    operation_id="approve_journal_entry",
    responses=problem_responses(404, 409),
)
def approve_journal_entry(
    entry_id: str, actor: Approver, session: SessionDep, now: NowDep
) -> JournalEntryRead:
    """Record a controller's approval (never the preparer's own); amounts never change."""
    return entry_read(journal_service.approve_entry(session, actor=actor, entry_id=entry_id, now=now))
