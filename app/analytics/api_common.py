"""What the analytics routes share: the roles, the query parameters and the checks of the period."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from app.analytics.domain.trends import MAX_PERIODS
from app.analytics.errors import AnalyticsQueryError
from app.analytics.schemas import (
    LevelName,
)
from app.core.context import Actor
from app.core.problems import problem_responses
from app.core.security import PREPARERS, READERS
from app.users.auth import allow

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]

EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)
FromQuery = Annotated[
    date | None,
    Query(alias="from", description="first day of the period (inclusive); default 1 January of `to`'s year"),
]
ToQuery = Annotated[date, Query(description="last day of the period (inclusive)")]
ParentQuery = Annotated[
    str | None,
    Query(max_length=36, description="only this parent and the subsidiaries it controls at the period end"),
]
CurrencyQuery = Annotated[str, Query(pattern=r"^[A-Z]{3}$", description="presentation currency")]
LevelQuery = Annotated[LevelName, Query(description="company, segment or group")]
PeriodsQuery = Annotated[int, Query(ge=1, le=MAX_PERIODS, description="number of consecutive periods")]
ERRORS = problem_responses(404, 422)
IMAGE = {
    200: {
        "content": {
            "image/svg+xml": {"schema": {"type": "string"}},
            "image/png": {"schema": {"type": "string"}},
        },
        "description": "the chart",
    },
    **problem_responses(404, 422),
}


def bounded(day: date, loc: tuple[str, ...]) -> date:
    """Dates far outside the books' range are refused (the day before the period must exist)."""
    if not EARLIEST <= day <= LATEST:
        raise AnalyticsQueryError(
            "date out of range",
            errors=[
                {"loc": list(loc), "msg": f"must be between {EARLIEST} and {LATEST}", "type": "date_range"}
            ],
        )
    return day


def period_of(period_from: date | None, to: date) -> tuple[date, date]:
    end = bounded(to, ("query", "to"))
    start = bounded(period_from, ("query", "from")) if period_from is not None else date(end.year, 1, 1)
    return start, end
