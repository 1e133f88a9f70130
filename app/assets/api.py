"""HTTP: the asset register, depreciation runs, transfers between group companies and asset reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Response

from app.assets import (
    depreciation_service,
    disposal_service,
    service,
    views,
)
from app.assets.api_common import AsOfQuery, Preparer, Reader, after_id, cents
from app.assets.domain.accounting import DisposalKind
from app.assets.domain.depreciation import Method
from app.assets.domain.periods import MonthConvention, Period
from app.assets.domain.workflow import AssetStatus
from app.assets.models import AssetImpairment
from app.assets.schemas import (
    FIRST_DAY,
    LAST_DAY,
    AssetCreate,
    AssetRead,
    AssetUpdate,
    BookRead,
    CategoryName,
    DepreciationRunCreate,
    DepreciationRunsRead,
    DisposalCreate,
    DisposalRead,
    ImpairmentCreate,
    ImpairmentRead,
    RunRead,
    SkippedRead,
    StatusName,
)
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.etag import IfMatchDep, etag_for
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router

router = feature_router(tag="assets")


# ------------------------------------------------------------------------------------------------ shaping


def _book_read(view: views.BookView) -> BookRead:
    b, p = view.book, view.position
    return BookRead(
        id=b.id,
        entity_id=b.entity_id,
        valid_from=b.valid_from,
        valid_to=b.valid_to,
        origin=b.origin,
        ending=b.ending,
        transfer_id=b.transfer_id,
        cost=cents(b.cost_basis),
        residual_value=cents(b.residual_value),
        useful_life_months=b.useful_life_months,
        method=b.method,
        convention=b.convention,
        units_total=b.units_total,
        depreciation_from=b.depreciation_from,
        depreciation_until=b.depreciation_until,
        opening_accumulated_depreciation=cents(b.opening_accumulated),
        opening_impairment=cents(b.opening_impairment),
        accumulated_depreciation=cents(p.accumulated_depreciation),
        impairment=cents(p.impairment),
        carrying_amount=cents(p.carrying_amount),
    )


def _asset_read(view: views.AssetView) -> AssetRead:
    a, p = view.asset, view.position
    return AssetRead(
        id=a.id,
        tag=a.tag,
        name=a.name,
        category=a.category,
        location=a.location,
        acquired_on=a.acquired_on,
        cost=cents(a.cost),
        residual_value=cents(a.residual_value),
        useful_life_months=a.useful_life_months,
        method=a.method,
        convention=a.convention,
        units_total=a.units_total,
        expense_account_code=a.expense_account,
        current_holder_entity_id=a.holder_entity_id,
        current_status=a.status,
        disposed_on=a.disposed_on,
        as_of=view.as_of,
        holder_entity_id=view.holder_entity_id,
        status=view.status,
        book_cost=cents(p.cost) if p else None,
        accumulated_depreciation=cents(p.accumulated_depreciation) if p else None,
        impairment=cents(p.impairment) if p else None,
        carrying_amount=cents(p.carrying_amount) if p else None,
        history=[_book_read(b) for b in view.books],
        version=a.version,
    )


def _impairment_read(row: AssetImpairment) -> ImpairmentRead:
    return ImpairmentRead(
        id=row.id,
        asset_id=row.asset_id,
        entity_id=row.entity_id,
        impaired_on=row.impaired_on,
        amount=cents(row.amount),
        reason=row.reason,
        entry_id=row.entry_id,
    )


# ------------------------------------------------------------------------------------------------ assets


@router.post(
    "/assets",
    response_model=AssetRead,
    status_code=201,
    operation_id="create_asset",
    responses=problem_responses(404, 409),
)
def create_asset(
    body: AssetCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> AssetRead:
    """Add an asset: an acquisition (Dr 1601 / Cr bank, posted) or, with `opening_balance_on`, an asset the
    books already hold, registered with its accumulated depreciation (nothing posted)."""
    view = service.create_asset(
        session,
        actor=actor,
        now=now,
        entity_id=body.entity_id,
        tag=body.tag,
        name=body.name,
        category=body.category,
        acquired_on=body.acquired_on,
        cost=body.cost,
        residual_value=body.residual_value,
        useful_life_months=body.useful_life_months,
        method=Method(body.method),
        convention=MonthConvention(body.convention),
        units_total=body.units_total,
        location=body.location,
        expense_account_code=body.expense_account_code,
        status=AssetStatus(body.status),
        accumulated_depreciation=body.accumulated_depreciation,
        opening_balance_on=body.opening_balance_on,
        units_used=body.units_used,
        credit_account_code=body.credit_account_code,
        counterparty_entity_id=body.counterparty_entity_id,
    )
    response.headers["ETag"] = etag_for(view.asset.version)
    return _asset_read(view)


@router.get("/assets", response_model=Page[AssetRead], operation_id="list_assets")
def list_assets(
    actor: Reader,
    session: ReadSessionDep,
    now: NowDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    entity_id: Annotated[str | None, Query(max_length=36, description="the holder")] = None,
    status: Annotated[StatusName | None, Query()] = None,
    category: Annotated[CategoryName | None, Query()] = None,
    as_of: Annotated[
        date | None,
        Query(ge=FIRST_DAY, le=LAST_DAY, description="holder and status of that date; default: current"),
    ] = None,
) -> Page[AssetRead]:
    """Assets in id order, with their figures as of `as_of` (default today)."""
    views = service.list_assets(
        session,
        actor=actor,
        limit=limit + 1,
        as_of=as_of or now.date(),
        after_id=after_id(cursor),
        entity_id=entity_id,
        status=status,
        category=category,
        holder_as_of=as_of is not None,
    )
    items = [_asset_read(v) for v in views[:limit]]
    return Page[AssetRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(views) > limit else None
    )


@router.get(
    "/assets/{asset_id}",
    response_model=AssetRead,
    operation_id="read_asset",
    responses=problem_responses(404),
)
def read_asset(
    asset_id: str,
    actor: Reader,
    session: ReadSessionDep,
    now: NowDep,
    response: Response,
    as_of: AsOfQuery = None,
) -> AssetRead:
    """The asset with its holder, status and carrying amount as of `as_of`, and its books in every company."""
    view = service.get_asset(session, actor=actor, asset_id=asset_id, as_of=as_of or now.date())
    response.headers["ETag"] = etag_for(view.asset.version)
    return _asset_read(view)


@router.patch(
    "/assets/{asset_id}",
    response_model=AssetRead,
    operation_id="update_asset",
    responses=problem_responses(404, 409, 412, 428),
)
def update_asset(
    asset_id: str,
    body: AssetUpdate,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    version: IfMatchDep,
    response: Response,
) -> AssetRead:
    """Set the status (in use, idle, held for sale: dated) or change name and location. Held for sale stops
    depreciation from the next month; back in use, the next run catches up."""
    view = service.update_asset(
        session,
        actor=actor,
        asset_id=asset_id,
        expected_version=version,
        now=now,
        status=AssetStatus(body.status) if body.status else None,
        effective_on=body.effective_on,
        reason=body.reason,
        name=body.name,
        location=body.location,
    )
    response.headers["ETag"] = etag_for(view.asset.version)
    return _asset_read(view)


@router.post(
    "/assets/{asset_id}/dispose",
    response_model=DisposalRead,
    status_code=201,
    operation_id="dispose_asset",
    responses=problem_responses(404, 409),
)
def dispose_asset(
    asset_id: str, body: DisposalCreate, actor: Preparer, session: SessionDep, now: NowDep
) -> DisposalRead:
    """Sell or scrap the asset outside the group: the months due are posted, then the disposal through 1606
    (gain or loss on disposal for a sale, non-operating income or expense for scrapping)."""
    view = disposal_service.dispose_asset(
        session,
        actor=actor,
        asset_id=asset_id,
        disposed_on=body.disposed_on,
        kind=DisposalKind(body.kind),
        proceeds=body.proceeds,
        costs=body.costs,
        now=now,
        proceeds_account_code=body.proceeds_account_code,
        counterparty_entity_id=body.counterparty_entity_id,
        reason=body.reason,
    )
    d = view.disposal
    return DisposalRead(
        id=d.id,
        asset_id=d.asset_id,
        entity_id=d.entity_id,
        disposed_on=d.disposed_on,
        kind=d.kind,
        proceeds=cents(d.proceeds),
        costs=cents(d.costs),
        carrying_amount=cents(d.carrying_amount),
        gain=cents(d.gain),
        group_carrying_amount=cents(d.group_carrying_amount),
        group_gain=cents(d.proceeds - d.costs - d.group_carrying_amount),
        counterparty_entity_id=d.counterparty_entity_id,
        entry_id=d.entry_id,
        reason=d.reason,
    )


@router.post(
    "/assets/{asset_id}/impair",
    response_model=ImpairmentRead,
    status_code=201,
    operation_id="impair_asset",
    responses=problem_responses(404, 409),
)
def impair_asset(
    asset_id: str, body: ImpairmentCreate, actor: Preparer, session: SessionDep, now: NowDep
) -> ImpairmentRead:
    """Recognise an impairment loss (Dr 6701 / Cr 1603); depreciation is rebased from the next month."""
    row = disposal_service.impair_asset(
        session,
        actor=actor,
        asset_id=asset_id,
        impaired_on=body.impaired_on,
        amount=body.amount,
        reason=body.reason,
        now=now,
    )
    return _impairment_read(row)


# ------------------------------------------------------------------------------------------ depreciation


@router.post(
    "/depreciation-runs",
    response_model=DepreciationRunsRead,
    operation_id="run_depreciation",
    responses=problem_responses(404, 409),
)
def run_depreciation(
    body: DepreciationRunCreate, actor: Preparer, session: SessionDep, now: NowDep
) -> DepreciationRunsRead:
    """Post the month's depreciation: one entry per company, once. Running it again posts nothing
    (`created: false`)."""
    units: dict[str, Decimal] = {}
    for entry in body.units:
        units[entry.asset_id] = units.get(entry.asset_id, Decimal(0)) + entry.units
    result = depreciation_service.run_depreciation(
        session, actor=actor, period=Period.parse(body.period), now=now, entity_id=body.entity_id, units=units
    )
    return DepreciationRunsRead(
        period=result.period,
        runs=[
            RunRead(
                id=r.run.id,
                entity_id=r.run.entity_id,
                period=r.run.period,
                entry_id=r.run.entry_id,
                total=cents(r.run.total),
                asset_count=r.run.asset_count,
                created=r.created,
            )
            for r in result.runs
        ],
        skipped=[SkippedRead(**s) for s in result.skipped],
    )
