"""HTTP: group analytics (indicators, concentration, trends, merger candidates), the restructuring planner and
charts. Definitions of every figure and ratio: the schema descriptions and docs/ANALYTICS.md.

Roles: every role reads the analytics (READERS); previewing a plan is for preparers (admin, controller,
accountant), like the events' previews it calls. A user limited to some entities sees only those companies:
its segment and group figures are the sums of its companies, and a plan naming another company is a 404.
Nothing here writes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query, Response

from app.analytics import charts, planner, service
from app.analytics.domain import indicators as ind
from app.analytics.domain.candidates import RETENTION_FLOOR, SELF_FINANCING_FLOOR
from app.analytics.domain.figures import Figures
from app.analytics.domain.trends import MAX_PERIODS, Period
from app.analytics.errors import AnalyticsQueryError
from app.analytics.schemas import (
    AssetTransferPreviewRead,
    BenchmarksRead,
    CandidateRead,
    CandidatesRead,
    CompanyRead,
    ConcentrationRead,
    FiguresRead,
    GranularityName,
    IndicatorName,
    IndicatorRowRead,
    IndicatorsRead,
    LevelName,
    MakerShareRead,
    PeriodRead,
    PlanIn,
    PlannedAssetTransfer,
    PlannedCapitalIncrease,
    PlannedCapitalReduction,
    PlannedCommonControlCombination,
    PlannedDisposal,
    PlannedEventRead,
    PlannedMerger,
    PlannedShareTransfer,
    PlanPreviewRead,
    RatiosRead,
    ReasonRead,
    SegmentConcentrationRead,
    StateRead,
    TrendPointRead,
    TrendSeriesRead,
    TrendsRead,
)
from app.core.context import Actor
from app.core.deps import ReadSessionDep, SessionDep
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import PREPARERS, READERS
from app.events import api as events_api
from app.events.schemas import ViolationRead, plan_read
from app.users.auth import allow

router = feature_router(tag="analytics", prefix="/analytics")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]

EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)
FromQuery = Annotated[
    date | None,
    Query(alias="from", description="first day of the period (inclusive); default 1 January of `to`'s year"),
]
ToQuery = Annotated[date, Query(description="last day of the period (inclusive)")]
ParentQuery = Annotated[
    str | None,
    Query(max_length=36, description="only this parent and the subsidiaries it controls at the period end"),
]
CurrencyQuery = Annotated[str, Query(pattern=r"^[A-Z]{3}$", description="presentation currency")]
LevelQuery = Annotated[LevelName, Query(description="company, segment or group")]
PeriodsQuery = Annotated[int, Query(ge=1, le=MAX_PERIODS, description="number of consecutive periods")]
_ERRORS = problem_responses(404, 422)
_IMAGE = {
    200: {
        "content": {
            "image/svg+xml": {"schema": {"type": "string"}},
            "image/png": {"schema": {"type": "string"}},
        },
        "description": "the chart",
    },
    **problem_responses(404, 422),
}


def _bounded(day: date, loc: tuple[str, ...]) -> date:
    """Dates far outside the books' range are refused (the day before the period must exist)."""
    if not EARLIEST <= day <= LATEST:
        raise AnalyticsQueryError(
            "date out of range",
            errors=[
                {"loc": list(loc), "msg": f"must be between {EARLIEST} and {LATEST}", "type": "date_range"}
            ],
        )
    return day


def _period(period_from: date | None, to: date) -> tuple[date, date]:
    end = _bounded(to, ("query", "to"))
    start = _bounded(period_from, ("query", "from")) if period_from is not None else date(end.year, 1, 1)
    return start, end


# ------------------------------------------------------------------------------------------------ conversion


def period_read(period: Period) -> PeriodRead:
    return PeriodRead.model_validate({"from": period.start, "to": period.end})


def company_read(company: service.Company) -> CompanyRead:
    return CompanyRead(
        entity_id=company.entity_id,
        code=company.code,
        name=company.name,
        name_en=company.name_en,
        segment=company.segment,
    )


def figures_read(figures: Figures) -> FiguresRead:
    return FiguresRead(
        total_assets_opening=figures.total_assets_opening,
        total_assets=figures.total_assets,
        total_liabilities=figures.total_liabilities,
        equity=figures.equity,
        fixed_assets_net_opening=figures.fixed_assets_net_opening,
        fixed_assets_net=figures.fixed_assets_net,
        revenue=figures.revenue,
        cost_of_sales=figures.cost_of_sales,
        net_profit=figures.net_profit,
        dividends_declared=figures.dividends_declared,
        depreciation=figures.depreciation,
        capex=figures.capex,
        internally_generated_funds=figures.internally_generated_funds,
        register_carrying_amount=figures.register_carrying_amount,
        idle_carrying_amount=figures.idle_carrying_amount,
    )


def row_read(row: service.Row) -> IndicatorRowRead:
    company = row.company
    return IndicatorRowRead(
        level=row.level,
        key=row.key,
        label=row.label,
        segment=row.segment,
        company=company_read(company) if company is not None else None,
        companies=len(row.companies),
        figures=figures_read(row.figures),
        indicators=RatiosRead.model_validate(dict(row.ratios)),
    )


def concentration_read(item: service.SegmentConcentration) -> SegmentConcentrationRead:
    found = item.concentration
    return SegmentConcentrationRead(
        segment=item.segment or service.NO_SEGMENT,
        total_revenue=found.total_output,
        makers=found.makers,
        hhi=found.hhi,
        cr4=found.cr4,
        equivalent_makers=found.equivalent_makers,
        shares=[
            MakerShareRead(
                company=company_read(m.company),
                revenue=m.figures.revenue,
                share=found.shares.get(m.company.entity_id),
            )
            for m in item.members
        ],
    )


def state_read(figures: list[service.CompanyFigures]) -> StateRead:
    return StateRead(
        companies=[row_read(r) for r in service.rows(figures, level="company")],
        segments=[row_read(r) for r in service.rows(figures, level="segment")],
        group=row_read(service.rows(figures, level="group")[0]),
        concentration=[concentration_read(c) for c in service.segment_concentration(figures)],
    )


# ------------------------------------------------------------------------------------------------ reads


@router.get(
    "/indicators",
    response_model=IndicatorsRead,
    operation_id="read_analytics_indicators",
    responses=_ERRORS,
)
def read_indicators(
    actor: Reader,
    session: ReadSessionDep,
    to: ToQuery,
    period_from: FromQuery = None,
    level: LevelQuery = "company",
    parent_id: ParentQuery = None,
    currency: CurrencyQuery = "CNY",
) -> IndicatorsRead:
    """Figures and ratios for the period, per company, per product segment or for the group.

    Balances are read at the period end (and the day before it starts, for averages); flows are the
    period's. Segment and group figures are the sums of their companies' (aggregated, not consolidated).
    Ratios are rounded half-up to 6 places and are null when the denominator is zero. Formulas: the field
    descriptions of `FiguresRead` and `RatiosRead`, and docs/ANALYTICS.md."""
    start, end = _period(period_from, to)
    report = service.indicators_report(
        session,
        actor=actor,
        period_from=start,
        period_to=end,
        level=level,
        parent_id=parent_id,
        currency=currency,
    )
    return IndicatorsRead(
        period=period_read(report.period),
        currency=report.currency,
        level=report.level,
        items=[row_read(r) for r in report.rows],
    )


@router.get(
    "/concentration",
    response_model=ConcentrationRead,
    operation_id="read_analytics_concentration",
    responses=_ERRORS,
)
def read_concentration(
    actor: Reader,
    session: ReadSessionDep,
    to: ToQuery,
    period_from: FromQuery = None,
    parent_id: ParentQuery = None,
    currency: CurrencyQuery = "CNY",
) -> ConcentrationRead:
    """Concentration of output (revenue) in each product segment across the group's companies: each maker's
    share, the HHI (sum of squared percentage shares, 0 to 10,000), CR4 (the four largest shares) and the
    equivalent number of equal makers (10,000 / HHI)."""
    start, end = _period(period_from, to)
    report = service.concentration_report(
        session, actor=actor, period_from=start, period_to=end, parent_id=parent_id, currency=currency
    )
    return ConcentrationRead(
        period=period_read(report.period),
        currency=report.currency,
        segments=[concentration_read(s) for s in report.segments],
    )


def _trends(
    session: ReadSessionDep,
    actor: Actor,
    *,
    indicator: str,
    level: LevelName,
    granularity: GranularityName,
    periods: int,
    to: date,
    parent_id: str | None,
    currency: str,
) -> service.TrendReport:
    return service.trends_report(
        session,
        actor=actor,
        indicator=indicator,
        level=level,
        granularity=granularity,
        count=periods,
        end=_bounded(to, ("query", "to")),
        parent_id=parent_id,
        currency=currency,
    )


@router.get("/trends", response_model=TrendsRead, operation_id="read_analytics_trends", responses=_ERRORS)
def read_trends(
    actor: Reader,
    session: ReadSessionDep,
    indicator: IndicatorName,
    to: ToQuery,
    periods: PeriodsQuery = 4,
    granularity: Annotated[GranularityName, Query(description="month, quarter or year")] = "quarter",
    level: LevelQuery = "group",
    parent_id: ParentQuery = None,
    currency: CurrencyQuery = "CNY",
) -> TrendsRead:
    """An indicator over `periods` consecutive months, quarters or years ending with the one that holds `to`
    (the last one ends on `to`), with the change from the previous period and the growth (change over the
    absolute previous value). Each period has its own population of companies. `hhi`, `cr4` and
    `equivalent_makers` are answered per segment (`level=segment`)."""
    report = _trends(
        session,
        actor,
        indicator=indicator,
        level=level,
        granularity=granularity,
        periods=periods,
        to=to,
        parent_id=parent_id,
        currency=currency,
    )
    return TrendsRead(
        indicator=indicator,
        level=report.level,
        granularity=report.granularity,
        currency=report.currency,
        periods=[period_read(p) for p in report.periods],
        series=[
            TrendSeriesRead(
                key=s.key,
                label=s.label,
                company=company_read(s.company) if s.company is not None else None,
                points=[
                    TrendPointRead(
                        period=period_read(p.period), value=p.value, change=p.change, growth=p.growth
                    )
                    for p in s.points
                ],
            )
            for s in report.series
        ],
    )


@router.get(
    "/merger-candidates",
    response_model=CandidatesRead,
    operation_id="read_merger_candidates",
    responses=_ERRORS,
)
def read_merger_candidates(
    actor: Reader,
    session: ReadSessionDep,
    as_of: date,
    parent_id: ParentQuery = None,
    currency: CurrencyQuery = "CNY",
) -> CandidatesRead:
    """Makers worth merging into a larger maker of their segment, by the founding document's criteria
    (small scale, low profits, low retention, poor self-financing, idle assets, overlapping segments),
    measured on the twelve months ending `as_of`, ranked by score with every reason and the segment's HHI
    before and after."""
    report = service.merger_candidates(
        session,
        actor=actor,
        as_of=_bounded(as_of, ("query", "as_of")),
        parent_id=parent_id,
        currency=currency,
    )
    marks = report.benchmarks
    return CandidatesRead(
        as_of=as_of,
        period=period_read(report.period),
        currency=report.currency,
        benchmarks=BenchmarksRead(
            makers=marks.makers,
            median_total_assets=marks.median_total_assets,
            median_revenue=marks.median_revenue,
            median_return_on_assets=marks.median_return_on_assets,
            retention_floor=RETENTION_FLOOR,
            self_financing_floor=SELF_FINANCING_FLOOR,
        ),
        candidates=[
            CandidateRead(
                company=company_read(report.companies[c.maker.entity_id]),
                score=c.score,
                reasons=[
                    ReasonRead(
                        criterion=r.criterion,
                        points=r.points,
                        detail=r.detail,
                        value=r.value,
                        benchmark=r.benchmark,
                    )
                    for r in c.reasons
                ],
                suggested_survivor=company_read(report.companies[c.survivor.entity_id]),
                figures=figures_read(c.maker.figures),
                indicators=RatiosRead.model_validate(ind.ratios(c.maker.figures)),
                segment_share=c.segment_share,
                combined_share=c.combined_share,
                hhi_before=c.hhi_before,
                hhi_after=c.hhi_after,
            )
            for c in report.candidates
        ],
    )


# ------------------------------------------------------------------------------------------------ planner


def _planned_events(body: PlanIn) -> list[planner.PlannedEvent]:
    out: list[planner.PlannedEvent] = []
    for event in body.events:
        if isinstance(event, PlannedMerger):
            out.append(events_api.merger_request(event))
        elif isinstance(event, PlannedCapitalIncrease):
            out.append(events_api.capital_increase_request(event))
        elif isinstance(event, PlannedCapitalReduction):
            out.append(events_api.capital_reduction_request(event))
        elif isinstance(event, PlannedShareTransfer):
            out.append(events_api.share_transfer_request(event))
        elif isinstance(event, PlannedDisposal):
            out.append(events_api.disposal_request(event))
        elif isinstance(event, PlannedCommonControlCombination):
            out.append(events_api.common_control_request(event))
        elif isinstance(event, PlannedAssetTransfer):
            out.append(
                planner.AssetTransferPlan(
                    asset_id=event.asset_id,
                    to_entity_id=event.to_entity_id,
                    kind=event.kind,
                    transfer_on=event.transfer_on,
                    price=event.price,
                )
            )
    return out


def _preview(session: SessionDep, actor: Actor, body: PlanIn) -> planner.PlanPreview:
    return planner.preview_plan(
        session,
        actor=actor,
        period_from=_bounded(body.from_, ("body", "from")),
        period_to=_bounded(body.to, ("body", "to")),
        events=_planned_events(body),
        parent_id=body.parent_id,
        currency=body.currency,
    )


def _effect_read(effect: planner.EventEffect) -> PlannedEventRead:
    transfer = effect.transfer
    return PlannedEventRead(
        index=effect.index,
        type=effect.kind,
        ok=effect.ok,
        plan=plan_read(dict(effect.document), status="preview") if effect.document is not None else None,
        asset_transfer=None
        if transfer is None
        else AssetTransferPreviewRead(
            asset_id=transfer.asset_id,
            tag=transfer.tag,
            name=transfer.name,
            from_entity_id=transfer.from_entity_id,
            to_entity_id=transfer.to_entity_id,
            kind=transfer.kind,
            transfer_on=transfer.transfer_on,
            price=transfer.price,
            carrying_amount=transfer.carrying_amount,
            gain=transfer.gain,
            catch_up_depreciation=transfer.catch_up_depreciation,
            idle=transfer.idle,
        ),
        violations=[ViolationRead.model_validate(v) for v in effect.violations],
        notes=list(effect.notes),
    )


@router.post(
    "/plans/preview",
    response_model=PlanPreviewRead,
    operation_id="preview_restructuring_plan",
    responses=problem_responses(404, 409, 422),
)
def preview_restructuring_plan(body: PlanIn, actor: Preparer, session: SessionDep) -> PlanPreviewRead:
    """The figures of the period before and after a planned restructuring; nothing is written.

    Each group event is planned by the events feature's own preview (the plan a commit would execute), each
    asset transfer by the asset register's rules; the figures after add every planned entry to its company's
    books, drop the merged companies and add a founded one, and move transferred assets between registers.
    Events are previewed on the recorded books, so two group events may not name the same company (422
    `analytics-plan-invalid`). Rule violations of an event are listed with it (`ok` false), and the figures
    are still shown."""
    preview = _preview(session, actor, body)
    return PlanPreviewRead(
        period=period_read(preview.period),
        currency=preview.currency,
        parent_id=preview.parent_id,
        ok=preview.ok,
        events=[_effect_read(e) for e in preview.effects],
        before=state_read(preview.before),
        after=state_read(preview.after),
    )


# ------------------------------------------------------------------------------------------------ charts

ChartName = Literal["indicators", "trends", "concentration"]


def _chart(
    session: ReadSessionDep,
    actor: Actor,
    *,
    name: ChartName,
    fmt: charts.Format,
    to: date,
    period_from: date | None,
    level: LevelName,
    indicator: IndicatorName | None,
    granularity: GranularityName,
    periods: int,
    parent_id: str | None,
    currency: str,
) -> Response:
    if name == "indicators":
        chosen = indicator or "return_on_assets"
        if chosen not in ind.BY_NAME:
            raise AnalyticsQueryError(
                f"{chosen} is drawn by the concentration chart",
                errors=[
                    {
                        "loc": ["query", "indicator"],
                        "msg": "the indicators chart draws a company indicator",
                        "type": "unknown_indicator",
                    }
                ],
            )
        start, end = _period(period_from, to)
        report = service.indicators_report(
            session,
            actor=actor,
            period_from=start,
            period_to=end,
            level=level,
            parent_id=parent_id,
            currency=currency,
            registers=chosen == "idle_asset_share",
        )
        content = charts.indicator_chart(
            items=report.rows,
            indicator=chosen,
            currency=currency,
            subtitle=f"{start.isoformat()} to {end.isoformat()}, by {level}",
            fmt=fmt,
        )
    else:
        chosen = "hhi" if name == "concentration" else (indicator or "revenue")
        report_trend = _trends(
            session,
            actor,
            indicator=chosen,
            level="segment" if name == "concentration" else level,
            granularity=granularity,
            periods=periods,
            to=to,
            parent_id=parent_id,
            currency=currency,
        )
        first, last = report_trend.periods[0], report_trend.periods[-1]
        content = charts.trend_chart(
            report=report_trend,
            subtitle=f"{first.start.isoformat()} to {last.end.isoformat()}, by {granularity}",
            fmt=fmt,
        )
    return Response(content=content, media_type=charts.MEDIA_TYPES[fmt])


_CHART_DOC = """Charts drawn with matplotlib: `indicators` (one indicator by company or segment over the
period from `from` to `to`; default indicator return_on_assets), `trends` (one indicator over `periods`
consecutive periods ending with the one holding `to`, by company, segment or for the group; default
revenue), `concentration` (the HHI of each segment over those periods, with the 1,500 and 2,500
thresholds)."""


@router.get(
    "/charts/{name}.svg",
    response_class=Response,
    operation_id="read_analytics_chart_svg",
    responses=_IMAGE,
    description=_CHART_DOC,
)
def read_chart_svg(
    name: ChartName,
    actor: Reader,
    session: ReadSessionDep,
    to: ToQuery,
    period_from: FromQuery = None,
    level: LevelQuery = "company",
    indicator: IndicatorName | None = None,
    granularity: Annotated[GranularityName, Query()] = "quarter",
    periods: PeriodsQuery = 4,
    parent_id: ParentQuery = None,
    currency: CurrencyQuery = "CNY",
) -> Response:
    return _chart(
        session,
        actor,
        name=name,
        fmt="svg",
        to=to,
        period_from=period_from,
        level=level,
        indicator=indicator,
        granularity=granularity,
        periods=periods,
        parent_id=parent_id,
        currency=currency,
    )


@router.get(
    "/charts/{name}.png",
    response_class=Response,
    operation_id="read_analytics_chart_png",
    responses=_IMAGE,
    description=_CHART_DOC,
)
def read_chart_png(
    name: ChartName,
    actor: Reader,
    session: ReadSessionDep,
    to: ToQuery,
    period_from: FromQuery = None,
    level: LevelQuery = "company",
    indicator: IndicatorName | None = None,
    granularity: Annotated[GranularityName, Query()] = "quarter",
    periods: PeriodsQuery = 4,
    parent_id: ParentQuery = None,
    currency: CurrencyQuery = "CNY",
) -> Response:
    return _chart(
        session,
        actor,
        name=name,
        fmt="png",
        to=to,
        period_from=period_from,
        level=level,
        indicator=indicator,
        granularity=granularity,
        periods=periods,
        parent_id=parent_id,
        currency=currency,
    )


_PLAN_CHART_DOC = """Before and after a planned restructuring (the body of `POST /analytics/plans/preview`):
the touched companies' (and their segment peers') total assets and return on assets, their segments' HHI and
the group's ratios. Nothing is written."""


@router.post(
    "/charts/plan.svg",
    response_class=Response,
    operation_id="preview_plan_chart_svg",
    responses={**_IMAGE, **problem_responses(404, 409, 422)},
    description=_PLAN_CHART_DOC,
)
def preview_plan_chart_svg(body: PlanIn, actor: Preparer, session: SessionDep) -> Response:
    content = charts.plan_chart(preview=_preview(session, actor, body), fmt="svg")
    return Response(content=content, media_type=charts.MEDIA_TYPES["svg"])


@router.post(
    "/charts/plan.png",
    response_class=Response,
    operation_id="preview_plan_chart_png",
    responses={**_IMAGE, **problem_responses(404, 409, 422)},
    description=_PLAN_CHART_DOC,
)
def preview_plan_chart_png(body: PlanIn, actor: Preparer, session: SessionDep) -> Response:
    content = charts.plan_chart(preview=_preview(session, actor, body), fmt="png")
    return Response(content=content, media_type=charts.MEDIA_TYPES["png"])
