"""Entity and stake services against both databases: mergers, engine inputs, and the investee lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.cli import migrate_to_head
from app.core.context import SYSTEM_ACTOR
from app.core.db import atomic, make_engine, make_session_factory
from app.entities import service as entities_service
from app.entities.errors import EntityValidationError
from app.entities.models import LegalEntity
from app.ownership import domain as od
from app.ownership import service as ownership_service
from app.ownership import view_service as ownership_views
from app.ownership.errors import StakeValidationError
from tests.conftest import NOW, create_database, settings_for

D = date(2024, 1, 1)


def _entity(session: Session, code: str, **fields: object) -> LegalEntity:
    return entities_service.create_entity(
        session,
        actor=SYSTEM_ACTOR,
        code=code,
        name=f"{code}公司",
        kind="company",
        functional_currency="CNY",
        now=NOW,
        **fields,  # type: ignore[arg-type]
    )


def _stake(
    session: Session,
    holder: LegalEntity,
    investee: LegalEntity,
    share: str,
    start: date = D,
    end: date | None = None,
) -> None:
    ownership_service.create_stake(
        session,
        actor=SYSTEM_ACTOR,
        holder_id=holder.id,
        investee_id=investee.id,
        share=Decimal(share),
        valid_from=start,
        valid_to=end,
        now=NOW,
    )


class TestMarkMerged:
    def test_closes_the_absorbed_entity_and_its_stakes_keeping_its_history(self, session: Session) -> None:
        parent, absorbed, survivor, plant = (_entity(session, c) for c in ("P", "OLD", "NEW", "PLANT"))
        _stake(session, parent, absorbed, "1")
        _stake(session, absorbed, plant, "0.6")
        merger_day = date(2025, 1, 1)

        merged = entities_service.mark_merged(
            session, actor=SYSTEM_ACTOR, entity_id=absorbed.id, into_id=survivor.id, on=merger_day, now=NOW
        )
        _stake(session, survivor, plant, "0.6", start=merger_day)

        assert (merged.status, merged.ended_on, merged.merged_into_id) == ("merged", merger_day, survivor.id)
        assert entities_service.status_dates(merged) == (merger_day, None)
        holdings = ownership_views.holdings_on(session, as_of=merger_day)
        assert {(h.holder, h.investee) for h in holdings} == {(survivor.id, plant.id)}
        before = ownership_views.holdings_on(session, as_of=merger_day - timedelta(days=1))
        assert {(h.holder, h.investee) for h in before} == {(parent.id, absorbed.id), (absorbed.id, plant.id)}
        existing = entities_service.list_entities(
            session, actor=SYSTEM_ACTOR, limit=10, as_of=date(2024, 6, 1)
        )
        assert absorbed.id in {e.id for e in existing}

    def test_refuses_merging_into_itself_or_an_unknown_entity(self, session: Session) -> None:
        entity = _entity(session, "E")

        with pytest.raises(EntityValidationError) as into_itself:
            entities_service.mark_merged(
                session, actor=SYSTEM_ACTOR, entity_id=entity.id, into_id=entity.id, on=D, now=NOW
            )
        with pytest.raises(EntityValidationError) as unknown:
            entities_service.mark_merged(
                session, actor=SYSTEM_ACTOR, entity_id=entity.id, into_id="nope", on=D, now=NOW
            )

        assert [e["type"] for e in into_itself.value.errors] == ["self_merge"]
        assert [e["loc"] for e in unknown.value.errors] == [["body", "into_id"]]
        assert (
            entities_service.get_entity(session, actor=SYSTEM_ACTOR, entity_id=entity.id).status == "active"
        )


class TestEngineInputs:
    def test_refuses_shares_finer_than_the_column_keeps(self, session: Session) -> None:
        holder, investee = _entity(session, "H"), _entity(session, "I")

        with pytest.raises(StakeValidationError) as refused:
            ownership_service.create_stake(
                session,
                actor=SYSTEM_ACTOR,
                holder_id=holder.id,
                investee_id=investee.id,
                share=Decimal("0.1234567890123"),
                valid_from=D,
                now=NOW,
            )

        assert {e["type"] for e in refused.value.errors} == {"too_many_decimals"}

    def test_control_since_from_one_history_agrees_with_the_engine(self, session: Session) -> None:
        parent, sub, subsub = _entity(session, "P"), _entity(session, "S"), _entity(session, "T")
        _stake(session, parent, sub, "0.4")
        _stake(session, sub, subsub, "0.7", start=date(2024, 3, 1))
        _stake(session, parent, sub, "0.8", start=date(2024, 6, 1))
        _stake(session, parent, sub, "0.9", start=date(2024, 9, 1))
        as_of = date(2024, 12, 31)

        view = ownership_views.ownership_as_of(session, actor=SYSTEM_ACTOR, parent_id=parent.id, as_of=as_of)

        dated = ownership_views.dated_holdings(session, until=as_of)
        for line in view.lines[1:]:
            engine = od.control_since(parent=parent.id, entity=line.entity.id, holdings=dated, as_of=as_of)
            assert line.control_since == engine == date(2024, 6, 1)

    def test_control_since_counts_an_intermediate_the_parent_no_longer_reaches(
        self, session: Session
    ) -> None:
        # P holds 30% of A directly and, until July, 60% of B, which holds another 30% of A: A is a
        # subsidiary from January through B, and from July on P's own 60%. B is out of P's view at the
        # year end, yet its holding decides when control of A began.
        parent, a, b = _entity(session, "P"), _entity(session, "A"), _entity(session, "B")
        july = date(2024, 7, 1)
        _stake(session, parent, a, "0.3", end=july)
        _stake(session, parent, a, "0.6", start=july)
        _stake(session, parent, b, "0.6", end=july)
        _stake(session, b, a, "0.3")

        view = ownership_views.ownership_as_of(
            session, actor=SYSTEM_ACTOR, parent_id=parent.id, as_of=date(2024, 12, 31)
        )

        lines = {line.entity.code: line for line in view.lines}
        assert set(lines) == {"P", "A"}
        assert lines["A"].figures.method == od.SUBSIDIARY
        assert lines["A"].control_since == D


# ------------------------------------------------------------------------------------------- concurrency


@pytest.fixture(scope="module")
def committed_factory(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    """A database of its own whose transactions really commit (the usual fixtures roll back)."""
    url, drop = create_database(backend, tmp_path_factory.mktemp("lock"))
    migrate_to_head(settings_for(url))
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()
    drop()


def test_a_stake_write_waits_for_the_investee_lock_and_then_sees_the_other_stake(
    committed_factory: sessionmaker[Session],
) -> None:
    with committed_factory() as setup:
        first, second, investee = (_entity(setup, code) for code in ("A", "B", "X"))
    outcome: list[BaseException | None] = []

    def competing_write() -> None:
        with committed_factory() as other:
            try:
                _stake(other, second, investee, "0.6")
                outcome.append(None)
            except BaseException as exc:  # reported to the main thread
                outcome.append(exc)

    with committed_factory() as holder_session, atomic(holder_session):
        entities_service.lock_entities(holder_session, entity_ids={first.id, investee.id})
        competitor = threading.Thread(target=competing_write)
        competitor.start()
        competitor.join(timeout=0.5)
        blocked_while_locked = competitor.is_alive()
        _stake(holder_session, first, investee, "0.6")
    competitor.join(timeout=30)

    assert blocked_while_locked
    assert len(outcome) == 1
    assert isinstance(outcome[0], StakeValidationError)
    assert {e["type"] for e in outcome[0].errors} == {"over_allocated"}
    with committed_factory() as check:
        assert sum(h.share for h in ownership_views.holdings_on(check, as_of=D)) == Decimal("0.6")
