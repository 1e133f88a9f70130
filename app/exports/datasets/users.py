"""Users, their entity limits and API keys."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.context import Actor
from app.exports.columns import Column, Kind, Row, cells
from app.exports.datasets.base import ExportQuery, Table, codes_by_id
from app.users.models import ApiKey, User, UserEntity

USER_COLUMNS = (
    Column("username"),
    Column("user_id"),
    Column("role"),
    Column("is_active", Kind.BOOL),
    Column("created_at", Kind.TIMESTAMP),
    Column("entity_codes"),
    Column("entity_ids"),
)
KEY_COLUMNS = (
    Column("username"),
    Column("user_id"),
    Column("key_id"),
    Column("prefix"),
    Column("name"),
    Column("created_at", Kind.TIMESTAMP),
    Column("revoked_at", Kind.TIMESTAMP),
)


def user_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    """Every user with its role and entity limits (empty: every entity), and the API keys (never secrets)."""

    def users() -> Iterator[Row]:
        codes = codes_by_id(session)
        limits: dict[str, list[str]] = {}
        for user_id, entity_id in session.execute(select(UserEntity.user_id, UserEntity.entity_id)):
            limits.setdefault(user_id, []).append(entity_id)
        for u in session.execute(select(User).order_by(User.username)).scalars():
            ids = sorted(limits.get(u.id, []), key=lambda e: codes.get(e, e))
            yield cells(
                USER_COLUMNS,
                [
                    u.username,
                    u.id,
                    u.role,
                    u.is_active,
                    u.created_at,
                    ";".join(codes.get(e, e) for e in ids) or None,
                    ";".join(ids) or None,
                ],
            )

    def keys() -> Iterator[Row]:
        statement = (
            select(User.username, ApiKey)
            .join(User, User.id == ApiKey.user_id)
            .order_by(User.username, ApiKey.id)
        )
        for username, k in session.execute(statement):
            yield cells(
                KEY_COLUMNS, [username, k.user_id, k.id, k.prefix, k.name, k.created_at, k.revoked_at]
            )

    return [
        Table(name="users", columns=USER_COLUMNS, rows=users),
        Table(name="api_keys", columns=KEY_COLUMNS, rows=keys),
    ]
