"""Group analytics reports: indicators by company, segment or group, segment concentration, trends over
consecutive periods, and merger candidates; each over the population and figures that `loading` reads.

Levels: each company; each product segment (the entity's `segment`, companies without one together); the
group (every listed company). A segment's or the group's figures are the sums of its companies' figures:
aggregated, not consolidated (balances, investments and sales between group companies are not eliminated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.analytics.domain import candidates as cand
from app.analytics.domain import indicators as ind
from app.analytics.domain.trends import Granularity, Period, Point, periods, series
from app.analytics.errors import AnalyticsQueryError
from app.analytics.loading import (
    CONCENTRATION_NAMES,
    NO_SEGMENT,
    ONE_DAY,
    Company,
    CompanyFigures,
    Level,
    Loader,
    Row,
    SegmentConcentration,
    check_period,
    rows,
    segment_concentration,
)
from app.core.context import Actor
from app.core.errors import violation


@dataclass(frozen=True)
class IndicatorReport:
    period: Period
    currency: str
    level: Level
    rows: list[Row]


def indicators_report(
    session: Session,
    *,
    actor: Actor,
    period_from: date,
    period_to: date,
    level: Level,
    parent_id: str | None = None,
    currency: str = "CNY",
    registers: bool = True,
) -> IndicatorReport:
    """Figures and ratios per company, segment or for the group over [period_from, period_to]; without
    `registers` the idle share is not computed (None).

    Raises:
        AnalyticsQueryError: the period ends before it starts.
        EntityNotFoundError: the parent is unknown or invisible.
        FxRateMissingError: a needed exchange rate is not recorded.
    """
    check_period(period_from=period_from, period_to=period_to)
    loader = Loader(session, actor=actor, currency=currency)
    period = Period(period_from, period_to)
    figures = loader.figures(loader.snapshot(period=period, parent_id=parent_id, registers=registers))
    return IndicatorReport(period, currency, level, rows(figures, level=level))


@dataclass(frozen=True)
class ConcentrationReport:
    period: Period
    currency: str
    segments: list[SegmentConcentration]


def concentration_report(
    session: Session,
    *,
    actor: Actor,
    period_from: date,
    period_to: date,
    parent_id: str | None = None,
    currency: str = "CNY",
) -> ConcentrationReport:
    """Output shares, HHI and CR4 per segment over the period (raises as `indicators_report`)."""
    check_period(period_from=period_from, period_to=period_to)
    loader = Loader(session, actor=actor, currency=currency)
    period = Period(period_from, period_to)
    figures = loader.figures(loader.snapshot(period=period, parent_id=parent_id, registers=False))
    return ConcentrationReport(period, currency, segment_concentration(figures))


@dataclass(frozen=True)
class Series:
    level: Level
    key: str
    label: str
    company: Company | None
    points: list[Point]


@dataclass(frozen=True)
class TrendReport:
    indicator: str
    level: Level
    granularity: Granularity
    currency: str
    periods: list[Period]
    series: list[Series]


def _trend_values(
    indicator: str, level: Level, figures: Sequence[CompanyFigures]
) -> dict[str, tuple[str, Company | None, Decimal | None]]:
    if indicator in CONCENTRATION_NAMES:
        return {
            s.segment or NO_SEGMENT: (s.segment or NO_SEGMENT, None, getattr(s.concentration, indicator))
            for s in segment_concentration(figures)
        }
    return {r.key: (r.label, r.company, ind.value(indicator, r.figures)) for r in rows(figures, level=level)}


def check_indicator(*, indicator: str, level: Level) -> None:
    """Raises AnalyticsQueryError for an unknown indicator, or a concentration one off the segment level."""
    known = (*ind.BY_NAME, *CONCENTRATION_NAMES)
    if indicator not in known:
        raise AnalyticsQueryError(
            f"unknown indicator {indicator!r}",
            errors=[violation(("query", "indicator"), f"one of {', '.join(known)}", "unknown_indicator")],
        )
    if indicator in CONCENTRATION_NAMES and level != "segment":
        raise AnalyticsQueryError(
            f"{indicator} is measured per segment",
            errors=[violation(("query", "level"), "must be segment for a concentration indicator", "level")],
        )


def trends_report(
    session: Session,
    *,
    actor: Actor,
    indicator: str,
    level: Level,
    granularity: Granularity,
    count: int,
    end: date,
    parent_id: str | None = None,
    currency: str = "CNY",
) -> TrendReport:
    """The indicator over `count` consecutive periods ending with the one holding `end` (see
    `domain/trends.py`), per company, segment or for the group; HHI, CR4 and the equivalent number of makers
    per segment. Each period has its own population.

    Raises:
        AnalyticsQueryError: unknown indicator, or a concentration indicator off the segment level.
        EntityNotFoundError, FxRateMissingError: as `indicators_report`.
    """
    check_indicator(indicator=indicator, level=level)
    loader = Loader(session, actor=actor, currency=currency)
    spans = periods(granularity=granularity, count=count, end=end)
    registers = indicator == "idle_asset_share"
    by_period = [
        _trend_values(
            indicator,
            level,
            loader.figures(loader.snapshot(period=p, parent_id=parent_id, registers=registers)),
        )
        for p in spans
    ]
    keys: dict[str, tuple[str, Company | None]] = {}
    for values in by_period:
        for key, (label, company, _) in values.items():
            keys.setdefault(key, (label, company))
    ordered = sorted(keys.items(), key=lambda item: item[1][1].code if item[1][1] else item[0])
    out = [
        Series(
            level=level,
            key=key,
            label=label,
            company=company,
            points=series(
                values=[
                    (p, values[key][2] if key in values else None)
                    for p, values in zip(spans, by_period, strict=True)
                ]
            ),
        )
        for key, (label, company) in ordered
    ]
    return TrendReport(indicator, level, granularity, currency, spans, out)


def trailing_year(as_of: date) -> Period:
    """The twelve months ending on `as_of`."""
    try:
        start = as_of.replace(year=as_of.year - 1) + ONE_DAY
    except ValueError:  # 29 February
        start = date(as_of.year - 1, 3, 1)
    return Period(start, as_of)


@dataclass(frozen=True)
class CandidateReport:
    period: Period
    currency: str
    benchmarks: cand.Benchmarks
    candidates: list[cand.Candidate]
    companies: Mapping[str, Company]


def merger_candidates(
    session: Session, *, actor: Actor, as_of: date, parent_id: str | None = None, currency: str = "CNY"
) -> CandidateReport:
    """The ranked merger candidates among the companies the actor sees, on the twelve months ending `as_of`
    (criteria in `domain/candidates.py`). Raises as `indicators_report`."""
    loader = Loader(session, actor=actor, currency=currency)
    period = trailing_year(as_of)
    figures = loader.figures(loader.snapshot(period=period, parent_id=parent_id))
    makers = [
        cand.Maker(f.company.entity_id, f.company.code, f.company.name, f.company.segment, f.figures)
        for f in figures
    ]
    marks, found = cand.screen(makers)
    return CandidateReport(period, currency, marks, found, {f.company.entity_id: f.company for f in figures})
