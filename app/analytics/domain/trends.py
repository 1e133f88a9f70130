"""Consecutive calendar periods and the change of a value from one period to the next.

`periods(granularity, count, end)` gives the `count` months, quarters or years ending with the one that holds
`end`; the last period ends on `end` itself (a period in progress), the others are whole. A change is the
value less the previous period's value (None when either is None); the growth is that change over the
absolute previous value, rounded half-up to 6 places (None when the previous value is 0 or None).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from app.analytics.domain.indicators import ratio

Granularity = Literal["month", "quarter", "year"]
_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
MAX_PERIODS = 36


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def periods(*, granularity: Granularity, count: int, end: date) -> list[Period]:
    """The `count` consecutive periods ending with the one holding `end` (module docstring), oldest first.

    Raises:
        ValueError: `count` outside 1..MAX_PERIODS.
    """
    if not 1 <= count <= MAX_PERIODS:
        raise ValueError(f"count must be 1..{MAX_PERIODS}")
    size = _MONTHS[granularity]
    first_month = ((end.month - 1) // size) * size + 1
    year, month = end.year, first_month
    out: list[Period] = []
    for back in range(count):
        y, m = _add_months(year, month, -size * back)
        last_y, last_m = _add_months(y, m, size - 1)
        stop = end if back == 0 else _last_day(last_y, last_m)
        out.append(Period(date(y, m, 1), stop))
    return list(reversed(out))


@dataclass(frozen=True)
class Point:
    period: Period
    value: Decimal | None
    change: Decimal | None
    growth: Decimal | None


def series(*, values: Sequence[tuple[Period, Decimal | None]]) -> list[Point]:
    """Each value with its change and growth against the previous period's (module docstring)."""
    out: list[Point] = []
    previous: Decimal | None = None
    for index, (period, value) in enumerate(values):
        change = growth = None
        if index > 0 and value is not None and previous is not None:
            change = value - previous
            growth = ratio(change, abs(previous))
        out.append(Point(period, value, change, growth))
        previous = value
    return out
