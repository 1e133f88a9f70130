"""`groupledger demo`: the demo group loaded through the normal services (so everything is audited).

Idempotent: each step looks for what it would create and skips what is there; running it again changes
nothing. Users' passwords are generated and returned once, when the user is created.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.context import SYSTEM_ACTOR
from app.core.db import make_engine, make_session_factory
from app.core.security import Role
from app.demo.group import DEMO_ENTITIES, DEMO_USERS
from app.demo.report import DemoReport, DemoStep
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.users import service as users_service
from app.users.models import User


def entity_ids_by_code(session: Session) -> dict[str, str]:
    return {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}


def load_entities(session: Session, report: DemoReport, now: datetime) -> None:
    existing = entity_ids_by_code(session)
    session.rollback()
    for demo in DEMO_ENTITIES:
        if demo.code in existing:
            continue
        entities_service.create_entity(
            session,
            actor=SYSTEM_ACTOR,
            code=demo.code,
            name=demo.name,
            name_en=demo.name_en,
            kind=demo.kind,
            functional_currency=demo.functional_currency,
            uscc=demo.uscc,
            country=demo.country,
            segment=demo.segment,
            established_on=demo.established_on,
            now=now,
        )
        report.add("entities")


def load_users(session: Session, report: DemoReport, now: datetime) -> None:
    ids = entity_ids_by_code(session)
    taken = set(session.execute(select(User.username)).scalars())
    session.rollback()
    for demo in DEMO_USERS:
        if demo.username in taken:
            continue
        password = secrets.token_urlsafe(12)
        users_service.create_user(
            session,
            actor=SYSTEM_ACTOR,
            username=demo.username,
            password=password,
            role=Role(demo.role),
            entity_ids=[ids[c] for c in demo.entity_codes],
            now=now,
        )
        report.created_users.append((demo.username, demo.role, password))
        report.add("users")


def demo_steps() -> list[DemoStep]:
    """The steps in order; features append theirs (structure, books, assets, consolidation...)."""
    from app.demo import steps

    return [load_entities, *steps.structure_steps(), load_users, *steps.later_steps()]


def load_demo(*, settings: Settings, now: datetime | None = None) -> DemoReport:
    engine = make_engine(settings.database_url, settings=settings)
    factory = make_session_factory(engine)
    report = DemoReport()
    at = now or utcnow()
    try:
        for step in demo_steps():
            with factory() as session:
                step(session, report, at)
    finally:
        engine.dispose()
    return report
