"""HTTP: the group chart of accounts (admins edit it) and each entity's local chart mapping."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.etag import IfMatchDep, etag_for
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import ADMINS, PREPARERS, READERS
from app.ledger import chart_service, local_chart_service, repository
from app.ledger.api import str_cursor
from app.ledger.schemas import (
    AccountCreate,
    AccountRead,
    AccountTypeName,
    AccountUpdate,
    LocalAccountCreate,
    LocalAccountRead,
    LocalAccountUpdate,
    TemplateApply,
    TemplateConflict,
    TemplateResultRead,
)
from app.users.auth import allow

router = feature_router(tag="books")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
Admin = Annotated[Actor, Depends(allow(*ADMINS))]


@router.get("/accounts", response_model=Page[AccountRead], operation_id="list_accounts")
def list_accounts(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    type: Annotated[AccountTypeName | None, Query()] = None,
    role: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=100, description="code prefix or part of a name")] = None,
) -> Page[AccountRead]:
    """The group chart in code order (a fresh database holds the Chinese enterprise chart)."""
    rows = repository.list_accounts(
        session, after_code=str_cursor(cursor), limit=limit + 1, type_=type, role=role, q=q
    )
    items = [AccountRead.model_validate(r) for r in rows[:limit]]
    return Page[AccountRead](
        items=items, next_cursor=encode_cursor([items[-1].code]) if len(rows) > limit else None
    )


@router.get(
    "/accounts/{code}",
    response_model=AccountRead,
    operation_id="read_account",
    responses=problem_responses(404),
)
def read_account(code: str, actor: Reader, session: ReadSessionDep, response: Response) -> AccountRead:
    account = chart_service.get_account(session, code=code)
    response.headers["ETag"] = etag_for(account.version)
    return AccountRead.model_validate(account)


@router.post(
    "/accounts",
    response_model=AccountRead,
    status_code=201,
    operation_id="create_account",
    responses=problem_responses(409),
)
def create_account(
    body: AccountCreate, actor: Admin, session: SessionDep, now: NowDep, response: Response
) -> AccountRead:
    """Add an account (admins). A sub-account (6 or 8 digits) takes its parent's type and statement line."""
    account = chart_service.create_account(
        session,
        actor=actor,
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        type_=body.type,
        normal_side=body.normal_side,
        role=body.role,
        statement_line=body.statement_line,
        now=now,
    )
    response.headers["ETag"] = etag_for(account.version)
    response.headers["Location"] = f"/api/v1/accounts/{account.code}"
    return AccountRead.model_validate(account)


@router.patch(
    "/accounts/{code}",
    response_model=AccountRead,
    operation_id="update_account",
    responses=problem_responses(404, 409, 412, 428),
)
def update_account(
    code: str,
    body: AccountUpdate,
    actor: Admin,
    session: SessionDep,
    now: NowDep,
    version: IfMatchDep,
    response: Response,
) -> AccountRead:
    """Change an account (admins). Type and normal side are fixed once the account has entries (409)."""
    account = chart_service.update_account(
        session,
        actor=actor,
        code=code,
        expected_version=version,
        changes=body.model_dump(exclude_unset=True),
        now=now,
    )
    response.headers["ETag"] = etag_for(account.version)
    return AccountRead.model_validate(account)


@router.delete(
    "/accounts/{code}",
    status_code=204,
    operation_id="delete_account",
    responses=problem_responses(404, 409, 412, 428),
)
def delete_account(
    code: str, actor: Admin, session: SessionDep, now: NowDep, version: IfMatchDep
) -> Response:
    """Remove an account nothing refers to (admins); an account with entries is never deleted (409)."""
    chart_service.delete_account(session, actor=actor, code=code, expected_version=version, now=now)
    return Response(status_code=204)


@router.get(
    "/entities/{entity_id}/local-accounts",
    response_model=Page[LocalAccountRead],
    operation_id="list_local_accounts",
    responses=problem_responses(404),
)
def list_local_accounts(
    entity_id: str,
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[LocalAccountRead]:
    """The entity's own account codes and the group accounts they map to, by local code."""
    rows, next_code = local_chart_service.list_local_accounts(
        session, actor=actor, entity_id=entity_id, after_code=str_cursor(cursor), limit=limit
    )
    return Page[LocalAccountRead](
        items=[LocalAccountRead.model_validate(r) for r in rows],
        next_cursor=encode_cursor([next_code]) if next_code else None,
    )


@router.get(
    "/entities/{entity_id}/local-accounts/{local_code}",
    response_model=LocalAccountRead,
    operation_id="read_local_account",
    responses=problem_responses(404),
)
def read_local_account(
    entity_id: str, local_code: str, actor: Reader, session: ReadSessionDep, response: Response
) -> LocalAccountRead:
    row = local_chart_service.get_local_account(
        session, actor=actor, entity_id=entity_id, local_code=local_code
    )
    response.headers["ETag"] = etag_for(row.version)
    return LocalAccountRead.model_validate(row)


@router.post(
    "/entities/{entity_id}/local-accounts",
    response_model=LocalAccountRead,
    status_code=201,
    operation_id="create_local_account",
    responses=problem_responses(404, 409),
)
def create_local_account(
    entity_id: str,
    body: LocalAccountCreate,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    response: Response,
) -> LocalAccountRead:
    row = local_chart_service.create_local_account(
        session,
        actor=actor,
        entity_id=entity_id,
        local_code=body.local_code,
        local_name=body.local_name,
        group_code=body.group_code,
        now=now,
    )
    response.headers["ETag"] = etag_for(row.version)
    return LocalAccountRead.model_validate(row)


@router.patch(
    "/entities/{entity_id}/local-accounts/{local_code}",
    response_model=LocalAccountRead,
    operation_id="update_local_account",
    responses=problem_responses(404, 412, 428),
)
def update_local_account(
    entity_id: str,
    local_code: str,
    body: LocalAccountUpdate,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    version: IfMatchDep,
    response: Response,
) -> LocalAccountRead:
    row = local_chart_service.update_local_account(
        session,
        actor=actor,
        entity_id=entity_id,
        local_code=local_code,
        expected_version=version,
        changes=body.model_dump(exclude_unset=True),
        now=now,
    )
    response.headers["ETag"] = etag_for(row.version)
    return LocalAccountRead.model_validate(row)


@router.delete(
    "/entities/{entity_id}/local-accounts/{local_code}",
    status_code=204,
    operation_id="delete_local_account",
    responses=problem_responses(404, 412, 428),
)
def delete_local_account(
    entity_id: str, local_code: str, actor: Preparer, session: SessionDep, now: NowDep, version: IfMatchDep
) -> Response:
    local_chart_service.delete_local_account(
        session, actor=actor, entity_id=entity_id, local_code=local_code, expected_version=version, now=now
    )
    return Response(status_code=204)


@router.post(
    "/entities/{entity_id}/local-accounts/apply-template",
    response_model=TemplateResultRead,
    operation_id="apply_local_chart_template",
    responses=problem_responses(404),
)
def apply_local_chart_template(
    entity_id: str, body: TemplateApply, actor: Preparer, session: SessionDep, now: NowDep
) -> TemplateResultRead:
    """Map a ready local chart (`small_enterprise`: 小企业会计准则). Existing mappings are kept; those
    that differ from the template are listed as conflicts."""
    result = local_chart_service.apply_template(
        session, actor=actor, entity_id=entity_id, template=body.template, now=now
    )
    return TemplateResultRead(
        template=result.template,
        created=result.created,
        unchanged=result.unchanged,
        conflicts=[
            TemplateConflict(local_code=c[0], mapped_to=c[1], template_group_code=c[2])
            for c in result.conflicts
        ],
    )
