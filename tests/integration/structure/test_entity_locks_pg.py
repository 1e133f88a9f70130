"""Entity row locks on PostgreSQL: `lock_entities` serialises writers of an entity without blocking the
foreign-key checks of rows that reference it, so it no longer deadlocks against the audit chain head.

The deadlock (issue #10, docs/RELIABILITY.md): transaction A records an audit event (holding the chain
head) and then inserts a row referencing entity E; transaction B locks E and then records its event. With
E locked `FOR UPDATE`, A's foreign-key check (`KEY SHARE` on E) waits for B while B waits for the head: a
deadlock PostgreSQL breaks after `deadlock_timeout` by aborting one of them. With `FOR NO KEY UPDATE` A
goes on, commits, and B then takes the head. The tests commit, so they run in a database of their own.

The interleaving is forced with events, and the first test runs it with the old plain `FOR UPDATE` too, to
show that the scenario does deadlock with that lock (the test would notice a regression).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit
from app.cli import migrate_to_head
from app.core.context import Actor
from app.core.db import make_engine, make_session_factory
from app.entities import service as entities
from app.entities.models import LegalEntity
from app.ledger.models import FiscalPeriod
from tests.conftest import NOW, create_postgres_database, settings_for

ADMIN = Actor(user_id="lock-admin", username="lock-admin", role="admin")
WAIT = 20.0  # seconds any step may wait for the other thread before the test gives up


@pytest.fixture
def committed_factory() -> Iterator[sessionmaker[Session]]:
    url, drop = create_postgres_database("gl_entity_locks")
    settings = settings_for(url)
    migrate_to_head(settings)
    engine = make_engine(url, settings=settings.model_copy(update={"pool_size": 8}))
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        drop()


@pytest.fixture
def entity_id(committed_factory: sessionmaker[Session]) -> str:
    with committed_factory() as s:
        return entities.create_entity(
            s,
            actor=ADMIN,
            code="LOCK-E",
            name="锁测试",
            kind="company",
            functional_currency="CNY",
            now=NOW,
            established_on=date(2000, 1, 1),
        ).id


def _plain_for_update(session: Session, *, entity_ids: set[str]) -> object:
    """The lock `lock_entities` took before the fix."""
    return session.execute(
        select(LegalEntity).where(LegalEntity.id.in_(sorted(entity_ids))).with_for_update()
    ).all()


def _lock_entities(session: Session, *, entity_ids: set[str]) -> object:
    return entities.lock_entities(session, entity_ids=entity_ids)


def _race(
    factory: sessionmaker[Session], entity_id: str, lock: Callable[..., object]
) -> dict[str, BaseException | None]:
    """B locks E then audits; A audits then inserts a row referencing E. The outcome of each."""
    b_locked, a_has_head = threading.Event(), threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def writer_b() -> None:
        try:
            with factory() as s, s.begin():
                lock(s, entity_ids={entity_id})
                b_locked.set()
                assert a_has_head.wait(WAIT)
                audit.record(s, actor=ADMIN, action="test.b", subject_type="t", subject_id="b", at=NOW)
            outcome["b"] = None
        except BaseException as error:
            outcome["b"] = error
            b_locked.set()

    def writer_a() -> None:
        try:
            assert b_locked.wait(WAIT)
            with factory() as s, s.begin():
                audit.record(s, actor=ADMIN, action="test.a", subject_type="t", subject_id="a", at=NOW)
                a_has_head.set()
                time.sleep(0.3)  # B is now waiting for the chain head
                s.add(FiscalPeriod(entity_id=entity_id, year=2026, month=1, status="closed"))
                s.flush()  # the foreign-key check: KEY SHARE on E
            outcome["a"] = None
        except BaseException as error:
            outcome["a"] = error
            a_has_head.set()

    threads = [threading.Thread(target=writer_b), threading.Thread(target=writer_a)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return outcome


def _sqlstate(error: BaseException | None) -> str | None:
    return getattr(getattr(error, "orig", None), "sqlstate", None) if isinstance(error, DBAPIError) else None


class TestLockEntities:
    def test_the_old_for_update_deadlocks_against_the_audit_head(
        self, committed_factory: sessionmaker[Session], entity_id: str
    ) -> None:
        outcome = _race(committed_factory, entity_id, _plain_for_update)

        assert "40P01" in {_sqlstate(outcome["a"]), _sqlstate(outcome["b"])}, outcome

    def test_does_not_deadlock_against_the_audit_head(
        self, committed_factory: sessionmaker[Session], entity_id: str
    ) -> None:
        outcome = _race(committed_factory, entity_id, _lock_entities)

        assert outcome == {"a": None, "b": None}
        with committed_factory() as s:
            actions = s.execute(
                text("SELECT action FROM audit_event WHERE action LIKE 'test.%' ORDER BY seq")
            )
            assert [a for (a,) in actions] == ["test.a", "test.b"]
            assert s.get(FiscalPeriod, (entity_id, 2026, 1)) is not None

    def test_still_excludes_a_second_writer_of_the_entity(
        self, committed_factory: sessionmaker[Session], entity_id: str
    ) -> None:
        with committed_factory() as holder, holder.begin():
            entities.lock_entities(holder, entity_ids={entity_id})

            with committed_factory() as other, other.begin():
                other.execute(text("SET LOCAL lock_timeout = '300ms'"))
                other.add(FiscalPeriod(entity_id=entity_id, year=2026, month=2, status="closed"))
                other.flush()  # a row referencing the locked entity: no wait
                with pytest.raises(OperationalError) as refused:
                    entities.lock_entities(other, entity_ids={entity_id})

        assert _sqlstate(refused.value) == "55P03"  # lock_not_available: the second writer waits
