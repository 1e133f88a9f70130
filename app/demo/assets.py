"""Demo assets: every maker's plant, line and tooling registered (the books already hold their cost), a
year of depreciation runs, and the stock-asset flows the founding document is about: an approved sale of a
stamping line from the stampings maker to the chassis maker, a free transfer of a building between two
makers of the body-and-interiors holding, and one request still waiting for a controller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.demo.books import DEMO_YEAR, HOLDINGS
from app.demo.group import DEMO_ENTITIES, DEMO_REGISTERED_CAPITAL

#: (tag suffix, name, category, share of the maker's fixed assets, useful life in months, method)
_PARTS = (
    ("BLD", "厂房 plant building", "building", Decimal("0.50"), 360, "straight_line"),
    ("LINE", "生产线 production line", "production_line", Decimal("0.35"), 120, "double_declining_balance"),
    ("TOOL", "模具 tooling and molds", "tooling", Decimal("0.15"), 60, "sum_of_years_digits"),
)
_CATEGORY_NAMES = {"SYST": "冲压生产线 stamping line"}


@dataclass(frozen=True)
class DemoAsset:
    entity_code: str
    tag: str
    name: str
    category: str
    cost: Decimal
    useful_life_months: int
    method: str


@dataclass(frozen=True)
class DemoTransfer:
    tag: str
    to_code: str
    kind: str
    price: Decimal | None
    transfer_on: date
    reason: str
    approve: bool


def demo_assets() -> list[DemoAsset]:
    """Three assets per maker whose costs add up to the fixed assets in its opening balances."""
    out = []
    for entity in DEMO_ENTITIES:
        if entity.kind != "company" or entity.code in HOLDINGS:
            continue
        total = (DEMO_REGISTERED_CAPITAL[entity.code] * Decimal("0.9")).quantize(Decimal("0.01"))
        parts = [(total * share).quantize(Decimal("0.01")) for *_, share, _, _ in _PARTS]
        parts[0] += total - sum(parts)
        for (suffix, name, category, _share, life, method), cost in zip(_PARTS, parts, strict=True):
            if suffix == "LINE":
                name = _CATEGORY_NAMES.get(entity.code, name)
            out.append(
                DemoAsset(entity.code, f"{entity.code}-{suffix}-01", name, category, cost, life, method)
            )
    return out


DEMO_TRANSFERS = (
    DemoTransfer("SYST-LINE-01", "TZCH", "sale", Decimal("23000000.00"), date(DEMO_YEAR, 7, 1),
                 "集中冲压产能到底盘厂 concentrate stamping where the chassis are built", approve=True),
    DemoTransfer("PGRS-BLD-01", "YZSI", "free_transfer", None, date(DEMO_YEAR, 7, 1),
                 "闲置厂房无偿划转 idle building to the seating maker", approve=True),
    DemoTransfer("CYLA-TOOL-01", "HRWH", "sale", Decimal("2000000.00"), date(DEMO_YEAR, 11, 1),
                 "灯具模具调拨 lamp tooling to the wheels maker", approve=False),
)  # fmt: skip
