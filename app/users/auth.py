"""Who is calling: bearer JWTs and API keys resolved to an `Actor`; every route declares its roles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.context import Actor
from app.core.deps import get_now, get_session, get_settings_dep
from app.core.errors import AuthenticationError, ForbiddenError
from app.core.security import (
    InvalidTokenError,
    Role,
    api_key_prefix,
    constant_time_equal,
    decode_token,
    hash_api_key,
)
from app.users.models import ApiKey, User, UserEntity

_bearer = HTTPBearer(auto_error=False, description="A JWT from /api/v1/auth/token, or an API key")


def _unauthenticated(detail: str) -> AuthenticationError:
    return AuthenticationError(detail, headers={"WWW-Authenticate": "Bearer"})


def actor_for_user(user: User) -> Actor:
    limits = frozenset(link.entity_id for link in user.entity_limits)
    return Actor(user_id=user.id, username=user.username, role=user.role, entity_ids=limits or None)


def _active_actor(session: Session, user_id: str) -> Actor | None:
    """The actor of an active user, in one query of plain rows (the user and its entity limits); None when
    the user is unknown or disabled. Read on every request, so a disabled user is refused at once."""
    rows = session.execute(
        select(User.username, User.role, User.is_active, UserEntity.entity_id)
        .outerjoin(UserEntity, UserEntity.user_id == User.id)
        .where(User.id == user_id)
    ).all()
    if not rows or not rows[0].is_active:
        return None
    limits = frozenset(row.entity_id for row in rows if row.entity_id is not None)
    return Actor(user_id=user_id, username=rows[0].username, role=rows[0].role, entity_ids=limits or None)


def resolve_credentials(session: Session, *, token: str, settings: Settings, now: datetime) -> Actor:
    prefix = api_key_prefix(token)
    if prefix is not None:
        key = session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()
        if (
            key is None
            or key.revoked_at is not None
            or not constant_time_equal(key.key_hash, hash_api_key(token))
        ):
            raise _unauthenticated("invalid or revoked API key")
        actor = _active_actor(session, key.user_id)
        if actor is None:
            raise _unauthenticated("the key's user is disabled")
        return Actor(
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role,
            entity_ids=actor.entity_ids,
            via_api_key=True,
        )
    try:
        subject = decode_token(token, key=settings.signing_key(), audience=settings.token_audience)
    except InvalidTokenError as exc:
        raise _unauthenticated(f"invalid token: {exc}") from exc
    actor = _active_actor(session, subject)
    if actor is None:
        raise _unauthenticated("unknown or disabled user")
    return actor


def current_actor(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings_dep)],
    now: Annotated[datetime, Depends(get_now)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthenticated("send Authorization: Bearer <token or API key>")
    actor = resolve_credentials(session, token=credentials.credentials, settings=settings, now=now)
    session.rollback()  # end the read-only auth transaction (SQLite takes its lock up front)
    request.state.actor = actor
    return actor


class Authorize:
    """A route's permission: the roles that may call it. Inspected by the route-permission tests."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles: frozenset[Role] = frozenset(roles)

    def __call__(self, actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise ForbiddenError(f"role '{actor.role}' may not do this (allowed: {allowed})", role=actor.role)
        return actor


def allow(*roles: Role) -> Authorize:
    return Authorize(roles)
