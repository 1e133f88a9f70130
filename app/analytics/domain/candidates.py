"""The merger-candidate screen: the founding document's criteria applied to the group's makers.

"Most of the accessory companies are small in scale, low profits, low profit retention, and poor
self-financing capabilities"; production is scattered and should be concentrated; existing assets should be
used better. A maker is a company with positive revenue in the period and a product segment. A maker is a
candidate when another maker works in the same segment (a merger there concentrates production) and at least
one weakness applies; the segment's largest maker by revenue (then by total assets, then code) is the
suggested survivor and is never a candidate itself. Points per weakness:

- `small_assets` (1): total assets below the median total assets of all makers;
- `small_revenue` (1): revenue below the median revenue of all makers;
- `loss` (2): net profit below zero; otherwise `low_return` (1): return on assets below the makers' median;
- `low_retention` (1): profit retention below `RETENTION_FLOOR` (keeps less than half of its profit);
- `weak_self_financing` (1): self-financing ratio below `SELF_FINANCING_FLOOR` (internally generated funds
  do not cover investment in fixed assets and dividends);
- `idle_assets` (1): part of its registered fixed assets stands idle.

Candidates rank by score (highest first), then by total assets (smallest first), then by code. Each carries
its reasons (the overlap first), its share of the segment's output, the share it would make with the
survivor and the segment's HHI before and after such a merger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.analytics.domain.concentration import concentration, hhi_of, merged_outputs
from app.analytics.domain.figures import Figures
from app.analytics.domain.indicators import (
    idle_asset_share,
    ratio,
    retention_ratio,
    return_on_assets,
    self_financing_ratio,
)

RETENTION_FLOOR = Decimal("0.5")
SELF_FINANCING_FLOOR = Decimal(1)


@dataclass(frozen=True)
class Maker:
    entity_id: str
    code: str
    name: str
    segment: str | None
    figures: Figures


@dataclass(frozen=True)
class Reason:
    criterion: str
    points: int
    detail: str
    value: Decimal | None = None
    benchmark: Decimal | None = None


@dataclass(frozen=True)
class Candidate:
    maker: Maker
    score: int
    reasons: tuple[Reason, ...]
    survivor: Maker
    segment_share: Decimal | None
    combined_share: Decimal | None
    hhi_before: Decimal | None
    hhi_after: Decimal | None


@dataclass(frozen=True)
class Benchmarks:
    """The medians the relative criteria compare with (None when no maker has a value)."""

    makers: int
    median_total_assets: Decimal | None
    median_revenue: Decimal | None
    median_return_on_assets: Decimal | None


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The median: the middle value, or for an even count the mean of the two middle values (rounded
    half-up to 6 places)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ratio(Fraction(ordered[middle - 1]) + Fraction(ordered[middle]), Fraction(2))


def makers_of(companies: Sequence[Maker]) -> list[Maker]:
    """The companies that are makers (module docstring)."""
    return [c for c in companies if c.segment is not None and c.figures.revenue > 0]


def benchmarks(makers: Sequence[Maker]) -> Benchmarks:
    roas = [r for r in (return_on_assets(m.figures) for m in makers) if r is not None]
    return Benchmarks(
        makers=len(makers),
        median_total_assets=median([m.figures.total_assets for m in makers]),
        median_revenue=median([m.figures.revenue for m in makers]),
        median_return_on_assets=median(roas),
    )


def _survivor(members: Sequence[Maker]) -> Maker:
    return sorted(members, key=lambda m: (-m.figures.revenue, -m.figures.total_assets, m.code))[0]


def _weaknesses(maker: Maker, marks: Benchmarks) -> list[Reason]:
    f = maker.figures
    out: list[Reason] = []
    if marks.median_total_assets is not None and f.total_assets < marks.median_total_assets:
        out.append(
            Reason(
                "small_assets",
                1,
                "total assets below the makers' median",
                f.total_assets,
                marks.median_total_assets,
            )
        )
    if marks.median_revenue is not None and f.revenue < marks.median_revenue:
        out.append(
            Reason("small_revenue", 1, "revenue below the makers' median", f.revenue, marks.median_revenue)
        )
    roa = return_on_assets(f)
    if f.net_profit < 0:
        out.append(Reason("loss", 2, "made a loss in the period", f.net_profit, Decimal(0)))
    elif (
        roa is not None and marks.median_return_on_assets is not None and roa < marks.median_return_on_assets
    ):
        out.append(
            Reason(
                "low_return",
                1,
                "return on assets below the makers' median",
                roa,
                marks.median_return_on_assets,
            )
        )
    retention = retention_ratio(f)
    if retention is not None and retention < RETENTION_FLOOR:
        out.append(
            Reason("low_retention", 1, "keeps less than half of its profit", retention, RETENTION_FLOOR)
        )
    financing = self_financing_ratio(f)
    if financing is not None and financing < SELF_FINANCING_FLOOR:
        out.append(
            Reason(
                "weak_self_financing",
                1,
                "internally generated funds do not cover investment and dividends",
                financing,
                SELF_FINANCING_FLOOR,
            )
        )
    idle = idle_asset_share(f)
    if idle is not None and idle > 0:
        out.append(Reason("idle_assets", 1, "part of its fixed assets stands idle", idle, Decimal(0)))
    return out


def screen(companies: Sequence[Maker]) -> tuple[Benchmarks, list[Candidate]]:
    """The benchmarks and the ranked candidates among `companies` (module docstring)."""
    makers = makers_of(companies)
    marks = benchmarks(makers)
    by_segment: dict[str, list[Maker]] = {}
    for maker in makers:
        assert maker.segment is not None
        by_segment.setdefault(maker.segment, []).append(maker)
    out: list[Candidate] = []
    for segment, members in sorted(by_segment.items()):
        if len(members) < 2:
            continue
        survivor = _survivor(members)
        outputs = {m.entity_id: m.figures.revenue for m in members}
        before = concentration(outputs)
        for maker in members:
            if maker is survivor:
                continue
            weaknesses = _weaknesses(maker, marks)
            if not weaknesses:
                continue
            overlap = Reason(
                "overlap",
                0,
                f"shares the segment {segment} with {len(members) - 1} other maker(s); "
                f"suggested survivor {survivor.code}",
            )
            after = merged_outputs(outputs, absorbed=[maker.entity_id], into=survivor.entity_id)
            combined = concentration(after).shares.get(survivor.entity_id)
            out.append(
                Candidate(
                    maker=maker,
                    score=sum(r.points for r in weaknesses),
                    reasons=(overlap, *weaknesses),
                    survivor=survivor,
                    segment_share=before.shares.get(maker.entity_id),
                    combined_share=combined,
                    hhi_before=before.hhi,
                    hhi_after=hhi_of(after),
                )
            )
    out.sort(key=lambda c: (-c.score, c.maker.figures.total_assets, c.maker.code))
    return marks, out
