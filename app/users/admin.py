"""User administration from the command line (runs as the system actor, audited like any change)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.context import SYSTEM_ACTOR
from app.core.db import make_engine, make_session_factory
from app.core.errors import NotFoundError, ValidationFailedError, violation
from app.core.security import Role
from app.entities.models import LegalEntity
from app.users import service
from app.users.models import User


def _session(settings: Settings) -> tuple[Session, Engine]:
    engine = make_engine(settings.database_url, settings=settings)
    return make_session_factory(engine)(), engine


def create_user_cli(
    *, settings: Settings, username: str, role: str, entity_codes: list[str], password: str
) -> str:
    try:
        role_value = Role(role)
    except ValueError:
        raise ValidationFailedError(
            f"unknown role '{role}'", errors=[violation(("role",), "unknown role", "enum")]
        ) from None
    if len(password) < 8:
        raise ValidationFailedError(
            "the password needs at least 8 characters",
            errors=[violation(("password",), "too short", "string_too_short")],
        )
    session, engine = _session(settings)
    try:
        ids: list[str] = []
        for code in entity_codes:
            entity_id = session.execute(
                select(LegalEntity.id).where(LegalEntity.code == code)
            ).scalar_one_or_none()
            if entity_id is None:
                raise NotFoundError(f"no entity with code '{code}'")
            ids.append(entity_id)
        session.rollback()
        user = service.create_user(
            session,
            actor=SYSTEM_ACTOR,
            username=username,
            password=password,
            role=role_value,
            entity_ids=ids,
            now=utcnow(),
        )
        return user.id
    finally:
        session.close()
        engine.dispose()


def list_users_cli(*, settings: Settings) -> list[str]:
    session, engine = _session(settings)
    try:
        rows = []
        for user in service.list_users(session):
            limits = ",".join(link.entity_id for link in user.entity_limits) or "all entities"
            state = "active" if user.is_active else "disabled"
            rows.append(f"{user.username:<24} {user.role:<11} {state:<8} {limits}")
        return rows
    finally:
        session.close()
        engine.dispose()


def create_api_key_cli(*, settings: Settings, username: str, name: str) -> str:
    session, engine = _session(settings)
    try:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"no user '{username}'")
        session.rollback()
        created = service.create_api_key(
            session, actor=SYSTEM_ACTOR, user_id=user.id, name=name, now=utcnow()
        )
        return created.secret
    finally:
        session.close()
        engine.dispose()
