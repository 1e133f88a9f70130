"""Concurrent posting on PostgreSQL (committed, own database): entry numbers have no gaps or duplicates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.cli import migrate_to_head
from app.core.context import Actor
from app.core.db import make_engine, make_session_factory
from app.entities.models import LegalEntity
from app.ledger import service
from app.ledger.domain.entries import LineDraft
from app.ledger.models import JournalEntry
from app.ledger.report_service import check_balances, trial_balance
from tests.conftest import create_postgres_database, settings_for

THREADS = 8
ENTRIES_PER_THREAD = 25
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
POSTER = Actor(user_id=None, username="poster", role="accountant")


@pytest.fixture
def committed_engine() -> Iterator[Engine]:
    url, drop = create_postgres_database("gl_ledger_conc")
    engine = None
    try:
        migrate_to_head(settings_for(url))
        engine = make_engine(url)
        yield engine
    finally:
        if engine is not None:
            engine.dispose()
        drop()


def _entity(factory: sessionmaker[Session], code: str) -> str:
    with factory() as session:
        entity = LegalEntity(
            code=code,
            name=code,
            kind="company",
            functional_currency="CNY",
            created_at=NOW,
            status="active",
            version=1,
        )
        session.add(entity)
        session.commit()
        return entity.id


def _post(factory: sessionmaker[Session], entity_id: str, day: int, amount: str) -> None:
    with factory() as session:
        service.post_entry(
            session,
            actor=POSTER,
            entity_id=entity_id,
            entry_date=date(2026, 3, day),
            description=f"concurrent {amount}",
            now=NOW,
            lines=[LineDraft("1002", debit=Decimal(amount)), LineDraft("6001", credit=Decimal(amount))],
        )


def test_concurrent_postings_to_one_entity_are_numbered_without_gaps(committed_engine: Engine) -> None:
    factory = make_session_factory(committed_engine)
    entity_id = _entity(factory, "CONC")
    _post(factory, _entity(factory, "WARMUP"), 1, "1")  # the audit chain's head row exists before the race
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def worker(thread_no: int) -> None:
        try:
            start.wait()
            for i in range(ENTRIES_PER_THREAD):
                _post(factory, entity_id, 1 + (thread_no + i) % 28, f"{thread_no + 1}.{i:02d}")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    with factory() as session:
        numbers = list(
            session.execute(
                select(JournalEntry.number)
                .where(JournalEntry.entity_id == entity_id)
                .order_by(JournalEntry.number)
            ).scalars()
        )
        check = check_balances(session)
        balance = trial_balance(session, actor=POSTER, entity_id=entity_id, as_of=date(2026, 3, 31))
    assert numbers == list(range(1, THREADS * ENTRIES_PER_THREAD + 1))
    assert check.ok
    expected = sum(Decimal(f"{t + 1}.{i:02d}") for t in range(THREADS) for i in range(ENTRIES_PER_THREAD))
    assert [(ln.account_code, ln.debit, ln.credit) for ln in balance.lines] == [
        ("1002", expected, Decimal("0.0000")),
        ("6001", Decimal("0.0000"), expected),
    ]
