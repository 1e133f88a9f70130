"""Demo steps contributed by the features after the entities: stakes, books, assets, consolidations."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analytics.demo import load_small_makers
from app.assets import depreciation_service, transfer_service
from app.assets import service as assets_service
from app.assets.domain.accounting import TransferKind
from app.assets.domain.depreciation import Method
from app.assets.domain.periods import Period
from app.assets.models import AssetTransfer, FixedAsset
from app.consolidation.demo import load_consolidations
from app.core.context import SYSTEM_ACTOR
from app.demo.assets import DEMO_TRANSFERS, demo_assets
from app.demo.books import DEMO_YEAR, EUR_CNY, EUR_CNY_HISTORICAL, demo_entries
from app.demo.events import load_group_events
from app.demo.group import DEMO_STAKES
from app.demo.report import DemoReport, DemoStep
from app.entities.models import LegalEntity
from app.ledger import fx_service
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft
from app.ledger.models import FxRate, JournalEntry
from app.ownership import service as ownership_service
from app.ownership.models import EquityStake
from app.users.auth import actor_for_user
from app.users.models import User


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
    return [load_books, load_assets, load_consolidations, load_small_makers, load_group_events]


def load_assets(session: Session, report: DemoReport, now: datetime) -> None:
    """Register the makers' assets; a year of depreciation around the transfers (app/demo/assets.py)."""
    ids = {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}
    tags = {tag: aid for tag, aid in session.execute(select(FixedAsset.tag, FixedAsset.id))}
    requested = set(session.execute(select(AssetTransfer.asset_id)).scalars())
    approvers = [  # above the threshold a transfer needs two different controllers
        actor_for_user(user)
        for user in session.execute(
            select(User).where(User.username.in_(("controller", "controller2"))).order_by(User.username)
        ).scalars()
    ]
    session.rollback()
    for demo in demo_assets():
        if demo.tag in tags:
            continue
        view = assets_service.create_asset(
            session,
            actor=SYSTEM_ACTOR,
            now=now,
            entity_id=ids[demo.entity_code],
            tag=demo.tag,
            name=demo.name,
            category=demo.category,
            acquired_on=date(DEMO_YEAR - 1, 12, 1),
            cost=demo.cost,
            residual_value=(demo.cost * Decimal("0.05")).quantize(Decimal("0.01")),
            useful_life_months=demo.useful_life_months,
            method=Method(demo.method),
            accumulated_depreciation=Decimal(0),
            opening_balance_on=date(DEMO_YEAR, 1, 1),
        )
        tags[demo.tag] = view.asset.id
        report.add("assets")
    for month in range(1, 13):
        _depreciate(session, report, now, month)
        for transfer in (
            t for t in DEMO_TRANSFERS if (t.transfer_on.year, t.transfer_on.month) == (DEMO_YEAR, month + 1)
        ):
            if tags[transfer.tag] in requested:
                continue
            submitted = transfer_service.request_transfer(
                session,
                actor=SYSTEM_ACTOR,
                now=now,
                asset_id=tags[transfer.tag],
                to_entity_id=ids[transfer.to_code],
                kind=TransferKind(transfer.kind),
                transfer_on=transfer.transfer_on,
                reason=transfer.reason,
                price=transfer.price,
            )
            report.add("asset transfers")
            if transfer.approve:
                for approver in approvers:
                    approved = transfer_service.approve_transfer(
                        session, actor=approver, transfer_id=submitted.transfer.id, now=now
                    )
                    if approved.transfer.status == "executed":
                        break


def _depreciate(session: Session, report: DemoReport, now: datetime, month: int) -> None:
    result = depreciation_service.run_depreciation(
        session, actor=SYSTEM_ACTOR, period=Period(DEMO_YEAR, month), now=now
    )
    created = sum(1 for run in result.runs if run.created)
    if created:
        report.add("depreciation runs", created)
