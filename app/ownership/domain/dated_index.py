"""A dated register numbered once, for the as-of view and for deciding the methods on many of its dates.

`index_holdings` numbers the entities and checks the holdings of one date from a list of `Holding`s. Here
the register comes as columns (`RegisterColumns`, one entry per stake, as the rows are read) and every dated
holding is numbered once (the parent first, sorted by investee like a `HoldingIndex`), with its first and
last day as day numbers; the rules that do not depend on the date (a Decimal share and vote, not below 0,
no self-holding) are checked once. `on(day)` is then the holdings in force that day as a `HoldingIndex` over
the same numbering, after the rules that do depend on the date (one record per pair, capital and votes of
an investee at most 100%); a day that breaks one gets the same `OwnershipValidationError` as
`index_holdings` would give for that day's holdings in register order.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from app.ownership.domain.decimals import ONE, UNIT_ONE, UNIT_PLACES, ZERO, exact_context
from app.ownership.domain.errors import OwnershipValidationError
from app.ownership.domain.graph import sorted_unique
from app.ownership.domain.model import DatedHolding, Holding
from app.ownership.domain.validation import HoldingIndex, violations_of

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
#: The day number of an open end (`valid_to` None): after every date.
OPEN = date.max.toordinal() + 1
#: Units to decimals: exact (a unit count has far fewer digits than the precision).
_UNITS = decimal.Context(prec=40, traps=[decimal.Inexact, decimal.InvalidOperation])


class RegisterColumns(NamedTuple):
    """The dated register as parallel columns, one entry per stake, in the order read."""

    holders: Sequence[str]
    investees: Sequence[str]
    shares: Sequence[Decimal]
    votes: Sequence[Decimal]
    valid_from: Sequence[date]
    valid_to: Sequence[date | None]
    #: the shares and votes as exact integers of 10**-UNIT_PLACES, when the rows came so (`of_unit_rows`)
    units: tuple[IntArray, IntArray] | None = None

    @classmethod
    def of_rows(cls, rows: Sequence[Sequence[Any]]) -> RegisterColumns:
        """Columns from rows of (holder, investee, share, vote, valid_from, valid_to)."""
        if not rows:
            return cls((), (), (), (), (), ())
        return cls(*zip(*rows, strict=True))

    @classmethod
    def of_unit_rows(cls, rows: Sequence[Sequence[Any]]) -> RegisterColumns | None:
        """Columns from rows of (holder, investee, share units, vote units, valid_from, valid_to), the units
        integers of 10**-UNIT_PLACES; None when a unit is None (a value the reader could not express so).

        Each distinct value becomes one `Decimal` at UNIT_PLACES places, as a NUMERIC(20,12) column reads (a
        register repeats few shares, and making them is cheaper than reading them as decimals); the votes
        are the shares' decimals where they equal the shares (one vote per share, as most stakes carry).
        """
        if not rows:
            return cls((), (), (), (), (), (), units=(np.zeros(0, np.int64), np.zeros(0, np.int64)))
        holders, investees, share_units, vote_units, valid_from, valid_to = zip(*rows, strict=True)
        try:
            units = (
                np.fromiter(share_units, dtype=np.int64, count=len(rows)),
                np.fromiter(vote_units, dtype=np.int64, count=len(rows)),
            )
        except TypeError:  # a None
            return None
        shares = _ratios(units[0])
        votes = shares
        if not np.array_equal(units[0], units[1]):
            apart = np.flatnonzero(units[0] != units[1])
            votes = list(shares)
            for position, vote in zip(apart.tolist(), _ratios(units[1][apart]), strict=True):
                votes[position] = vote
        return cls(holders, investees, shares, votes, valid_from, valid_to, units=units)

    @classmethod
    def of_holdings(cls, holdings: Sequence[DatedHolding]) -> RegisterColumns:
        plain = [d.holding for d in holdings]
        return cls(
            [h.holder for h in plain],
            [h.investee for h in plain],
            [h.share for h in plain],
            [h.voting_share for h in plain],
            [d.valid_from for d in holdings],
            [d.valid_to for d in holdings],
        )

    def holding(self, position: int) -> Holding:
        return Holding(
            self.holders[position], self.investees[position], self.shares[position], self.votes[position]
        )

    def dated(self, position: int) -> DatedHolding:
        return DatedHolding(self.holding(position), self.valid_from[position], self.valid_to[position])


def _ratios(units: IntArray) -> list[Decimal]:
    """The `Decimal` at UNIT_PLACES places of each of `units`, made once per distinct value."""
    distinct, each = np.unique(units, return_inverse=True)
    made = np.empty(len(distinct), dtype=object)
    made[:] = list(map(_UNITS.scaleb, map(Decimal, distinct.tolist()), repeat(-UNIT_PLACES)))
    decimals: list[Decimal] = made[each].tolist()
    return decimals


@dataclass(frozen=True)
class DatedIndex:
    """Every dated holding over one numbering of the entities (`index`), sorted by investee.

    `position[k]` is the place in `columns` of the k-th holding of `index`.
    """

    index: HoldingIndex
    valid_from: IntArray
    valid_to: IntArray
    columns: RegisterColumns
    position: IntArray
    #: shares and votes in units of 10**-UNIT_PLACES (exact), when every one has at most that many places
    units: tuple[IntArray, IntArray] | None = None

    def in_force(self, day: date) -> IntArray:
        """The places in `index` of the holdings in force on `day`."""
        ordinal = day.toordinal()
        return np.flatnonzero((self.valid_from <= ordinal) & (ordinal < self.valid_to))

    def on(self, day: date) -> HoldingIndex:
        """The holdings in force on `day`, checked: raises `OwnershipValidationError` as `index_holdings`
        would."""
        keep = self.in_force(day)
        index = self.index
        src, dst, share, vote = index.src[keep], index.dst[keep], index.share[keep], index.vote[keep]
        sums = (share, vote) if self.units is None else (self.units[0][keep], self.units[1][keep])
        if not _valid_on_a_day(index.size, src, dst, sums, ONE if self.units is None else UNIT_ONE):
            in_order = np.sort(self.position[keep]).tolist()
            raise OwnershipValidationError(violations_of([self.columns.holding(p) for p in in_order]))
        units = None if self.units is None else (self.units[0][keep], self.units[1][keep])
        return HoldingIndex(
            names=index.names, index=index.index, src=src, dst=dst, share=share, vote=vote, units=units
        )

    def restricted(self, keep: npt.NDArray[np.bool_]) -> DatedIndex:
        """The same numbering with only the holdings where `keep` is True."""
        index = self.index
        return replace(
            self,
            index=replace(
                index,
                src=index.src[keep],
                dst=index.dst[keep],
                share=index.share[keep],
                vote=index.vote[keep],
            ),
            valid_from=self.valid_from[keep],
            valid_to=self.valid_to[keep],
            position=self.position[keep],
            units=None if self.units is None else (self.units[0][keep], self.units[1][keep]),
        )

    def with_units(self) -> DatedIndex:
        """This register with its exact integer units, for checking the sums of many dates quickly."""
        if self.units is not None:
            return self
        return replace(self, units=_units(self.index.share, self.index.vote))


def dated_index(holdings: Sequence[DatedHolding], *, parent: str) -> DatedIndex | None:
    """`index_register` of a list of dated holdings, with its exact units."""
    numbered = index_register(RegisterColumns.of_holdings(holdings), parent=parent)
    return None if numbered is None else numbered.with_units()


def _non_negative_decimals(values: Sequence[Decimal]) -> bool:
    """Every value a Decimal >= 0 that is not a NaN (a NaN signals InvalidOperation in the comparison).

    That each is at most 1 needs no pass of its own: on every day a holding is in force it is part of its
    investee's column sum, which `on` checks against 1 (an infinity breaks that bound too).
    """
    if not values:
        return True
    if not set(map(type, values)) <= {Decimal}:
        return False
    try:
        with exact_context():
            return bool(min(values) >= ZERO)
    except decimal.InvalidOperation:
        return False


def _non_negative(columns: RegisterColumns) -> bool:
    """Every share and vote of the register a Decimal >= 0 (from its integer units, when it has them)."""
    if columns.units is not None:
        return not columns.units[0].size or bool(min(columns.units[0].min(), columns.units[1].min()) >= 0)
    return _non_negative_decimals(columns.shares) and _non_negative_decimals(columns.votes)


def _day_numbers(days: Sequence[date | None]) -> IntArray:
    """The day numbers of `days` (None: `OPEN`); a column of open ends, or of no open end, in one C loop."""
    count, open_ends = len(days), days.count(None)
    if open_ends == count:
        return np.full(count, OPEN, dtype=np.int64)
    if open_ends == 0:
        return np.fromiter(map(date.toordinal, days), dtype=np.int64, count=count)  # type: ignore[arg-type]
    numbers = (OPEN if day is None else day.toordinal() for day in days)
    return np.fromiter(numbers, dtype=np.int64, count=count)


def index_register(columns: RegisterColumns, *, parent: str) -> DatedIndex | None:
    """The register numbered once with `parent` first; None when a rule that holds on every date is broken
    (a share or vote not a Decimal or below 0, a holder holding itself, a validity ending where or before
    it starts): the caller then checks date by date, and only the dates it evaluates report it."""
    holders, investees = columns.holders, columns.investees
    if not _non_negative(columns):
        return None
    unique_names = dict.fromkeys([parent, *holders, *investees])
    numbers = dict(zip(unique_names, range(len(unique_names)), strict=True))
    count = len(holders)
    src = np.fromiter(map(numbers.__getitem__, holders), dtype=np.int64, count=count)
    dst = np.fromiter(map(numbers.__getitem__, investees), dtype=np.int64, count=count)
    first, last = _day_numbers(columns.valid_from), _day_numbers(columns.valid_to)
    if bool(np.any(src == dst)) or bool(np.any(last <= first)):  # equal names have equal numbers
        return None
    order = np.argsort(dst, kind="stable")
    index = HoldingIndex(
        names=list(numbers),
        index=numbers,
        src=src[order],
        dst=dst[order],
        share=np.fromiter(columns.shares, dtype=object, count=count)[order],
        vote=np.fromiter(columns.votes, dtype=object, count=count)[order],
    )
    units = None if columns.units is None else (columns.units[0][order], columns.units[1][order])
    return DatedIndex(
        index=index,
        valid_from=first[order],
        valid_to=last[order],
        columns=columns,
        position=order,
        units=units,
    )


def _units(share: ObjArray, vote: ObjArray) -> tuple[IntArray, IntArray] | None:
    """Shares and votes as exact integers of 10**-UNIT_PLACES (None when one has more places or is not a
    finite number in 0..1: the days it is in force then reject it through the Decimal sums)."""
    values = [*share.tolist(), *vote.tolist()]
    exponents = [v.as_tuple().exponent for v in values]
    if not set(map(type, exponents)) <= {int} or min(exponents, default=0) < -UNIT_PLACES:
        return None
    with exact_context():
        if values and max(values) > ONE:
            return None
        share_units = np.fromiter((int(v.scaleb(UNIT_PLACES)) for v in share.tolist()), dtype=np.int64)
        vote_units = np.fromiter((int(v.scaleb(UNIT_PLACES)) for v in vote.tolist()), dtype=np.int64)
    return share_units, vote_units


def _valid_on_a_day(
    n: int, src: IntArray, dst: IntArray, sums: tuple[npt.NDArray[Any], npt.NDArray[Any]], one: object
) -> bool:
    """One record per (holder, investee) and column sums of capital and votes at most `one` (`dst` sorted)."""
    if not src.size:
        return True
    if sorted_unique(src * n + dst).size != src.size:
        return False
    starts = np.flatnonzero(np.concatenate(([True], dst[1:] != dst[:-1])))
    with exact_context():
        return not any(bool(np.any(np.add.reduceat(values, starts) > one)) for values in sums)
