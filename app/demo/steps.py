"""Demo steps contributed by the features after the entities: stakes, books, assets, consolidations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.context import SYSTEM_ACTOR
from app.demo.group import DEMO_STAKES
from app.demo.report import DemoReport, DemoStep
from app.entities.models import LegalEntity
from app.ownership import service as ownership_service
from app.ownership.models import EquityStake


def load_stakes(session: Session, report: DemoReport, now: datetime) -> None:
    ids = {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}
    present = {
        (holder, investee, start)
        for holder, investee, start in session.execute(
            select(EquityStake.holder_id, EquityStake.investee_id, EquityStake.valid_from)
        )
    }
    session.rollback()
    for demo in DEMO_STAKES:
        holder, investee = ids[demo.holder_code], ids[demo.investee_code]
        if (holder, investee, demo.valid_from) in present:
            continue
        ownership_service.create_stake(
            session,
            actor=SYSTEM_ACTOR,
            holder_id=holder,
            investee_id=investee,
            share=demo.share,
            voting_share=demo.voting_share,
            valid_from=demo.valid_from,
            capital_subscribed=demo.capital_amount,
            capital_paid=demo.capital_amount,
            source="demo",
            now=now,
        )
        report.add("stakes")


def structure_steps() -> list[DemoStep]:
    return [load_stakes]


def later_steps() -> list[DemoStep]:
    return []
