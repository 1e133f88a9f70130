"""Months, positions in time and the month convention that decides when an asset depreciates.

Depreciation is charged by the month. Time is measured on a continuous clock in months
(`position`: year x 12 + month - 1, plus the fraction of the month elapsed), so that all three conventions
share one set of formulas:

- `next_month` (the Chinese rule of the application guidance, the default):
  "当月增加的固定资产,当月不计提折旧,从下月起计提折旧;当月减少的,当月仍计提折旧".
  An asset added in month M depreciates from M+1; an asset that leaves in month L is still charged for L.
- `full_month_first`: a full month's charge in the month the asset is added, none in the month it leaves.
- `available_date`: pro rata by days, from the date the asset is available to the day before it leaves.

Whatever the convention, the seller's stop and the buyer's start of one transfer are the same position,
so every month of an asset's life is charged exactly once across its holders.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month, written `yyyy-mm`."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_RE.match(text)
        if match is None:
            raise ValueError(f"not a period 'yyyy-mm': {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months have consecutive indexes."""
        return self.year * 12 + self.month - 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def plus(self, months: int) -> Period:
        return Period.from_index(self.index + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class MonthConvention(StrEnum):
    """When depreciation starts and stops within a month (DOMAIN Part 2 §7.1 `start_rule`)."""

    NEXT_MONTH = "next_month"
    FULL_MONTH_FIRST = "full_month_first"
    AVAILABLE_DATE = "available_date"


DEFAULT_CONVENTION = MonthConvention.NEXT_MONTH


def position(day: date) -> Fraction:
    """The clock reading at the start of `day`: its month's index plus the fraction of the month elapsed."""
    days = calendar.monthrange(day.year, day.month)[1]
    return Fraction(Period.of(day).index) + Fraction(day.day - 1, days)


def start_position(convention: MonthConvention, added_on: date) -> Fraction:
    """Where depreciation begins for an asset added (acquired, received) on `added_on`."""
    if convention is MonthConvention.NEXT_MONTH:
        return Fraction(Period.of(added_on).index + 1)
    if convention is MonthConvention.FULL_MONTH_FIRST:
        return Fraction(Period.of(added_on).index)
    return position(added_on)


def start_date(convention: MonthConvention, added_on: date) -> date:
    """The day whose start is `start_position(convention, added_on)` (kept in the database as a date)."""
    if convention is MonthConvention.NEXT_MONTH:
        return Period.of(added_on).plus(1).first_day
    if convention is MonthConvention.FULL_MONTH_FIRST:
        return Period.of(added_on).first_day
    return added_on


def stop_position(convention: MonthConvention, left_on: date) -> Fraction:
    """Where depreciation ends for an asset that leaves (sold, transferred, classified) on `left_on`.

    `left_on` is the first day the holder no longer has it. It equals `start_position` of the same date, so a
    receiver starting on the day the sender stops continues the clock without a gap or an overlap.
    """
    return start_position(convention, left_on)


def period_bounds(period: Period) -> tuple[Fraction, Fraction]:
    """The clock readings at the start and the end of a month."""
    return Fraction(period.index), Fraction(period.index + 1)


def months_between(start: Fraction, stop: Fraction) -> Fraction:
    return max(Fraction(0), stop - start)


def day_before(day: date) -> date:
    return day - timedelta(days=1)
