"""The roll-forward of carrying amounts over a period (the auditors' fixed-asset movement schedule).

    opening + additions + transfers in - transfers out - disposals - depreciation - impairment = closing

Each holding (one book of one company, held from `valid_from` inclusive to `valid_to` exclusive) contributes:
its carrying amount the day before the period if held then; the amount it was added at (bought or
registered: additions; received from a group company: transfers in) if it started in the period; the
carrying amount it left at (to a group company: transfers out; outside the group: disposals) if it ended in
the period; the depreciation and impairment booked in the period; its carrying amount at the period end if
still held. The identity holds for every holding, so it holds for every sum of holdings.

The group's roll-forward uses the group's view of each asset (original cost and schedule; no internal
transfers), so its transfers in and out are zero and its depreciation is the group's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from app.assets.domain.depreciation import BookTimeline

ZERO = Decimal(0)


class Origin(StrEnum):
    ACQUISITION = "acquisition"
    REGISTRATION = "registration"
    TRANSFER = "transfer"


class Ending(StrEnum):
    TRANSFER = "transfer"
    DISPOSAL = "disposal"


@dataclass(frozen=True, slots=True)
class RollForward:
    opening: Decimal = ZERO
    additions: Decimal = ZERO
    transfers_in: Decimal = ZERO
    transfers_out: Decimal = ZERO
    disposals: Decimal = ZERO
    depreciation: Decimal = ZERO
    impairment: Decimal = ZERO
    closing: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        """Zero when the movements explain the change from opening to closing."""
        return (
            self.opening
            + self.additions
            + self.transfers_in
            - self.transfers_out
            - self.disposals
            - self.depreciation
            - self.impairment
            - self.closing
        )

    def __add__(self, other: RollForward) -> RollForward:
        return RollForward(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def total(rows: Iterable[RollForward]) -> RollForward:
    out = RollForward()
    for row in rows:
        out = out + row
    return out


@dataclass(frozen=True, slots=True)
class Holding:
    """One book and how it began and ended. `timeline` must run at least to the period's last month."""

    timeline: BookTimeline
    valid_from: date
    valid_to: date | None
    origin: Origin
    ending: Ending | None


def _held_on(holding: Holding, day: date) -> bool:
    return holding.valid_from <= day and (holding.valid_to is None or day < holding.valid_to)


def roll_forward(*, holding: Holding, start: date, end: date) -> RollForward:
    """The holding's movements from `start` to `end`, both inclusive."""
    if end < start:
        raise ValueError("the period ends before it starts")
    line = holding.timeline
    book = line.book
    eve = start - timedelta(days=1)
    opening = line.position_on(eve).carrying_amount if _held_on(holding, eve) else ZERO
    added = ZERO
    if start <= holding.valid_from <= end:
        added = book.cost - book.opening_accumulated - book.opening_impairment
    left = ZERO
    if holding.valid_to is not None and start <= holding.valid_to <= end:
        left = line.position_on(holding.valid_to).carrying_amount
    closing = line.position_on(end).carrying_amount if _held_on(holding, end) else ZERO
    last_day = end if holding.valid_to is None else min(end, holding.valid_to)
    depreciation = line.charged_between(start, last_day) if last_day >= start else ZERO
    impairment = sum(
        (i.amount for i in book.impairments if start <= i.on <= last_day and _held_on(holding, i.on)), ZERO
    )
    return RollForward(
        opening=opening,
        additions=added if holding.origin is not Origin.TRANSFER else ZERO,
        transfers_in=added if holding.origin is Origin.TRANSFER else ZERO,
        transfers_out=left if holding.ending is Ending.TRANSFER else ZERO,
        disposals=left if holding.ending is Ending.DISPOSAL else ZERO,
        depreciation=depreciation,
        impairment=impairment,
        closing=closing,
    )
