"""HTTP: group analytics (indicators, concentration, trends, merger candidates); the restructuring planner is
in `plan_api`, the charts in `chart_api`. Definitions of every figure and ratio: the schema descriptions and
docs/ANALYTICS.md.

Roles: every role reads the analytics (READERS); previewing a plan is for preparers (admin, controller,
accountant), like the events' previews it calls. A user limited to some entities sees only those companies:
its segment and group figures are the sums of its companies, and a plan naming another company is a 404.
Nothing here writes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from app.analytics import loading, service
from app.analytics.api_common import (
    ERRORS,
    CurrencyQuery,
    FromQuery,
    LevelQuery,
    ParentQuery,
    PeriodsQuery,
    Reader,
    ToQuery,
    bounded,
    period_of,
)
from app.analytics.domain import indicators as ind
from app.analytics.domain.candidates import RETENTION_FLOOR, SELF_FINANCING_FLOOR
from app.analytics.domain.figures import Figures
from app.analytics.domain.trends import Period
from app.analytics.schemas import (
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
    RatiosRead,
    ReasonRead,
    SegmentConcentrationRead,
    StateRead,
    TrendPointRead,
    TrendSeriesRead,
    TrendsRead,
)
from app.core.context import Actor
from app.core.deps import ReadSessionDep
from app.core.routing import feature_router

router = feature_router(tag="analytics", prefix="/analytics")


# ------------------------------------------------------------------------------------------------ conversion


def period_read(period: Period) -> PeriodRead:
    return PeriodRead.model_validate({"from": period.start, "to": period.end})


def company_read(company: loading.Company) -> CompanyRead:
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


def row_read(row: loading.Row) -> IndicatorRowRead:
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


def concentration_read(item: loading.SegmentConcentration) -> SegmentConcentrationRead:
    found = item.concentration
    return SegmentConcentrationRead(
        segment=item.segment or loading.NO_SEGMENT,
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


def state_read(figures: list[loading.CompanyFigures]) -> StateRead:
    return StateRead(
        companies=[row_read(r) for r in loading.rows(figures, level="company")],
        segments=[row_read(r) for r in loading.rows(figures, level="segment")],
        group=row_read(loading.rows(figures, level="group")[0]),
        concentration=[concentration_read(c) for c in loading.segment_concentration(figures)],
    )


# ------------------------------------------------------------------------------------------------ reads


@router.get(
    "/indicators",
    response_model=IndicatorsRead,
    operation_id="read_analytics_indicators",
    responses=ERRORS,
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
    start, end = period_of(period_from, to)
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
    responses=ERRORS,
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
    start, end = period_of(period_from, to)
    report = service.concentration_report(
        session, actor=actor, period_from=start, period_to=end, parent_id=parent_id, currency=currency
    )
    return ConcentrationRead(
        period=period_read(report.period),
        currency=report.currency,
        segments=[concentration_read(s) for s in report.segments],
    )


def trends_report(
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
        end=bounded(to, ("query", "to")),
        parent_id=parent_id,
        currency=currency,
    )


@router.get("/trends", response_model=TrendsRead, operation_id="read_analytics_trends", responses=ERRORS)
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
    report = trends_report(
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
    responses=ERRORS,
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
        as_of=bounded(as_of, ("query", "as_of")),
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
