"""The balance check finds a kept month that differs from its lines; the CLI function reads a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.cli import migrate_to_head
from app.core.context import Actor
from app.core.db import make_engine, make_session_factory
from app.entities.models import LegalEntity
from app.ledger import service
from app.ledger.cli import run_balance_check
from app.ledger.domain.entries import LineDraft
from app.ledger.models import AccountBalance
from app.ledger.report_service import check_balances
from tests.conftest import settings_for

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ACTOR = Actor(user_id=None, username="checker", role="accountant")


def _post_sale(session: Session, code: str) -> str:
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
    service.post_entry(
        session,
        actor=ACTOR,
        entity_id=entity.id,
        entry_date=date(2026, 4, 10),
        now=NOW,
        description="sale",
        lines=[LineDraft("1122", debit=Decimal("250.5")), LineDraft("6001", credit=Decimal("250.5"))],
    )
    return entity.id


class TestCheckBalances:
    def test_finds_a_kept_month_that_differs_from_its_lines(self, session: Session) -> None:
        entity_id = _post_sale(session, "CHECKED")
        before = check_balances(session)
        session.execute(
            update(AccountBalance)
            .where(AccountBalance.entity_id == entity_id, AccountBalance.account_code == "6001")
            .values(credit=Decimal("250.4"))
        )

        after = check_balances(session)

        assert before.ok
        assert not after.ok
        assert [
            (m.account_code, m.year, m.month, m.kept_credit, m.line_credit) for m in after.mismatches
        ] == [("6001", 2026, 4, Decimal("250.4000"), Decimal("250.5000"))]


def test_the_cli_check_reads_a_database_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.sqlite3'}"
    migrate_to_head(settings_for(url))
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        _post_sale(session, "CLI")
    engine.dispose()

    check = run_balance_check(database_url=url)

    assert check.ok
    assert (check.entities_checked, check.months_checked) == (1, 2)
