"""Charts from figures alone (no database): valid files, the CJK font, deterministic output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from matplotlib import font_manager

from app.analytics import charts
from app.analytics.domain.figures import Figures
from app.analytics.domain.trends import periods, series
from app.analytics.loading import Company, CompanyFigures, rows
from app.analytics.service import Series, TrendReport

D = Decimal
COMPANIES = [
    Company("e1", "FSCA", "北京房山精密铸造有限公司", None, "castings", "CNY"),
    Company("e2", "FSC2", "北京房山第二铸造厂", None, "castings", "CNY"),
    Company("e3", "DXBR", "北京大兴制动器有限公司", None, "brakes", "CNY"),
]
FIGURES = [
    CompanyFigures(c, Figures(revenue=D(r), net_profit=D(p), total_assets=D(a), total_assets_opening=D(a)))
    for c, r, p, a in zip(
        COMPANIES,
        (72_000_000, 4_200_000, 54_000_000),
        (2_000_000, -300_000, 900_000),
        (84, 8, 75),
        strict=True,
    )
]


def test_an_indicator_chart_is_valid_svg_and_png() -> None:
    items = rows(FIGURES, level="company")

    svg = charts.indicator_chart(
        items=items, indicator="net_margin", currency="CNY", subtitle="2025", fmt="svg"
    )
    png = charts.indicator_chart(
        items=items, indicator="net_margin", currency="CNY", subtitle="2025", fmt="png"
    )

    assert ET.fromstring(svg).tag.endswith("svg")  # noqa: S314 (our own output)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(svg) > 5_000
    assert len(png) > 5_000


def test_the_same_figures_give_the_same_bytes() -> None:
    items = rows(FIGURES, level="segment")

    first = charts.indicator_chart(items=items, indicator="revenue", currency="CNY", subtitle="x", fmt="svg")
    second = charts.indicator_chart(items=items, indicator="revenue", currency="CNY", subtitle="x", fmt="svg")

    assert first == second


def test_a_trend_chart_with_a_gap_renders() -> None:
    spans = periods(granularity="quarter", count=4, end=date(2025, 12, 31))
    report = TrendReport(
        "hhi",
        "segment",
        "quarter",
        "CNY",
        spans,
        [
            Series(
                "segment",
                "castings",
                "castings",
                None,
                series(values=list(zip(spans, [D(8200), None, D(8500), D(8600)], strict=True))),
            )
        ],
    )

    png = charts.trend_chart(report=report, subtitle="2025", fmt="png")

    assert png.startswith(b"\x89PNG")
    assert len(png) > 5_000


def test_the_cjk_font_is_used_when_installed() -> None:
    installed = any("NotoSansCJK" in path.replace("-", "") for path in font_manager.findSystemFonts())

    family = charts.font_family()

    assert family == (charts.CJK_FAMILY if installed else charts.FALLBACK_FAMILY)
