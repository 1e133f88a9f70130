"""HTTP: journal entries (post, list, read, reverse, approve).

Entries are immutable: their path answers GET only, so PUT, PATCH and DELETE are 405.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.errors import ValidationFailedError, violation
from app.core.money import ZERO
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import APPROVERS, PREPARERS, READERS
from app.ledger import import_service, journal_service, package_files, service
from app.ledger.domain.entries import LineDraft
from app.ledger.domain.packages import Loc, RawRow
from app.ledger.entry_records import PostedEntry
from app.ledger.errors import PackageFileError
from app.ledger.group_import_schemas import GroupImportRead, GroupPackageRead, group_request_body
from app.ledger.journal_repository import JournalFilter
from app.ledger.schemas import (
    JournalEntryCreate,
    JournalEntryRead,
    JournalLineRead,
    ReverseRequest,
)
from app.ledger.service import BookedEntry
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


def entry_read(posted: PostedEntry | BookedEntry) -> JournalEntryRead:
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


def _bad_request(loc: tuple[str, ...], msg: str, type_: str) -> ValidationFailedError:
    return ValidationFailedError("The request is not valid", errors=[violation(loc, msg, type_)])


def _as_of_value(value: object, loc: tuple[str, ...]) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad_request(loc, "must be a date (YYYY-MM-DD)", "date_parsing") from None


def _codes_value(value: object, loc: tuple[str, ...]) -> str:
    codes = str(value or import_service.GROUP_CODES)
    if codes not in (import_service.GROUP_CODES, import_service.LOCAL_CODES):
        raise _bad_request(loc, "must be 'group' or 'local'", "invalid_codes")
    return codes


async def _read_group_file(
    request: Request, as_of_query: date | None, codes_query: str | None
) -> tuple[date, str, list[RawRow], list[tuple[int, str]], Loc]:
    """The group file of a request: JSON `{as_of, codes?, lines}` or a CSV/XLSX upload (parsed off the event
    loop: a close's file is large)."""
    layout = package_files.GROUP_FILE
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        body = package_files.parse_json_body(await request.body())
        if not isinstance(body, dict):
            raise _bad_request(("body",), "must be an object {as_of, lines}", "invalid_type")
        extra = sorted(set(body) - {"as_of", "codes", "lines"})
        if extra:
            raise _bad_request(("body", extra[0]), "unknown field", "extra_forbidden")
        if "as_of" not in body:
            raise _bad_request(("body", "as_of"), "required", "missing")
        rows, unknown = package_files.read_json_lines(body.get("lines"), layout)
        return (
            _as_of_value(body["as_of"], ("body", "as_of")),
            _codes_value(body.get("codes"), ("body", "codes")),
            rows,
            unknown,
            ("body", "lines"),
        )
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _bad_request(("body", "file"), "a CSV or XLSX file is required", "missing")
            data = await upload.read()
            name = (upload.filename or "").lower()
            as_of_value = form.get("as_of") or as_of_query
            codes_value = form.get("codes") or codes_query
        if as_of_value is None:
            raise _bad_request(("body", "as_of"), "required (form field or query parameter)", "missing")
        if name.endswith(".xlsx") or data[:2] == b"PK":
            rows = await run_in_threadpool(package_files.read_xlsx, data, layout)
        elif name.endswith((".csv", ".txt")) or not name:
            rows = await run_in_threadpool(package_files.read_csv, data, layout)
        else:
            raise PackageFileError(f"{upload.filename}: send a .csv or .xlsx file")
        return (
            _as_of_value(as_of_value, ("body", "as_of")),
            _codes_value(codes_value, ("body", "codes")),
            rows,
            [],
            ("file",),
        )
    raise PackageFileError(
        "send application/json or a multipart/form-data file upload", content_type=content_type or None
    )


@router.post(
    "/trial-balance-imports",
    response_model=GroupImportRead,
    operation_id="import_group_trial_balances",
    responses=problem_responses(409),
    openapi_extra={"requestBody": group_request_body()},
)
async def import_group_trial_balances(
    request: Request,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    dry_run: Annotated[bool, Query(description="answer the adjustments without writing")] = False,
    as_of: Annotated[date | None, Query(description="for file uploads without an as_of field")] = None,
    codes: Annotated[str | None, Query(pattern="^(group|local)$")] = None,
) -> GroupImportRead:
    """A group close: every company's reporting package in one file (JSON lines or a CSV/XLSX upload with
    columns entity_code, account_code, debit, credit, counterparty_code). Each company is brought to its
    package exactly as by `/entities/{id}/trial-balance-imports`, in one transaction. Every row of every
    package is checked first: a bad file is refused whole (422, every problem with row and column) and
    nothing is written. The answer summarises each company's entry (`/journal-entries/{id}` has its lines)."""
    as_of_date, code_kind, rows, unknown, root = await _read_group_file(request, as_of, codes)
    outcome = await run_in_threadpool(
        import_service.import_packages,
        session,
        actor=actor,
        as_of=as_of_date,
        codes=code_kind,
        rows=rows,
        unknown_keys=unknown,
        dry_run=dry_run,
        now=now,
        root_loc=root,
    )
    packages = [
        GroupPackageRead(
            entity_id=p.entity_id,
            entity_code=p.entity_code,
            lines_read=p.lines_read,
            sha256=p.digest,
            posted=p.entry is not None,
            adjustment_lines=len(p.adjustment),
            entry_id=p.entry.entry.id if p.entry is not None else None,
            entry_number=p.entry.entry.number if p.entry is not None else None,
        )
        for p in outcome.packages
    ]
    return GroupImportRead(
        as_of=outcome.as_of,
        codes=outcome.codes,
        dry_run=outcome.dry_run,
        lines_read=outcome.lines_read,
        sha256=outcome.digest,
        companies=len(packages),
        entries_posted=sum(1 for p in packages if p.posted),
        packages=packages,
    )
