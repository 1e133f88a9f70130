"""A dated register numbered once, for deciding the methods on many of its dates (`history.controls_since`).

`index_holdings` numbers the entities and checks the holdings of one date; on a register with a hundred
dates that was most of the time of reading when control began. Here every dated holding is numbered once
(the parent first, sorted by investee like a `HoldingIndex`), with its first and last day as day numbers,
and the rules that do not depend on the date (a Decimal share and vote in 0..1, no self-holding) are checked
once. `on(day)` is then the holdings in force that day as a `HoldingIndex` over the same numbering, after
the rules that do depend on the date (one record per pair, capital and votes of an investee at most 100%);
a day that breaks one gets the same `OwnershipValidationError` as `index_holdings` would give.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ownership.domain.decimals import ONE, ZERO, exact_context
from app.ownership.domain.errors import OwnershipValidationError
from app.ownership.domain.graph import sorted_unique
from app.ownership.domain.model import DatedHolding, Holding
from app.ownership.domain.validation import HoldingIndex, violations_of

IntArray = npt.NDArray[np.int64]
_OPEN = date.max.toordinal() + 1
#: The places of the exact integer shares (the register's ratios have 12).
UNIT_PLACES = 12
_UNIT_ONE = 10**UNIT_PLACES
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class DatedIndex:
    """Every dated holding over one numbering of the entities (`index`), sorted by investee."""

    index: HoldingIndex
    valid_from: IntArray
    valid_to: IntArray
    holdings: list[Holding]
    #: shares and votes in units of 10**-UNIT_PLACES (exact), when every one has at most that many places
    units: tuple[IntArray, IntArray] | None = None

    def on(self, day: date) -> HoldingIndex:
        """The holdings in force on `day`, checked: raises `OwnershipValidationError` as `index_holdings`
        would."""
        ordinal = day.toordinal()
        keep = np.flatnonzero((self.valid_from <= ordinal) & (ordinal < self.valid_to))
        index = self.index
        src, dst, share, vote = index.src[keep], index.dst[keep], index.share[keep], index.vote[keep]
        sums = (share, vote) if self.units is None else (self.units[0][keep], self.units[1][keep])
        if not _valid_on_a_day(index.size, src, dst, sums, ONE if self.units is None else _UNIT_ONE):
            raise OwnershipValidationError(violations_of([self.holdings[int(i)] for i in keep]))
        return HoldingIndex(names=index.names, index=index.index, src=src, dst=dst, share=share, vote=vote)


def dated_index(holdings: Sequence[DatedHolding], *, parent: str) -> DatedIndex | None:
    """The register numbered once with `parent` first; None when a rule that holds on every date is broken
    (a share or vote not a Decimal in 0..1, a holder holding itself): the caller then checks date by date,
    and only the dates it evaluates report it."""
    plain = [d.holding for d in holdings]
    values = [h.share for h in plain] + [h.voting_share for h in plain]
    try:
        with exact_context():
            uniform = all(type(v) is Decimal and ZERO <= v <= ONE for v in values)
    except decimal.InvalidOperation:
        uniform = False
    if not uniform or any(h.holder == h.investee for h in plain):
        return None
    unique_names = dict.fromkeys([parent, *(h.holder for h in plain), *(h.investee for h in plain)])
    numbers = dict(zip(unique_names, range(len(unique_names)), strict=True))
    count = len(plain)
    src = np.fromiter((numbers[h.holder] for h in plain), dtype=np.int64, count=count)
    dst = np.fromiter((numbers[h.investee] for h in plain), dtype=np.int64, count=count)
    order = np.argsort(dst, kind="stable")
    share = np.fromiter((h.share for h in plain), dtype=object, count=count)[order]
    vote = np.fromiter((h.voting_share for h in plain), dtype=object, count=count)[order]
    first = np.fromiter((d.valid_from.toordinal() for d in holdings), dtype=np.int64, count=count)
    last = np.fromiter(
        (_OPEN if d.valid_to is None else d.valid_to.toordinal() for d in holdings),
        dtype=np.int64,
        count=count,
    )
    index = HoldingIndex(
        names=list(numbers), index=numbers, src=src[order], dst=dst[order], share=share, vote=vote
    )
    return DatedIndex(
        index=index,
        valid_from=first[order],
        valid_to=last[order],
        holdings=[plain[int(i)] for i in order],
        units=_units(share, vote),
    )


def _units(share: ObjArray, vote: ObjArray) -> tuple[IntArray, IntArray] | None:
    """Shares and votes as exact integers of 10**-UNIT_PLACES (None when one has more places)."""
    values = [*share.tolist(), *vote.tolist()]
    if any(v.as_tuple().exponent < -UNIT_PLACES for v in values):
        return None
    with exact_context():
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
