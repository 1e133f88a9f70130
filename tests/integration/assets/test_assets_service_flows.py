"""Asset use cases against both databases: chains of internal sales, units of production across a sale, the
pro-rata convention across a transfer month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import depreciation_service, report_service, service, transfer_service
from app.assets.domain.accounting import TransferKind
from app.assets.domain.depreciation import Method
from app.assets.domain.periods import MonthConvention, Period
from app.assets.models import DepreciationPosting, UnrealizedAssetProfit
from app.core.context import Actor
from app.entities import service as entities
from app.ownership import service as ownership
from tests.conftest import NOW

D = Decimal
ADMIN = Actor(user_id="flow-admin", username="flow-admin", role="admin")
MAKER = Actor(user_id="flow-maker", username="flow-maker", role="accountant")
CHECKER = Actor(user_id="flow-checker", username="flow-checker", role="controller")


def _group(session: Session, size: int) -> list[str]:
    ids = [
        entities.create_entity(
            session,
            actor=ADMIN,
            code=f"FLOW-{i}-{id(session) % 10**6}",
            name=f"F{i}",
            kind="company",
            functional_currency="CNY",
            now=NOW,
            established_on=date(2000, 1, 1),
        ).id
        for i in range(size + 1)
    ]
    for sub in ids[1:]:
        ownership.create_stake(
            session,
            actor=ADMIN,
            holder_id=ids[0],
            investee_id=sub,
            share=D(1),
            valid_from=date(2000, 1, 1),
            now=NOW,
        )
    return ids[1:]


def _move(
    session: Session, *, asset_id: str, to: str, kind: TransferKind, on: date, price: str | None
) -> None:
    requested = transfer_service.request_transfer(
        session,
        actor=MAKER,
        now=NOW,
        asset_id=asset_id,
        to_entity_id=to,
        kind=kind,
        transfer_on=on,
        reason="flow",
        price=None if price is None else D(price),
    )
    transfer_service.approve_transfer(session, actor=CHECKER, transfer_id=requested.transfer.id, now=NOW)


def test_a_second_internal_sale_carries_the_unreleased_profit_into_its_record(session: Session) -> None:
    a, b, c = _group(session, 3)
    asset = service.create_asset(
        session,
        actor=MAKER,
        now=NOW,
        entity_id=a,
        tag=f"CHAIN-{id(session)}",
        name="模具",
        category="tooling",
        acquired_on=date(2023, 12, 5),
        cost=D(1200),
        residual_value=D(0),
        useful_life_months=120,
        method=Method.STRAIGHT_LINE,
    ).asset

    _move(session, asset_id=asset.id, to=b, kind=TransferKind.SALE, on=date(2024, 12, 10), price="1200.00")
    _move(session, asset_id=asset.id, to=c, kind=TransferKind.SALE, on=date(2025, 12, 10), price="1100.00")

    records = (
        session.execute(
            select(UnrealizedAssetProfit)
            .where(UnrealizedAssetProfit.asset_id == asset.id)
            .order_by(UnrealizedAssetProfit.transfer_on)
        )
        .scalars()
        .all()
    )
    # First: A's CA 1,080 (12 months), gain 120 = URP. B: 1,200 over 108 months, 12 months later 1,066.67.
    # Second: B's gain 1,100 - 1,066.67 = 33.33; the group's CA is 1,200 - 240 = 960, so 140 is unrealised.
    assert [(r.gain, r.unrealized_at_transfer, r.end_reason) for r in records] == [
        (D("120.0000"), D("120.0000"), "transferred"),
        (D("33.3300"), D("140.0000"), None),
    ]
    lines = report_service.unrealized_profits(session, actor=ADMIN, as_of=date(2025, 12, 31))
    second = next(x for x in lines if x.record.id == records[1].id)
    first = next(x for x in lines if x.record.id == records[0].id)
    # The first record ends at the second sale: its 120 leaves it (13.33 released by B's extra depreciation,
    # 106.67 carried into the second record).
    assert (first.unrealized_at_start, first.released, first.unrealized) == (D(120), D(120), D(0))
    assert (second.arising, second.unrealized) == (D("140.0000"), D(140))


def test_units_of_production_continue_on_the_units_left_after_a_sale(session: Session) -> None:
    a, b = _group(session, 2)
    asset = service.create_asset(
        session,
        actor=MAKER,
        now=NOW,
        entity_id=a,
        tag=f"UOP-{id(session)}",
        name="压力机",
        category="machinery",
        acquired_on=date(2023, 12, 5),
        cost=D(10000),
        residual_value=D(0),
        useful_life_months=120,
        method=Method.UNITS_OF_PRODUCTION,
        units_total=D(1000),
    ).asset
    depreciation_service.run_depreciation(
        session, actor=MAKER, period=Period(2024, 1), entity_id=a, units={asset.id: D(100)}, now=NOW
    )

    _move(session, asset_id=asset.id, to=b, kind=TransferKind.SALE, on=date(2024, 2, 1), price="9000.00")
    result = depreciation_service.run_depreciation(
        session, actor=MAKER, period=Period(2024, 3), entity_id=b, units={asset.id: D(90)}, now=NOW
    )

    view = service.get_asset(session, actor=ADMIN, asset_id=asset.id, as_of=date(2024, 3, 31))
    # The buyer's book: 9,000 over the 900 units left, 90 units -> 900.
    assert view.books[-1].book.units_total == D(900)
    assert result.runs[0].run.total == D(900)
    assert view.position is not None
    assert view.position.carrying_amount == D(8100)


def test_pro_rata_convention_shares_the_transfer_month_between_the_two_books(session: Session) -> None:
    a, b = _group(session, 2)
    asset = service.create_asset(
        session,
        actor=MAKER,
        now=NOW,
        entity_id=a,
        tag=f"DAYS-{id(session)}",
        name="服务器",
        category="it_equipment",
        acquired_on=date(2024, 1, 1),
        cost=D(3000),
        residual_value=D(0),
        useful_life_months=30,
        method=Method.STRAIGHT_LINE,
        convention=MonthConvention.AVAILABLE_DATE,
    ).asset

    _move(session, asset_id=asset.id, to=b, kind=TransferKind.FREE_TRANSFER, on=date(2024, 4, 16), price=None)
    depreciation_service.run_depreciation(session, actor=MAKER, period=Period(2024, 4), entity_id=b, now=NOW)

    postings = session.execute(
        select(DepreciationPosting.entity_id, DepreciationPosting.period, DepreciationPosting.amount)
        .where(DepreciationPosting.asset_id == asset.id)
        .order_by(DepreciationPosting.period, DepreciationPosting.entity_id)
    ).all()
    april = {entity: amount for entity, period, amount in postings if period == "2024-04"}
    # 100 a month: 15 of April's 30 days in A, 15 in B.
    assert april == {a: D("50.0000"), b: D("50.0000")}
    assert sum((amount for _, _, amount in postings), D(0)) == D(400)
