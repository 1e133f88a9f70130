"""Fiscal calendar: the fiscal year is the calendar year and a period is one month of one entity's books.

Kept in one place so that a configurable fiscal year (a year starting in another month) changes only this
module: every other rule asks it for the year and month a date belongs to.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def fiscal_period_of(day: date) -> tuple[int, int]:
    """(fiscal year, fiscal month 1..12) of a date."""
    return day.year, day.month


def parse_period(text: str) -> tuple[int, int]:
    """`"2026-03"` -> (2026, 3).

    Raises:
        ValueError: not of the form yyyy-mm with a month 01..12.
    """
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"period {text!r} is not of the form yyyy-mm")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(f"period {text!r} has no month {month:02d}")
    return year, month


def format_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def is_month_end(day: date) -> bool:
    return day == month_end(day.year, day.month)
