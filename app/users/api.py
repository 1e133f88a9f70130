"""HTTP: login, users and API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.core.context import Actor
from app.core.deps import NowDep, SessionDep, SettingsDep
from app.core.etag import IfMatchDep, etag_for
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import ADMINS, READERS, Role
from app.users import service
from app.users.auth import allow
from app.users.models import ApiKey, User
from app.users.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

auth_router = feature_router(tag="auth", prefix="/auth")
router = feature_router(tag="users")

Admin = Annotated[Actor, Depends(allow(*ADMINS))]
Anyone = Annotated[Actor, Depends(allow(*READERS))]


def _user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        role=user.role,
        is_active=user.is_active,
        entity_ids=[e.entity_id for e in user.entity_limits],
        created_at=user.created_at,
        version=user.version,
    )


def _key_read(key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=key.id,
        user_id=key.user_id,
        prefix=key.prefix,
        name=key.name,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


@auth_router.post(
    "/token", response_model=TokenRead, operation_id="issue_token", responses=problem_responses(429)
)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> TokenRead:
    """OAuth2 password flow: a short-lived bearer token. Failed logins are throttled per user name."""
    issued = service.login(
        session, username=form.username, password=form.password, settings=settings, now=now
    )
    return TokenRead(access_token=issued.access_token, expires_in=issued.expires_in)


@router.get("/users/me", response_model=UserRead, operation_id="read_current_user")
def read_current_user(actor: Anyone, session: SessionDep) -> UserRead:
    assert actor.user_id is not None
    return _user_read(service.get_user(session, user_id=actor.user_id))


@router.get("/users", response_model=list[UserRead], operation_id="list_users")
def list_users(actor: Admin, session: SessionDep) -> list[UserRead]:
    return [_user_read(u) for u in service.list_users(session)]


@router.post(
    "/users",
    response_model=UserRead,
    status_code=201,
    operation_id="create_user",
    responses=problem_responses(409),
)
def create_user(
    body: UserCreate, actor: Admin, session: SessionDep, now: NowDep, response: Response
) -> UserRead:
    user = service.create_user(
        session,
        actor=actor,
        username=body.username,
        password=body.password,
        role=Role(body.role),
        entity_ids=body.entity_ids,
        now=now,
    )
    response.headers["ETag"] = etag_for(user.version)
    return _user_read(user)


@router.get(
    "/users/{user_id}", response_model=UserRead, operation_id="read_user", responses=problem_responses(404)
)
def read_user(user_id: str, actor: Admin, session: SessionDep, response: Response) -> UserRead:
    user = service.get_user(session, user_id=user_id)
    response.headers["ETag"] = etag_for(user.version)
    return _user_read(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    operation_id="update_user",
    responses=problem_responses(404, 412, 428),
)
def update_user(
    user_id: str,
    body: UserUpdate,
    actor: Admin,
    session: SessionDep,
    now: NowDep,
    version: IfMatchDep,
    response: Response,
) -> UserRead:
    user = service.update_user(
        session,
        actor=actor,
        user_id=user_id,
        expected_version=version,
        role=body.role,
        is_active=body.is_active,
        entity_ids=body.entity_ids,
        password=body.password,
        now=now,
    )
    response.headers["ETag"] = etag_for(user.version)
    return _user_read(user)


@router.get("/api-keys", response_model=list[ApiKeyRead], operation_id="list_api_keys")
def list_api_keys(actor: Admin, session: SessionDep) -> list[ApiKeyRead]:
    return [_key_read(k) for k in service.list_api_keys(session)]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=201,
    operation_id="create_api_key",
    responses=problem_responses(404),
)
def create_api_key(body: ApiKeyCreate, actor: Admin, session: SessionDep, now: NowDep) -> ApiKeyCreated:
    created = service.create_api_key(session, actor=actor, user_id=body.user_id, name=body.name, now=now)
    return ApiKeyCreated(**_key_read(created.key).model_dump(), key=created.secret)


@router.post(
    "/api-keys/{key_id}/revoke",
    response_model=ApiKeyRead,
    operation_id="revoke_api_key",
    responses=problem_responses(404, 409),
)
def revoke_api_key(key_id: str, actor: Admin, session: SessionDep, now: NowDep) -> ApiKeyRead:
    return _key_read(service.revoke_api_key(session, actor=actor, key_id=key_id, now=now))
