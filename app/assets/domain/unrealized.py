"""Unrealised profit on assets moved inside the group (DOMAIN Part 2 §2.5, IFRS 10 B86(c), CAS 33).

The group accounts show the asset as if it had never moved: at the group's original cost, depreciated on
the original schedule. The holder's book shows the transfer price depreciated over the remaining life.
The difference is the unrealised profit the consolidation engine eliminates:

    URP_t = CA_holder(t) - CA_group(t)
          = gain x (remaining life not yet consumed at t) / (remaining life at transfer)

(the second form holds for straight-line). It is released as the holder's extra depreciation runs, and
whatever is left is released at once when the asset leaves the group (Allen White 8.3, case C-09: gain 70,
released 10 a year, the rest 50 on the sale to a third party, so the group gain is 260 - 150 = 110).

An asset sold on again inside the group carries the earlier URP into the next record:
`unrealized_at_transfer` = price - CA_group at the transfer, i.e. the new seller's gain plus the URP still
unreleased.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.assets.domain.depreciation import Book, BookTimeline, position_on
from app.assets.domain.periods import Period

ZERO = Decimal(0)


def remaining_life_months(*, life_end: Fraction, at: Fraction) -> int:
    """Whole months of life left on the clock at `at` (a part month counts from half, ROUND_HALF_UP)."""
    left = max(Fraction(0), life_end - at)
    return math.floor(left + Fraction(1, 2))


@dataclass(frozen=True, slots=True)
class UnrealizedMonth:
    period: Period
    on: date
    unrealized: Decimal
    released: Decimal


def unrealized_on(
    *,
    holder: Book,
    group: Book,
    day: date,
    holder_units: Mapping[Period, Decimal] | None = None,
    group_units: Mapping[Period, Decimal] | None = None,
) -> Decimal:
    """CA in the holder's book less CA in the group's view, at the end of `day`."""
    return (
        position_on(holder, day=day, units=holder_units).carrying_amount
        - position_on(group, day=day, units=group_units).carrying_amount
    )


def release_schedule(
    *,
    holder: Book,
    group: Book,
    transfer_on: date,
    through: Period,
    ends_on: date | None = None,
    holder_units: Mapping[Period, Decimal] | None = None,
    group_units: Mapping[Period, Decimal] | None = None,
) -> list[UnrealizedMonth]:
    """Month by month from the transfer: the URP left at each month end and the amount released in the month.

    `ends_on` is the day the asset left the holder (sold outside, or on to another group company): from that
    day this record holds nothing, and whatever was left is released in that month.
    """
    holder_line = BookTimeline(holder, through=through, units=holder_units)
    group_line = BookTimeline(group, through=through, units=group_units)

    def urp(day: date) -> Decimal:
        return holder_line.position_on(day).carrying_amount - group_line.position_on(day).carrying_amount

    previous = urp(transfer_on)
    out: list[UnrealizedMonth] = []
    for index in range(Period.of(transfer_on).index, through.index + 1):
        period = Period.from_index(index)
        on = period.last_day
        if ends_on is not None and ends_on <= on:
            out.append(UnrealizedMonth(period=period, on=ends_on, unrealized=ZERO, released=previous))
            break
        current = urp(on)
        out.append(UnrealizedMonth(period=period, on=on, unrealized=current, released=previous - current))
        previous = current
    return out
