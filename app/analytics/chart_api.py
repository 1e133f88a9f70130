"""HTTP: the analytics charts (matplotlib, SVG or PNG) and the before-and-after chart of a planned
restructuring."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query, Response

from app.analytics import api, charts, plan_api, service
from app.analytics.api_common import (
    IMAGE,
    CurrencyQuery,
    FromQuery,
    LevelQuery,
    ParentQuery,
    PeriodsQuery,
    Preparer,
    Reader,
    ToQuery,
    period_of,
)
from app.analytics.domain import indicators as ind
from app.analytics.errors import AnalyticsQueryError
from app.analytics.schemas import (
    GranularityName,
    IndicatorName,
    LevelName,
    PlanIn,
)
from app.core.context import Actor
from app.core.deps import ReadSessionDep, SessionDep
from app.core.problems import problem_responses
from app.core.routing import feature_router

charts_router = feature_router(tag="analytics", prefix="/analytics")


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
        start, end = period_of(period_from, to)
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
        report_trend = api.trends_report(
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


@charts_router.get(
    "/charts/{name}.svg",
    response_class=Response,
    operation_id="read_analytics_chart_svg",
    responses=IMAGE,
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


@charts_router.get(
    "/charts/{name}.png",
    response_class=Response,
    operation_id="read_analytics_chart_png",
    responses=IMAGE,
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


@charts_router.post(
    "/charts/plan.svg",
    response_class=Response,
    operation_id="preview_plan_chart_svg",
    responses={**IMAGE, **problem_responses(404, 409, 422)},
    description=_PLAN_CHART_DOC,
)
def preview_plan_chart_svg(body: PlanIn, actor: Preparer, session: SessionDep) -> Response:
    content = charts.plan_chart(preview=plan_api.preview_plan(session, actor, body), fmt="svg")
    return Response(content=content, media_type=charts.MEDIA_TYPES["svg"])


@charts_router.post(
    "/charts/plan.png",
    response_class=Response,
    operation_id="preview_plan_chart_png",
    responses={**IMAGE, **problem_responses(404, 409, 422)},
    description=_PLAN_CHART_DOC,
)
def preview_plan_chart_png(body: PlanIn, actor: Preparer, session: SessionDep) -> Response:
    content = charts.plan_chart(preview=plan_api.preview_plan(session, actor, body), fmt="png")
    return Response(content=content, media_type=charts.MEDIA_TYPES["png"])
