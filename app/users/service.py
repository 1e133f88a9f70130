"""Use cases for users, login and API keys. Each public function is one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.config import Settings
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    TooManyRequestsError,
    ValidationFailedError,
    violation,
)
from app.core.etag import check_version
from app.core.security import DUMMY_HASH, Role, create_token, hash_password, new_api_key, verify_password
from app.entities.models import LegalEntity
from app.users.models import ApiKey, LoginThrottle, User, UserEntity


def user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "role": user.role,
        "is_active": user.is_active,
        "entity_ids": sorted(link.entity_id for link in user.entity_limits),
    }


def _check_entities_exist(session: Session, *, entity_ids: list[str]) -> None:
    """Unknown entity ids are the caller's mistake (422 naming each), not a foreign-key failure (500)."""
    wanted = set(entity_ids)
    if not wanted:
        return
    found = set(session.execute(select(LegalEntity.id).where(LegalEntity.id.in_(wanted))).scalars())
    errors = [
        violation(("body", "entity_ids", i), f"no entity {eid}", "unknown_entity")
        for i, eid in enumerate(entity_ids)
        if eid not in found
    ]
    if errors:
        raise ValidationFailedError("Some entity ids do not name an entity", errors=errors)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


def _throttle(session: Session, *, username: str, settings: Settings, now: datetime) -> LoginThrottle | None:
    row = session.get(LoginThrottle, username, with_for_update=True)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        retry = int((row.locked_until - now).total_seconds()) + 1
        raise TooManyRequestsError(
            "Too many failed logins for this user name; try again later",
            headers={"Retry-After": str(retry)},
            retry_after_seconds=retry,
        )
    return row


def _record_failure(
    session: Session, row: LoginThrottle | None, *, username: str, settings: Settings, now: datetime
) -> None:
    window = timedelta(minutes=settings.login_lock_minutes)
    if row is None:
        row = LoginThrottle(username=username, failures=0, first_failure_at=now)
        session.add(row)
    if now - row.first_failure_at > window:
        row.failures, row.first_failure_at = 0, now
    row.failures += 1
    if row.failures >= settings.login_max_failures:
        row.locked_until = now + window
        row.failures, row.first_failure_at = 0, now


def login(
    session: Session, *, username: str, password: str, settings: Settings, now: datetime
) -> IssuedToken:
    """Check a password and issue a short-lived token; failures are counted per user name and throttled."""
    with atomic(session):
        row = _throttle(session, username=username, settings=settings, now=now)
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        ok = verify_password(password, user.password_hash if user is not None else DUMMY_HASH)
        if user is None or not ok or not user.is_active:
            _record_failure(session, row, username=username, settings=settings, now=now)
            failed = True
        else:
            if row is not None:
                session.delete(row)
            failed = False
    if failed:
        raise AuthenticationError("wrong user name or password", headers={"WWW-Authenticate": "Bearer"})
    assert user is not None
    token, expires_in = create_token(
        subject=user.id,
        key=settings.signing_key(),
        audience=settings.token_audience,
        now=now,
        minutes=settings.token_minutes,
    )
    return IssuedToken(access_token=token, expires_in=expires_in)


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    role: Role,
    entity_ids: list[str],
    now: datetime,
) -> User:
    with atomic(session):
        if session.execute(select(User.id).where(User.username == username)).first() is not None:
            raise ConflictError(f"user name '{username}' is taken", field="username")
        _check_entities_exist(session, entity_ids=entity_ids)
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=str(role),
            is_active=True,
            created_at=now,
        )
        user.entity_limits = [UserEntity(entity_id=eid) for eid in sorted(set(entity_ids))]
        session.add(user)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="user.created",
            subject_type="user",
            subject_id=user.id,
            at=now,
            after=user_snapshot(user),
        )
        return user


def get_user(session: Session, *, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def update_user(
    session: Session,
    *,
    actor: Actor,
    user_id: str,
    expected_version: int,
    role: str | None,
    is_active: bool | None,
    entity_ids: list[str] | None,
    password: str | None,
    now: datetime,
) -> User:
    with atomic(session):
        user = session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        check_version(expected=expected_version, current=user.version)
        before = user_snapshot(user)
        if role is not None:
            user.role = role
        if is_active is not None:
            user.is_active = is_active
        if entity_ids is not None:
            _check_entities_exist(session, entity_ids=entity_ids)
            user.entity_limits = [UserEntity(entity_id=eid) for eid in sorted(set(entity_ids))]
        if password is not None:
            user.password_hash = hash_password(password)
        user.version += 1
        session.flush()
        after = user_snapshot(user)
        if password is not None:
            after["password"] = "changed"  # noqa: S105
        audit.record(
            session,
            actor=actor,
            action="user.updated",
            subject_type="user",
            subject_id=user.id,
            at=now,
            before=before,
            after=after,
        )
        return user


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str


def create_api_key(session: Session, *, actor: Actor, user_id: str, name: str, now: datetime) -> CreatedKey:
    with atomic(session):
        user = get_user(session, user_id=user_id)
        secret, prefix, key_hash = new_api_key()
        key = ApiKey(user_id=user.id, prefix=prefix, key_hash=key_hash, name=name, created_at=now)
        session.add(key)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="api_key.created",
            subject_type="api_key",
            subject_id=key.id,
            at=now,
            after={"user_id": user.id, "name": name, "prefix": prefix},
        )
        return CreatedKey(key=key, secret=secret)


def revoke_api_key(session: Session, *, actor: Actor, key_id: str, now: datetime) -> ApiKey:
    with atomic(session):
        key = session.get(ApiKey, key_id, with_for_update=True)
        if key is None:
            raise NotFoundError(f"no API key {key_id}")
        if key.revoked_at is not None:
            raise ConflictError("the key is already revoked")
        key.revoked_at = now
        audit.record(
            session,
            actor=actor,
            action="api_key.revoked",
            subject_type="api_key",
            subject_id=key.id,
            at=now,
            before={"revoked_at": None},
            after={"revoked_at": now},
        )
        return key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.execute(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)).scalars())
