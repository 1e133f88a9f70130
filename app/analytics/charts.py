"""Charts of the analytics, drawn by matplotlib (Agg, no display) as SVG or PNG bytes.

- `indicator_chart`: one indicator by company or by segment (horizontal bars, coloured by segment);
- `trend_chart`: one indicator over consecutive periods (one line per company, segment or the group);
  for HHI the usual thresholds are drawn (1,500 moderately, 2,500 highly concentrated);
- `plan_chart`: before and after a planned restructuring (total assets and return on assets of the companies
  it touches, the HHI of their segments, the group's ratios).

Chinese names need a CJK font: Noto Sans CJK SC (package fonts-noto-cjk) is looked up once through
matplotlib's font manager; without it the charts fall back to DejaVu Sans (Chinese characters then show as
boxes, everything else still renders). The figures are built with the object API (no pyplot state), and the
output is deterministic: no creation date in the files, fixed SVG ids. Amounts are drawn in millions of the
presentation currency and ratios in percent; converting to binary floats happens here only, for pixels.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Literal

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from app.analytics.domain.concentration import concentration
from app.analytics.domain.indicators import BY_NAME
from app.analytics.domain.trends import Granularity, Period
from app.analytics.loading import NO_SEGMENT, CompanyFigures, Row, rows, segment_key
from app.analytics.planner import PlanPreview
from app.analytics.service import TrendReport

Format = Literal["svg", "png"]
CJK_FAMILY = "Noto Sans CJK SC"
FALLBACK_FAMILY = "DejaVu Sans"
MEDIA_TYPES: dict[str, str] = {"svg": "image/svg+xml", "png": "image/png"}
_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip
_BEFORE, _AFTER = "#9ecae1", "#08519c"
_lock = threading.RLock()
_family: str | None = None


def font_family() -> str:
    """The CJK family when installed (found once), else the fallback."""
    global _family
    with _lock:
        if _family is None:
            names = {f.name for f in font_manager.fontManager.ttflist}
            if CJK_FAMILY not in names:
                for path in font_manager.findSystemFonts():
                    if "NotoSansCJK" in path.replace("-", "").replace("_", ""):
                        try:
                            font_manager.fontManager.addfont(path)
                        except (OSError, RuntimeError, ValueError):
                            continue
                names = {f.name for f in font_manager.fontManager.ttflist}
            _family = CJK_FAMILY if CJK_FAMILY in names else FALLBACK_FAMILY
        return _family


@contextmanager
def _drawing() -> Iterator[None]:
    """Matplotlib settings are process-wide: charts are drawn one at a time, in the CJK font."""
    family = font_family()
    with (
        _lock,
        matplotlib.rc_context(
            {
                "font.family": "sans-serif",
                "font.sans-serif": [family, FALLBACK_FAMILY],
                "svg.hashsalt": "groupledger",
                "svg.fonttype": "path",
                "axes.unicode_minus": False,
            }
        ),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", UserWarning)  # missing glyphs when falling back
        yield


def _figure(width: float, height: float, **margins: float) -> Figure:
    """A figure with fixed margins in inches (`left`, `right`, `top`, `bottom`): a layout engine would cost
    more than the drawing."""
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    inches = {"left": 0.6, "right": 0.3, "top": 0.7, "bottom": 0.6} | margins
    figure.subplots_adjust(
        left=inches["left"] / width,
        right=1 - inches["right"] / width,
        top=1 - inches["top"] / height,
        bottom=inches["bottom"] / height,
        hspace=0.35,
        wspace=0.45,
    )
    return figure


def render(figure: Figure, fmt: Format) -> bytes:
    """The figure as SVG (text as paths, so viewers need no font) or PNG bytes, without a creation date."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ scales


def _is_money(indicator: str) -> bool:
    return indicator in BY_NAME and BY_NAME[indicator].kind == "money"


def _scaled(indicator: str, value: Decimal | None) -> float | None:
    """Millions for money, percent for ratios, as they are (HHI, turnover, equivalent makers) otherwise."""
    if value is None:
        return None
    if _is_money(indicator):
        return float(value / Decimal(1_000_000))
    if indicator in ("fixed_asset_turnover", "hhi", "equivalent_makers"):
        return float(value)
    return float(value * 100)


def _unit(indicator: str, currency: str) -> str:
    if _is_money(indicator):
        return f"{currency} million"
    if indicator == "fixed_asset_turnover":
        return "times"
    if indicator == "hhi":
        return "HHI (0-10,000)"
    if indicator == "equivalent_makers":
        return "makers"
    return "%"


def title_of(indicator: str) -> str:
    if indicator in BY_NAME:
        found = BY_NAME[indicator]
        return f"{found.label} {found.label_zh}"
    return {
        "hhi": "Concentration (HHI) 集中度",
        "cr4": "CR4 前四集中度",
        "equivalent_makers": "Equivalent makers",
    }[indicator]


def _short(name: str) -> str:
    """A company name without the usual 北京 prefix and 有限公司 suffix, so bars keep their room."""
    out = name.removeprefix("北京").removesuffix("有限公司").removesuffix("有限责任公司")
    return out or name


def _label(row: Row) -> str:
    company = row.company
    return f"{_short(company.name)} {company.code}" if company is not None else row.key


# ------------------------------------------------------------------------------------------------ charts


def indicator_chart(
    *, items: Sequence[Row], indicator: str, currency: str, subtitle: str, fmt: Format
) -> bytes:
    """Horizontal bars of `indicator` per row (a company or a segment), coloured by segment."""
    with _drawing():
        return render(_indicator_figure(items, indicator, currency, subtitle), fmt)


def trend_chart(*, report: TrendReport, subtitle: str, fmt: Format) -> bytes:
    """One line per series over the report's periods (gaps where a value is missing)."""
    with _drawing():
        return render(_trend_figure(report, subtitle), fmt)


def plan_chart(*, preview: PlanPreview, fmt: Format) -> bytes:
    """Before and after the plan: the touched companies' total assets and return on assets, their segments'
    HHI, and the group's ratios."""
    with _drawing():
        return render(_plan_figure(preview), fmt)


def _indicator_figure(items: Sequence[Row], indicator: str, currency: str, subtitle: str) -> Figure:
    """Horizontal bars of `indicator` per row (a company or a segment), coloured by segment; rows without a
    value are labelled n/a."""
    segments = sorted({(r.segment or NO_SEGMENT) for r in items})
    colours = {s: _PALETTE[i % len(_PALETTE)] for i, s in enumerate(segments)}
    figure = _figure(9, max(2.8, 0.42 * len(items) + 1.5), left=2.4)
    axes = figure.add_subplot()
    labels = [_label(r) for r in items]
    values = [_scaled(indicator, BY_NAME[indicator].compute(r.figures)) for r in items]
    positions = list(range(len(items)))
    axes.barh(
        positions,
        [v if v is not None else 0.0 for v in values],
        color=[colours[r.segment or NO_SEGMENT] for r in items],
    )
    for y, v in zip(positions, values, strict=True):
        _value_label(axes, v, y, fontsize=8)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.invert_yaxis()
    axes.axvline(0, color="#444444", linewidth=0.8)
    axes.margins(x=0.15)
    if not any(v for v in values):
        axes.set_xlim(-1, 1)
    axes.set_xlabel(_unit(indicator, currency))
    axes.set_title(f"{title_of(indicator)}\n{subtitle}", fontsize=11)
    if len(segments) > 1 and items and items[0].level == "company":
        handles = [Patch(color=colours[s], label=s) for s in segments]
        axes.legend(handles=handles, fontsize=7, loc="best", title="segment", title_fontsize=7)
    axes.grid(axis="x", alpha=0.3)
    return figure


def _trend_figure(report: TrendReport, subtitle: str) -> Figure:
    figure = _figure(10, 5, right=2.6, left=0.9, bottom=0.8)
    axes = figure.add_subplot()
    ticks = list(range(len(report.periods)))
    names = [period_label(p, report.granularity) for p in report.periods]
    for index, item in enumerate(report.series):
        values = [_scaled(report.indicator, point.value) for point in item.points]
        label = (
            _short(item.company.name) + f" {item.company.code}" if item.company is not None else item.label
        )
        axes.plot(
            ticks,
            [float("nan") if v is None else v for v in values],
            marker="o",
            linewidth=1.6,
            markersize=4,
            color=_PALETTE[index % len(_PALETTE)],
            label=label,
        )
    if report.indicator == "hhi":
        axes.axhline(1500, color="#e6550d", linestyle="--", linewidth=0.9)
        axes.axhline(2500, color="#a50f15", linestyle="--", linewidth=0.9)
        axes.text(ticks[0], 1500, " 1,500 moderately concentrated", fontsize=7, va="bottom", color="#e6550d")
        axes.text(ticks[0], 2500, " 2,500 highly concentrated", fontsize=7, va="bottom", color="#a50f15")
        axes.set_ylim(0, 10500)
    axes.set_xticks(ticks, names, fontsize=8, rotation=30 if len(ticks) > 8 else 0)
    axes.set_ylabel(_unit(report.indicator, report.currency))
    axes.set_title(f"{title_of(report.indicator)}\n{subtitle}", fontsize=11)
    axes.grid(alpha=0.3)
    if report.series:
        axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return figure


def period_label(period: Period, granularity: Granularity) -> str:
    if granularity == "month":
        return period.start.strftime("%Y-%m")
    if granularity == "quarter":
        return f"{period.start.year}Q{(period.start.month - 1) // 3 + 1}"
    return str(period.start.year)


def _number(value: float) -> str:
    size = abs(value)
    return f"{value:,.0f}" if size >= 1000 else f"{value:,.1f}" if size >= 10 else f"{value:,.2f}"


def _value_label(axes: Axes, value: float | None, y: float, *, fontsize: int) -> None:
    """The value beside the end of its bar (left of a negative one); n/a when there is none."""
    negative = value is not None and value < 0
    axes.annotate(
        "n/a" if value is None else _number(value),
        (value or 0.0, y),
        xytext=(-3 if negative else 3, 0),
        textcoords="offset points",
        ha="right" if negative else "left",
        va="center",
        fontsize=fontsize,
    )


def _paired_bars(
    axes: Axes, labels: Sequence[str], before: Sequence[float | None], after: Sequence[float | None]
) -> None:
    positions = list(range(len(labels)))
    width = 0.38
    axes.barh(
        [p - width / 2 for p in positions],
        [b or 0.0 for b in before],
        height=width,
        color=_BEFORE,
        label="before",
    )
    axes.barh(
        [p + width / 2 for p in positions],
        [a or 0.0 for a in after],
        height=width,
        color=_AFTER,
        label="after",
    )
    for p, b, a in zip(positions, before, after, strict=True):
        for offset, value in ((-width / 2, b), (width / 2, a)):
            _value_label(axes, value, p + offset, fontsize=7)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.invert_yaxis()
    axes.axvline(0, color="#444444", linewidth=0.8)
    axes.margins(x=0.18)
    if not any(v for v in [*before, *after]):
        axes.set_xlim(-1, 1)
    axes.grid(axis="x", alpha=0.3)
    axes.legend(fontsize=7, loc="best")


def _plan_figure(preview: PlanPreview) -> Figure:
    touched = _touched(preview)
    before = {f.company.entity_id: f for f in preview.before}
    after = {f.company.entity_id: f for f in preview.after}
    ids = [i for i in [*before, *after] if i in touched]
    ids = sorted(dict.fromkeys(ids), key=lambda i: (before.get(i) or after[i]).company.code)
    names = [
        _short((before.get(i) or after[i]).company.name) + f" {(before.get(i) or after[i]).company.code}"
        for i in ids
    ]
    figure = _figure(13, max(7.0, 0.5 * len(ids) + 5.5), left=2.2, top=0.9)
    grid = figure.add_gridspec(2, 2)
    currency = preview.currency

    def company_values(source: dict[str, CompanyFigures], indicator: str) -> list[float | None]:
        out: list[float | None] = []
        for i in ids:
            item = source.get(i)
            out.append(None if item is None else _scaled(indicator, BY_NAME[indicator].compute(item.figures)))
        return out

    assets = figure.add_subplot(grid[0, 0])
    _paired_bars(assets, names, company_values(before, "total_assets"), company_values(after, "total_assets"))
    assets.set_title(f"Total assets 资产总额 ({currency} million)", fontsize=10)
    returns = figure.add_subplot(grid[0, 1])
    _paired_bars(
        returns, names, company_values(before, "return_on_assets"), company_values(after, "return_on_assets")
    )
    returns.set_title("Return on assets 总资产报酬率 (%)", fontsize=10)

    segments = sorted(
        {segment_key(f.company) for f in [*preview.before, *preview.after] if f.company.entity_id in touched}
    )
    segments = [s for s in segments if s != NO_SEGMENT]

    def hhi(source: Sequence[CompanyFigures], segment: str) -> float | None:
        members = {f.company.entity_id: f.figures.revenue for f in source if f.company.segment == segment}
        found = concentration(members).hhi
        return None if found is None else float(found)

    hhis = figure.add_subplot(grid[1, 0])
    _paired_bars(
        hhis, segments, [hhi(preview.before, s) for s in segments], [hhi(preview.after, s) for s in segments]
    )
    hhis.set_title("Segment concentration HHI 集中度", fontsize=10)

    group_before = rows(preview.before, level="group")[0]
    group_after = rows(preview.after, level="group")[0]
    ratios = ["net_margin", "return_on_assets", "retention_ratio", "self_financing_ratio", "idle_asset_share"]
    group = figure.add_subplot(grid[1, 1])
    _paired_bars(
        group,
        [BY_NAME[r].label_zh for r in ratios],
        [_scaled(r, BY_NAME[r].compute(group_before.figures)) for r in ratios],
        [_scaled(r, BY_NAME[r].compute(group_after.figures)) for r in ratios],
    )
    group.set_title("Group ratios 集团指标 (%)", fontsize=10)
    period = preview.period
    figure.suptitle(
        f"Planned restructuring 重组方案: before and after, "
        f"{period.start.isoformat()} to {period.end.isoformat()}",
        fontsize=12,
    )
    return figure


def _touched(preview: PlanPreview) -> set[str]:
    """The companies the plan's events name, and the other companies of their segments."""
    named = {entity_id for effect in preview.effects for entity_id in effect.parties}
    every = [*preview.before, *preview.after]
    segments = {
        f.company.segment for f in every if f.company.entity_id in named and f.company.segment is not None
    }
    return {
        f.company.entity_id for f in every if f.company.entity_id in named or f.company.segment in segments
    }
