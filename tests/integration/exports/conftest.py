"""A committed PostgreSQL database per test module for the export tests that need real concurrency (threads
with their own connections), dropped at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.cli import migrate_to_head
from app.core.config import Settings
from app.core.db import make_engine, make_session_factory
from app.core.security import hash_password
from app.entities.models import LegalEntity
from tests.conftest import NOW, Users, create_postgres_database, settings_for


@dataclass
class Committed:
    url: str
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    users: Users

    def company(self, code: str, currency: str = "CNY") -> str:
        with self.factory() as session:
            entity = LegalEntity(
                code=f"{code}-{uuid.uuid4().hex[:6]}",
                name=code,
                kind="company",
                functional_currency=currency,
                created_at=NOW,
                status="active",
                version=1,
            )
            session.add(entity)
            session.commit()
            return entity.id


@pytest.fixture(scope="module")
def committed_pg() -> Iterator[Committed]:
    url, drop = create_postgres_database("gl_exports")
    settings = settings_for(url)
    migrate_to_head(settings)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        yield Committed(
            url, settings, engine, factory, Users(factory, settings, hash_password("pw-for-tests"))
        )
    finally:
        engine.dispose()
        drop()
