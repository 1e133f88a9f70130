"""Routes of the asset reports: register, roll-forward, idle assets, unrealized intra-group profits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Query

from app.assets import (
    report_service,
)
from app.assets.api_common import AsOfQuery, Reader, cents, unrealized_read
from app.assets.domain.rollforward import RollForward
from app.assets.report_schemas import (
    AssetRegisterRead,
    AssetRollForwardRead,
    EntityRollForwardRead,
    IdleAssetsRead,
    IdleEntityRead,
    RegisterLineRead,
    RegisterTotals,
    RollForwardRead,
    UnrealizedLineRead,
    UnrealizedProfitsRead,
)
from app.assets.schemas import FIRST_DAY, LAST_DAY
from app.core.deps import NowDep, ReadSessionDep
from app.core.problems import problem_responses
from app.core.routing import feature_router

reports_router = feature_router(tag="assets")


def _register_line(line: report_service.RegisterLine) -> RegisterLineRead:
    a, p = line.asset, line.position
    return RegisterLineRead(
        asset_id=a.id,
        tag=a.tag,
        name=a.name,
        category=a.category,
        location=a.location,
        entity_id=line.entity_id,
        status=line.status,
        cost=cents(p.cost),
        accumulated_depreciation=cents(p.accumulated_depreciation),
        impairment=cents(p.impairment),
        carrying_amount=cents(p.carrying_amount),
    )


def _roll(row: RollForward) -> dict[str, Decimal]:
    return {
        "opening": cents(row.opening),
        "additions": cents(row.additions),
        "transfers_in": cents(row.transfers_in),
        "transfers_out": cents(row.transfers_out),
        "disposals": cents(row.disposals),
        "depreciation": cents(row.depreciation),
        "impairment": cents(row.impairment),
        "closing": cents(row.closing),
    }


# ----------------------------------------------------------------------------------------------- reports


@reports_router.get(
    "/asset-register",
    response_model=AssetRegisterRead,
    operation_id="read_asset_register",
    responses=problem_responses(404),
)
def read_asset_register(
    actor: Reader,
    session: ReadSessionDep,
    now: NowDep,
    as_of: AsOfQuery = None,
    entity_id: Annotated[str | None, Query(max_length=36)] = None,
) -> AssetRegisterRead:
    """Every asset held on `as_of` with cost, accumulated depreciation, impairment and carrying amount."""
    day = as_of or now.date()
    lines = report_service.asset_register(session, actor=actor, as_of=day, entity_id=entity_id)
    reads = [_register_line(line) for line in lines]
    return AssetRegisterRead(
        as_of=day,
        entity_id=entity_id,
        lines=reads,
        totals=RegisterTotals(
            cost=cents(sum((r.cost for r in reads), Decimal(0))),
            accumulated_depreciation=cents(sum((r.accumulated_depreciation for r in reads), Decimal(0))),
            impairment=cents(sum((r.impairment for r in reads), Decimal(0))),
            carrying_amount=cents(sum((r.carrying_amount for r in reads), Decimal(0))),
        ),
    )


@reports_router.get(
    "/asset-roll-forward",
    response_model=AssetRollForwardRead,
    operation_id="read_asset_roll_forward",
    responses=problem_responses(404),
)
def read_asset_roll_forward(
    actor: Reader,
    session: ReadSessionDep,
    start: Annotated[date, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)],
    end: Annotated[date, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY)],
    entity_id: Annotated[str | None, Query(max_length=36)] = None,
) -> AssetRollForwardRead:
    """Opening, additions, transfers in and out, disposals, depreciation, impairment and closing carrying
    amount, per company and in total; the group's own view when no company is asked for."""
    report = report_service.asset_roll_forward(
        session, actor=actor, start=start, end=end, entity_id=entity_id
    )
    total = RollForward()
    for row in report.by_entity.values():
        total = total + row
    return AssetRollForwardRead(
        from_=report.start,
        to=report.end,
        entities=[EntityRollForwardRead(entity_id=e, **_roll(r)) for e, r in report.by_entity.items()],
        total=RollForwardRead(**_roll(total)),
        group=RollForwardRead(**_roll(report.group)) if entity_id is None else None,
    )


@reports_router.get(
    "/idle-assets",
    response_model=IdleAssetsRead,
    operation_id="read_idle_assets",
    responses=problem_responses(404),
)
def read_idle_assets(
    actor: Reader,
    session: ReadSessionDep,
    now: NowDep,
    as_of: AsOfQuery = None,
    entity_id: Annotated[str | None, Query(max_length=36)] = None,
) -> IdleAssetsRead:
    """Idle assets per company and their share of the company's carrying amount of fixed assets."""
    day = as_of or now.date()
    lines = report_service.idle_assets(session, actor=actor, as_of=day, entity_id=entity_id)
    return IdleAssetsRead(
        as_of=day,
        entities=[
            IdleEntityRead(
                entity_id=x.entity_id,
                idle_carrying_amount=cents(x.idle_carrying_amount),
                total_carrying_amount=cents(x.total_carrying_amount),
                idle_share=x.idle_share,
                assets=[_register_line(i) for i in x.idle],
            )
            for x in lines
        ],
    )


@reports_router.get(
    "/unrealized-asset-profits",
    response_model=UnrealizedProfitsRead,
    operation_id="read_unrealized_asset_profits",
)
def read_unrealized_asset_profits(
    actor: Reader,
    session: ReadSessionDep,
    now: NowDep,
    as_of: AsOfQuery = None,
    start: Annotated[
        date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="default: 1 January of as_of")
    ] = None,
) -> UnrealizedProfitsRead:
    """For consolidation: unrealised profit on assets sold inside the group, per transfer: at the start,
    arising, released and left on `as_of`."""
    day = as_of or now.date()
    begin = start or date(day.year, 1, 1)
    lines = report_service.unrealized_profits(session, actor=actor, as_of=day, start=begin)
    return UnrealizedProfitsRead(
        from_=begin,
        as_of=day,
        items=[
            UnrealizedLineRead(
                record=unrealized_read(x.record),
                unrealized_at_start=cents(x.unrealized_at_start),
                arising=cents(x.arising),
                released=cents(x.released),
                unrealized=cents(x.unrealized),
            )
            for x in lines
        ],
    )
