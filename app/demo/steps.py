"""Demo steps contributed by the features after the entities: stakes, books, assets, consolidations."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.context import SYSTEM_ACTOR
from app.demo.books import DEMO_YEAR, EUR_CNY, EUR_CNY_HISTORICAL, demo_entries
from app.demo.group import DEMO_STAKES
from app.demo.report import DemoReport, DemoStep
from app.entities.models import LegalEntity
from app.ledger import fx_service
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft
from app.ledger.models import FxRate, JournalEntry
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


def load_books(session: Session, report: DemoReport, now: datetime) -> None:
    """A year of books (see app/demo/books.py), posted through the ledger service, and EUR/CNY rates."""
    ids = {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}
    posted = set(
        session.execute(select(JournalEntry.source_ref).where(JournalEntry.source == "demo")).scalars()
    )
    rates = {
        (kind, on)
        for kind, on in session.execute(
            select(FxRate.kind, FxRate.on).where(FxRate.currency == "EUR", FxRate.quote_currency == "CNY")
        )
    }
    session.rollback()
    for month in range(1, 13):
        last = date(DEMO_YEAR, month, calendar.monthrange(DEMO_YEAR, month)[1])
        for kind, rate in EUR_CNY.items():
            if (kind, last) not in rates:
                fx_service.create_rate(
                    session,
                    actor=SYSTEM_ACTOR,
                    currency="EUR",
                    quote_currency="CNY",
                    kind=kind,
                    on=last,
                    rate=rate,
                    now=now,
                )
                report.add("fx rates")
    historical_on, historical_rate = EUR_CNY_HISTORICAL
    if ("historical", historical_on) not in rates:
        fx_service.create_rate(
            session,
            actor=SYSTEM_ACTOR,
            currency="EUR",
            quote_currency="CNY",
            kind="historical",
            on=historical_on,
            rate=historical_rate,
            now=now,
        )
        report.add("fx rates")
    for entry in demo_entries():
        ref = f"demo:{entry.entity_code}:{entry.ref}"
        if ref in posted:
            continue
        lines = [
            LineDraft(
                account_code=line.account_code,
                debit=line.debit,
                credit=line.credit,
                counterparty_entity_id=ids[line.counterparty_code] if line.counterparty_code else None,
            )
            for line in entry.lines
        ]
        ledger_service.post_entry(
            session,
            actor=SYSTEM_ACTOR,
            entity_id=ids[entry.entity_code],
            entry_date=entry.entry_date,
            description=entry.description,
            lines=lines,
            now=now,
            source="demo",
            source_ref=ref,
        )
        report.add("journal entries")


def structure_steps() -> list[DemoStep]:
    return [load_stakes]


def later_steps() -> list[DemoStep]:
    return [load_books]
