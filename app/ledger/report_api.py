"""HTTP: trial balances, reporting-package imports, intercompany matching and the balance check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from app.core.errors import ValidationFailedError, violation
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import AUDIT_READERS, PREPARERS, READERS
from app.ledger import import_service, package_files, report_service
from app.ledger.api import entry_read
from app.ledger.domain.intercompany import PairMatch
from app.ledger.domain.packages import Loc, RawRow
from app.ledger.errors import PackageFileError
from app.ledger.report_schemas import (
    AdjustmentLineRead,
    BalanceCheckRead,
    BalanceMismatchRead,
    ImportRead,
    IntercompanyRead,
    PairRead,
    TrialBalanceRead,
    package_request_body,
)
from app.users.auth import allow

router = feature_router(tag="books")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
AuditReader = Annotated[Actor, Depends(allow(*AUDIT_READERS))]


@router.get(
    "/entities/{entity_id}/trial-balance",
    response_model=TrialBalanceRead,
    operation_id="read_trial_balance",
    responses=problem_responses(404),
)
def read_trial_balance(
    entity_id: str, as_of: date, actor: Reader, session: ReadSessionDep
) -> TrialBalanceRead:
    """Balance-sheet accounts cumulative, income and expense year to date, earlier years' profit in retained
    earnings; one line per (account, counterparty), in the entity's functional currency."""
    report = report_service.trial_balance(session, actor=actor, entity_id=entity_id, as_of=as_of)
    names = report.names
    # One validation of plain dicts (in pydantic-core) rather than a model constructor call per line.
    return TrialBalanceRead.model_validate(
        {
            "entity_id": report.entity_id,
            "as_of": report.as_of,
            "currency": report.currency,
            "lines": [
                {
                    "account_code": code,
                    "name": names[code][0],
                    "type": names[code][1],
                    "counterparty_entity_id": counterparty,
                    "debit": debit,
                    "credit": credit,
                    "balance": balance,
                }
                for code, counterparty, debit, credit, balance in report.lines
            ],
            "totals": {"debit": report.total_debit, "credit": report.total_credit},
        }
    )


def _bad(loc: Loc, msg: str, type_: str) -> ValidationFailedError:
    return ValidationFailedError("The request is not valid", errors=[violation(loc, msg, type_)])


def _as_of(value: Any, loc: Loc) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(loc, "must be a date (YYYY-MM-DD)", "date_parsing") from None


def _codes(value: Any, loc: Loc) -> str:
    codes = str(value or import_service.GROUP_CODES)
    if codes not in (import_service.GROUP_CODES, import_service.LOCAL_CODES):
        raise _bad(loc, "must be 'group' or 'local'", "invalid_codes")
    return codes


async def _read_request(
    request: Request, as_of_query: date | None, codes_query: str | None
) -> tuple[date, str, list[RawRow], list[tuple[int, str]], Loc]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        body = package_files.parse_json_body(await request.body())
        if not isinstance(body, dict):
            raise _bad(("body",), "must be an object {as_of, lines}", "invalid_type")
        extra = sorted(set(body) - {"as_of", "codes", "lines"})
        if extra:
            raise _bad(("body", extra[0]), "unknown field", "extra_forbidden")
        if "as_of" not in body:
            raise _bad(("body", "as_of"), "required", "missing")
        rows, unknown = package_files.read_json_lines(body.get("lines"))
        return (
            _as_of(body["as_of"], ("body", "as_of")),
            _codes(body.get("codes"), ("body", "codes")),
            rows,
            unknown,
            ("body", "lines"),
        )
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _bad(("body", "file"), "a CSV or XLSX file is required", "missing")
            data = await upload.read()
            name = (upload.filename or "").lower()
            as_of_value = form.get("as_of") or as_of_query
            codes_value = form.get("codes") or codes_query
        if as_of_value is None:
            raise _bad(("body", "as_of"), "required (form field or query parameter)", "missing")
        if name.endswith(".xlsx") or data[:2] == b"PK":
            rows = await run_in_threadpool(package_files.read_xlsx, data)
        elif name.endswith((".csv", ".txt")) or not name:
            rows = package_files.read_csv(data)
        else:
            raise PackageFileError(f"{upload.filename}: send a .csv or .xlsx file")
        return (
            _as_of(as_of_value, ("body", "as_of")),
            _codes(codes_value, ("body", "codes")),
            rows,
            [],
            ("file",),
        )
    raise PackageFileError(
        "send application/json or a multipart/form-data file upload", content_type=content_type or None
    )


@router.post(
    "/entities/{entity_id}/trial-balance-imports",
    response_model=ImportRead,
    operation_id="import_trial_balance",
    responses=problem_responses(404, 409),
    openapi_extra={"requestBody": package_request_body()},
)
async def import_trial_balance(
    entity_id: str,
    request: Request,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    dry_run: Annotated[bool, Query(description="answer the adjustment without writing")] = False,
    as_of: Annotated[date | None, Query(description="for file uploads without an as_of field")] = None,
    codes: Annotated[str | None, Query(pattern="^(group|local)$")] = None,
) -> ImportRead:
    """Bring the books to a subsidiary's reporting package (JSON, or CSV/XLSX with columns account_code,
    debit, credit, counterparty_code). Every row is checked first: a bad package is refused whole (422, every
    problem with row and column) and nothing is written. A good one posts the one adjustment entry (source
    "import"); the same package again posts nothing."""
    as_of_date, code_kind, rows, unknown, root = await _read_request(request, as_of, codes)
    outcome = await run_in_threadpool(
        import_service.import_package,
        session,
        actor=actor,
        entity_id=entity_id,
        as_of=as_of_date,
        codes=code_kind,
        rows=rows,
        unknown_keys=unknown,
        dry_run=dry_run,
        now=now,
        root_loc=root,
    )
    return ImportRead(
        entity_id=outcome.entity_id,
        as_of=outcome.as_of,
        codes=outcome.codes,
        dry_run=outcome.dry_run,
        lines_read=outcome.lines_read,
        sha256=outcome.digest,
        posted=outcome.entry is not None,
        adjustment=[
            AdjustmentLineRead(
                account_code=a.account_code,
                counterparty_entity_id=a.counterparty_entity_id,
                debit=a.debit,
                credit=a.credit,
            )
            for a in outcome.adjustment
        ],
        entry=entry_read(outcome.entry) if outcome.entry is not None else None,
    )


def _pair(match: PairMatch) -> PairRead:
    return PairRead(
        rule=match.rule,
        entity_id=match.entity_id,
        counterparty_entity_id=match.counterparty_entity_id,
        entity_amount=match.entity_amount,
        counterparty_amount=match.counterparty_amount,
        difference=match.difference,
        within_tolerance=match.within_tolerance,
    )


@router.get("/intercompany-matching", response_model=IntercompanyRead, operation_id="match_intercompany")
def match_intercompany(
    actor: Reader,
    session: ReadSessionDep,
    settings: SettingsDep,
    as_of: date,
    tolerance: Annotated[Decimal, Query(ge=0, le=10**12, decimal_places=4)] = Decimal(0),
) -> IntercompanyRead:
    """What group companies booked against each other on `as_of`, by pair of account groups (receivables and
    payables, loans, revenue and costs, dividends), in the presentation currency; differences above the
    tolerance are listed."""
    report = report_service.intercompany_matching(
        session,
        actor=actor,
        as_of=as_of,
        tolerance=tolerance,
        presentation_currency=settings.presentation_currency,
    )
    differences = [_pair(m) for m in report.differences]
    return IntercompanyRead(
        as_of=report.as_of,
        tolerance=report.tolerance,
        currency=report.currency,
        matched=not differences,
        pairs=[_pair(m) for m in report.pairs],
        differences=differences,
    )


@router.get("/ledger-checks/balances", response_model=BalanceCheckRead, operation_id="check_kept_balances")
def check_kept_balances(actor: AuditReader, session: ReadSessionDep) -> BalanceCheckRead:
    """Prove the kept monthly balances equal the sums of the journal lines (reads the whole journal)."""
    check = report_service.check_balances(session)
    mismatches = [BalanceMismatchRead(**vars(m)) for m in check.mismatches if actor.can_see(m.entity_id)]
    return BalanceCheckRead(
        ok=check.ok,
        entities_checked=check.entities_checked,
        months_checked=check.months_checked,
        mismatches=mismatches,
    )
