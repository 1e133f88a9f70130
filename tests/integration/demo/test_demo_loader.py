"""`groupledger demo` loads the demo group through the services, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.analytics.demo import SMALL_MAKERS, asset_tags
from app.assets.models import AssetRehoming, AssetTransfer, FixedAsset
from app.audit.service import verify_chain
from app.cli import migrate_to_head
from app.core.context import SYSTEM_ACTOR
from app.core.db import make_engine, make_session_factory
from app.demo import events as demo_events
from app.demo.assets import demo_assets
from app.demo.group import DEMO_ENTITIES, DEMO_PARENT_CODE, DEMO_STAKES, DEMO_USERS
from app.demo.loader import load_demo
from app.entities.models import LegalEntity
from app.events.api import event_read
from app.events.models import GroupEvent
from app.ledger import report_service
from app.ownership import view_service as ownership_views
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
        events = {e.kind: e for e in session.execute(select(GroupEvent)).scalars()}
        # each stake an event changes gets a new record (the old one ends); one it ends (the absorbed
        # company's holder) gets none
        records_by_events = sum(
            1 for e in events.values() for change in e.plan["stake_changes"] if change["after"] is not None
        )
        assert (
            session.execute(select(func.count()).select_from(EquityStake)).scalar_one()
            == len(DEMO_STAKES) + len(SMALL_MAKERS) + records_by_events
        )
        assert session.execute(select(func.count()).select_from(User)).scalar_one() == len(DEMO_USERS)
        assert verify_chain(session).ok
        parent = session.execute(select(LegalEntity).where(LegalEntity.code == DEMO_PARENT_CODE)).scalar_one()
        view = ownership_views.ownership_as_of(
            session, actor=SYSTEM_ACTOR, parent_id=parent.id, as_of=date(2026, 6, 30)
        )
        assert report_service.check_balances(session).ok
        statuses = sorted(session.execute(select(AssetTransfer.status)).scalars())
        assert statuses == ["executed", "executed", "submitted"]
        assert session.execute(select(func.count()).select_from(FixedAsset)).scalar_one() == len(
            demo_assets()
        ) + sum(len(asset_tags(maker)) for maker in SMALL_MAKERS)
        # the merger re-homes the absorbed works' assets (a record each), it creates no asset
        absorbed = next(m for m in SMALL_MAKERS if m.code == demo_events.MERGER_ABSORBED)
        rehomed = sorted(
            session.execute(
                select(FixedAsset.tag).join(AssetRehoming, AssetRehoming.asset_id == FixedAsset.id)
            ).scalars()
        )
        assert rehomed == sorted(asset_tags(absorbed))
        by_code = {e.code: e for e in session.execute(select(LegalEntity)).scalars()}
        holders = set(
            session.execute(
                select(FixedAsset.holder_entity_id).where(FixedAsset.tag.in_(asset_tags(absorbed)))
            ).scalars()
        )
        assert holders == {by_code[demo_events.MERGER_SURVIVOR].id}
        # the three events of the year, committed with their entries
        assert sorted(events) == ["capital_increase", "disposal", "merger_absorption"]
        assert {event_read(e).status for e in events.values()} == {"committed"}
        assert all(e.plan["ok"] and e.plan["entries"] for e in events.values())
        assert by_code[demo_events.MERGER_ABSORBED].status == "merged"
        assert events["merger_absorption"].effective_on == demo_events.MERGER_ON
        diluted = by_code[demo_events.DILUTED].id
        day = demo_events.CAPITAL_INCREASE_ON
        around = [
            next(
                line.figures
                for line in ownership_views.ownership_as_of(
                    session, actor=SYSTEM_ACTOR, parent_id=parent.id, as_of=on
                ).lines
                if line.entity.id == diluted
            )
            for on in (day - timedelta(days=1), day)
        ]
        assert around[1].group_share < around[0].group_share
        assert (around[0].method, around[1].method) == ("subsidiary", "subsidiary")
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
    # the merger moves the absorbed works' dividend declared to its holder (4104) to the survivor, while the
    # holder's dividend income of the year stays booked against the absorbed works: a pair that nets to zero
    dividend = next(m for m in SMALL_MAKERS if m.code == demo_events.MERGER_ABSORBED)
    declared = (dividend.capital * dividend.dividend).quantize(Decimal("0.0001"))
    assert found == {
        ("receivables_payables", "FSCA", "YSEN", Decimal("1200.0000")),
        ("revenue_costs", "FSCA", "YSEN", Decimal("1200.0000")),
        ("dividends", dividend.holder, demo_events.MERGER_ABSORBED, declared),
        ("dividends", dividend.holder, demo_events.MERGER_SURVIVOR, -declared),
    }
