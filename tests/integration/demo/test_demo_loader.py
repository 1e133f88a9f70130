"""`groupledger demo` loads the demo group through the services, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.analytics.demo import SMALL_MAKERS, asset_tags
from app.assets.models import AssetTransfer, FixedAsset
from app.audit.service import verify_chain
from app.cli import migrate_to_head
from app.core.context import SYSTEM_ACTOR
from app.core.db import make_engine, make_session_factory
from app.demo.assets import demo_assets
from app.demo.group import DEMO_ENTITIES, DEMO_PARENT_CODE, DEMO_STAKES, DEMO_USERS
from app.demo.loader import load_demo
from app.entities.models import LegalEntity
from app.ledger import report_service
from app.ownership import service as ownership_service
from app.ownership.models import EquityStake
from app.users.models import User
from tests.conftest import create_database, settings_for

AT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def demo_url(backend: str, tmp_path: Path) -> Iterator[str]:
    url, drop = create_database(backend, tmp_path)
    migrate_to_head(settings_for(url))
    yield url
    drop()


def test_loads_the_group_once_with_interesting_ownership(demo_url: str) -> None:
    settings = settings_for(demo_url)

    first = load_demo(settings=settings, now=AT)
    second = load_demo(settings=settings, now=AT)

    assert len(first.created_users) == len(DEMO_USERS)
    assert second.created_users == []
    assert second.summary == "demo group already loaded: nothing to do"
    engine = make_engine(demo_url)
    with make_session_factory(engine)() as session:
        assert session.execute(select(func.count()).select_from(LegalEntity)).scalar_one() == len(
            DEMO_ENTITIES
        ) + len(SMALL_MAKERS)
        assert session.execute(select(func.count()).select_from(EquityStake)).scalar_one() == len(
            DEMO_STAKES
        ) + len(SMALL_MAKERS)
        assert session.execute(select(func.count()).select_from(User)).scalar_one() == len(DEMO_USERS)
        assert verify_chain(session).ok
        parent = session.execute(select(LegalEntity).where(LegalEntity.code == DEMO_PARENT_CODE)).scalar_one()
        view = ownership_service.ownership_as_of(
            session, actor=SYSTEM_ACTOR, parent_id=parent.id, as_of=date(2026, 6, 30)
        )
        assert report_service.check_balances(session).ok
        statuses = sorted(session.execute(select(AssetTransfer.status)).scalars())
        assert statuses == ["executed", "executed", "submitted"]
        assert session.execute(select(func.count()).select_from(FixedAsset)).scalar_one() == len(
            demo_assets()
        ) + sum(len(asset_tags(maker)) for maker in SMALL_MAKERS)
        matching = report_service.intercompany_matching(
            session,
            actor=SYSTEM_ACTOR,
            as_of=date(2025, 12, 31),
            tolerance=Decimal("1"),
            presentation_currency="CNY",
        )
        codes = {e.id: e.code for e in session.execute(select(LegalEntity)).scalars()}
    engine.dispose()
    methods = {line.figures.method for line in view.lines}
    assert {"parent", "subsidiary", "associate"} <= methods
    found = {
        (m.rule, codes[m.entity_id], codes[m.counterparty_entity_id], m.difference)
        for m in matching.differences
    }
    assert found == {
        ("receivables_payables", "FSCA", "YSEN", Decimal("1200.0000")),
        ("revenue_costs", "FSCA", "YSEN", Decimal("1200.0000")),
    }
