"""Months, fiscal years and straight-line schedules (DOMAIN §2.7, §2.8, §7.3).

Time is counted in calendar months from a date: from 1 July to 31 December (end exclusive: 1 January) is 6
months; a part month counts by its days. Fiscal years are 12-month blocks ending the day before the period
start, so a consolidation adjustment of an earlier year can be restated in reserves at that year's rates
(DOMAIN §0 carry-forward rule; Allen White 6.6).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, the day of month clamped to the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> Fraction:
    """Months from `start` to `end` (exclusive): whole months plus a part month by its days; 0 if none."""
    if end <= start:
        return Fraction(0)
    whole = (end.year - start.year) * 12 + end.month - start.month
    while add_months(start, whole) > end:
        whole -= 1
    anchor, following = add_months(start, whole), add_months(start, whole + 1)
    return whole + Fraction((end - anchor).days, (following - anchor).days)


@dataclass(frozen=True, slots=True)
class Segment:
    """Part of a span inside one fiscal year: [start, end), `current` for the period being consolidated."""

    start: date
    end: date
    current: bool
    year_end: date

    @property
    def months(self) -> Fraction:
        return months_between(self.start, self.end)


def segments(*, start: date, end: date, period_start: date, as_of: date) -> list[Segment]:
    """[start, end) cut at fiscal-year boundaries: the period ends `as_of`, earlier years are 12 months."""
    result: list[Segment] = []
    current_start, current_end = max(start, period_start), min(end, as_of + ONE_DAY)
    if current_start < current_end:
        result.append(Segment(current_start, current_end, True, as_of))
    years_back = 1
    year_end_exclusive = period_start
    while start < year_end_exclusive and start < end:
        year_start = add_months(period_start, -12 * years_back)
        seg_start, seg_end = max(start, year_start), min(end, year_end_exclusive)
        if seg_start < seg_end:
            result.append(Segment(seg_start, seg_end, False, year_end_exclusive - ONE_DAY))
        year_end_exclusive = year_start
        years_back += 1
    return result


def fiscal_year_end(*, day: date, period_start: date, as_of: date) -> date:
    """The last day of the fiscal year containing `day` (`as_of` for the current period)."""
    if day >= period_start:
        return as_of
    boundary = period_start
    while day < boundary:
        previous = add_months(boundary, -12)
        if day >= previous:
            return boundary - ONE_DAY
        boundary = previous
    return boundary - ONE_DAY


def straight_line(
    *, amount: Fraction, life_months: int, start: date, stop: date, period_start: date, as_of: date
) -> list[tuple[Segment, Fraction]]:
    """`amount` consumed evenly over `life_months` from `start`, per fiscal segment up to `stop` (exclusive).

    Months are counted from `start` to each segment's ends, so the parts add up to exactly `amount` at the
    end of the life whatever the month lengths.
    """
    life_end = add_months(start, life_months)
    end = min(stop, life_end, as_of + ONE_DAY)
    monthly = amount / life_months
    return [
        (s, monthly * (months_between(start, s.end) - months_between(start, s.start)))
        for s in segments(start=start, end=end, period_start=period_start, as_of=as_of)
    ]
