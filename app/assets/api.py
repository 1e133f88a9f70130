"""HTTP: the asset register, depreciation runs, transfers between group companies and asset reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Query, Response

from app.assets import (
    common,
    depreciation_service,
    disposal_service,
    report_service,
    service,
    transfer_service,
)
from app.assets.domain.accounting import DisposalKind, TransferKind
from app.assets.domain.depreciation import Method
from app.assets.domain.periods import MonthConvention, Period
from app.assets.domain.rollforward import RollForward
from app.assets.domain.workflow import AssetStatus
from app.assets.models import AssetImpairment, UnrealizedAssetProfit
from app.assets.schemas import (
    FIRST_DAY,
    LAST_DAY,
    ApprovalCreate,
    ApprovalRead,
    AssetCreate,
    AssetRead,
    AssetRegisterRead,
    AssetRollForwardRead,
    AssetUpdate,
    BookRead,
    CategoryName,
    DepreciationRunCreate,
    DepreciationRunsRead,
    DisposalCreate,
    DisposalRead,
    EntityRollForwardRead,
    IdleAssetsRead,
    IdleEntityRead,
    ImpairmentCreate,
    ImpairmentRead,
    RegisterLineRead,
    RegisterTotals,
    RejectionCreate,
    RollForwardRead,
    RunRead,
    SkippedRead,
    StatusName,
    TransferCreate,
    TransferRead,
    TransferStatusName,
    UnrealizedLineRead,
    UnrealizedProfitRead,
    UnrealizedProfitsRead,
)
from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.etag import IfMatchDep, etag_for
from app.core.money import round_half_up
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import PREPARERS, READERS, Role
from app.users.auth import allow

router = feature_router(tag="assets")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
Controller = Annotated[Actor, Depends(allow(Role.CONTROLLER))]
AsOfQuery = Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="default: today")]
CENT = Decimal("0.01")


def _m(value: Decimal) -> Decimal:
    return round_half_up(value, CENT)


def _m_opt(value: Decimal | None) -> Decimal | None:
    return None if value is None else _m(value)


def _after(cursor: str | None) -> str | None:
    values = decode_cursor(cursor, arity=1)
    return None if values is None else str(values[0])


# ------------------------------------------------------------------------------------------------ shaping


def _book_read(view: common.BookView) -> BookRead:
    b, p = view.book, view.position
    return BookRead(
        id=b.id,
        entity_id=b.entity_id,
        valid_from=b.valid_from,
        valid_to=b.valid_to,
        origin=b.origin,
        ending=b.ending,
        transfer_id=b.transfer_id,
        cost=_m(b.cost_basis),
        residual_value=_m(b.residual_value),
        useful_life_months=b.useful_life_months,
        method=b.method,
        convention=b.convention,
        units_total=b.units_total,
        depreciation_from=b.depreciation_from,
        depreciation_until=b.depreciation_until,
        opening_accumulated_depreciation=_m(b.opening_accumulated),
        opening_impairment=_m(b.opening_impairment),
        accumulated_depreciation=_m(p.accumulated_depreciation),
        impairment=_m(p.impairment),
        carrying_amount=_m(p.carrying_amount),
    )


def _asset_read(view: common.AssetView) -> AssetRead:
    a, p = view.asset, view.position
    return AssetRead(
        id=a.id,
        tag=a.tag,
        name=a.name,
        category=a.category,
        location=a.location,
        acquired_on=a.acquired_on,
        cost=_m(a.cost),
        residual_value=_m(a.residual_value),
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
        book_cost=_m(p.cost) if p else None,
        accumulated_depreciation=_m(p.accumulated_depreciation) if p else None,
        impairment=_m(p.impairment) if p else None,
        carrying_amount=_m(p.carrying_amount) if p else None,
        history=[_book_read(b) for b in view.books],
        version=a.version,
    )


def _unrealized_read(row: UnrealizedAssetProfit) -> UnrealizedProfitRead:
    return UnrealizedProfitRead(
        id=row.id,
        transfer_id=row.transfer_id,
        asset_id=row.asset_id,
        seller_entity_id=row.seller_entity_id,
        buyer_entity_id=row.buyer_entity_id,
        transfer_on=row.transfer_on,
        gain=_m(row.gain),
        unrealized_at_transfer=_m(row.unrealized_at_transfer),
        group_cost=_m(row.group_cost),
        group_accumulated_depreciation=_m(row.group_accumulated_depreciation),
        group_impairment=_m(row.group_impairment),
        remaining_life_months=row.remaining_life_months,
        ended_on=row.ended_on,
        end_reason=row.end_reason,
    )


def _transfer_read(view: transfer_service.TransferView) -> TransferRead:
    t = view.transfer
    return TransferRead(
        id=t.id,
        asset_id=t.asset_id,
        from_entity_id=t.from_entity_id,
        to_entity_id=t.to_entity_id,
        kind=t.kind,
        price=_m_opt(t.price),
        transfer_on=t.transfer_on,
        reason=t.reason,
        status=t.status,
        approvals_required=t.approvals_required,
        approvals=[
            ApprovalRead(
                approver_id=a.approver_id, approver=a.approver, approved_at=a.approved_at, comment=a.comment
            )
            for a in view.approvals
        ],
        requested_by=t.requested_by,
        requested_at=t.requested_at,
        decided_at=t.decided_at,
        rejected_by=t.rejected_by,
        rejection_reason=t.rejection_reason,
        carrying_amount=_m_opt(t.carrying_amount),
        gain=_m_opt(t.gain),
        group_cost=_m_opt(t.group_cost),
        group_accumulated_depreciation=_m_opt(t.group_accumulated_depreciation),
        seller_entry_id=t.seller_entry_id,
        buyer_entry_id=t.buyer_entry_id,
        unrealized_profit=_unrealized_read(view.unrealized) if view.unrealized else None,
        version=t.version,
    )


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
        cost=_m(p.cost),
        accumulated_depreciation=_m(p.accumulated_depreciation),
        impairment=_m(p.impairment),
        carrying_amount=_m(p.carrying_amount),
    )


def _roll(row: RollForward) -> dict[str, Decimal]:
    return {
        "opening": _m(row.opening),
        "additions": _m(row.additions),
        "transfers_in": _m(row.transfers_in),
        "transfers_out": _m(row.transfers_out),
        "disposals": _m(row.disposals),
        "depreciation": _m(row.depreciation),
        "impairment": _m(row.impairment),
        "closing": _m(row.closing),
    }


def _impairment_read(row: AssetImpairment) -> ImpairmentRead:
    return ImpairmentRead(
        id=row.id,
        asset_id=row.asset_id,
        entity_id=row.entity_id,
        impaired_on=row.impaired_on,
        amount=_m(row.amount),
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
        after_id=_after(cursor),
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
        proceeds=_m(d.proceeds),
        costs=_m(d.costs),
        carrying_amount=_m(d.carrying_amount),
        gain=_m(d.gain),
        group_carrying_amount=_m(d.group_carrying_amount),
        group_gain=_m(d.proceeds - d.costs - d.group_carrying_amount),
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
                total=_m(r.run.total),
                asset_count=r.run.asset_count,
                created=r.created,
            )
            for r in result.runs
        ],
        skipped=[SkippedRead(**s) for s in result.skipped],
    )


# --------------------------------------------------------------------------------------------- transfers


@router.post(
    "/asset-transfers",
    response_model=TransferRead,
    status_code=201,
    operation_id="request_asset_transfer",
    responses=problem_responses(404, 409),
)
def request_asset_transfer(
    body: TransferCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> TransferRead:
    """Ask to move an asset to another group company; a controller other than the requester approves."""
    view = transfer_service.request_transfer(
        session,
        actor=actor,
        now=now,
        asset_id=body.asset_id,
        to_entity_id=body.to_entity_id,
        kind=TransferKind(body.kind),
        transfer_on=body.transfer_on,
        reason=body.reason,
        price=body.price,
        from_entity_id=body.from_entity_id,
        receiver_useful_life_months=body.receiver_useful_life_months,
        receiver_residual_value=body.receiver_residual_value,
    )
    response.headers["ETag"] = etag_for(view.transfer.version)
    return _transfer_read(view)


@router.get("/asset-transfers", response_model=Page[TransferRead], operation_id="list_asset_transfers")
def list_asset_transfers(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    asset_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[TransferStatusName | None, Query()] = None,
    entity_id: Annotated[str | None, Query(max_length=36, description="sender or receiver")] = None,
) -> Page[TransferRead]:
    views = transfer_service.list_transfers(
        session,
        actor=actor,
        limit=limit + 1,
        after_id=_after(cursor),
        asset_id=asset_id,
        status=status,
        entity_id=entity_id,
    )
    items = [_transfer_read(v) for v in views[:limit]]
    return Page[TransferRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(views) > limit else None
    )


@router.get(
    "/asset-transfers/{transfer_id}",
    response_model=TransferRead,
    operation_id="read_asset_transfer",
    responses=problem_responses(404),
)
def read_asset_transfer(
    transfer_id: str, actor: Reader, session: ReadSessionDep, response: Response
) -> TransferRead:
    view = transfer_service.get_transfer(session, actor=actor, transfer_id=transfer_id)
    response.headers["ETag"] = etag_for(view.transfer.version)
    return _transfer_read(view)


@router.post(
    "/asset-transfers/{transfer_id}/approve",
    response_model=TransferRead,
    operation_id="approve_asset_transfer",
    responses=problem_responses(404, 409),
)
def approve_asset_transfer(
    transfer_id: str, actor: Controller, session: SessionDep, now: NowDep, body: ApprovalCreate | None = None
) -> TransferRead:
    """Approve (a controller other than the requester). The last approval needed executes the transfer: the
    sender's and the receiver's entries are posted and the asset changes hands in one transaction."""
    view = transfer_service.approve_transfer(
        session, actor=actor, transfer_id=transfer_id, now=now, comment=body.comment if body else None
    )
    return _transfer_read(view)


@router.post(
    "/asset-transfers/{transfer_id}/reject",
    response_model=TransferRead,
    operation_id="reject_asset_transfer",
    responses=problem_responses(404, 409),
)
def reject_asset_transfer(
    transfer_id: str, body: RejectionCreate, actor: Controller, session: SessionDep, now: NowDep
) -> TransferRead:
    view = transfer_service.reject_transfer(
        session, actor=actor, transfer_id=transfer_id, reason=body.reason, now=now
    )
    return _transfer_read(view)


# ----------------------------------------------------------------------------------------------- reports


@router.get(
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
            cost=_m(sum((r.cost for r in reads), Decimal(0))),
            accumulated_depreciation=_m(sum((r.accumulated_depreciation for r in reads), Decimal(0))),
            impairment=_m(sum((r.impairment for r in reads), Decimal(0))),
            carrying_amount=_m(sum((r.carrying_amount for r in reads), Decimal(0))),
        ),
    )


@router.get(
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


@router.get(
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
                idle_carrying_amount=_m(x.idle_carrying_amount),
                total_carrying_amount=_m(x.total_carrying_amount),
                idle_share=x.idle_share,
                assets=[_register_line(i) for i in x.idle],
            )
            for x in lines
        ],
    )


@router.get(
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
                record=_unrealized_read(x.record),
                unrealized_at_start=_m(x.unrealized_at_start),
                arising=_m(x.arising),
                released=_m(x.released),
                unrealized=_m(x.unrealized),
            )
            for x in lines
        ],
    )
