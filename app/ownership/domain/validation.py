"""Input rules for holdings and overrides (DOMAIN Part 1, "Equity stakes and ownership").

One pass over the holdings both checks them and numbers the entities, because on a 10,000-entity group
the pass itself is a visible part of the run time. Every violation is collected before anything is raised.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from app.ownership.domain.decimals import ONE, ZERO, exact_context
from app.ownership.domain.errors import OwnershipValidationError, Violation
from app.ownership.domain.graph import sorted_unique
from app.ownership.domain.model import OVERRIDABLE_METHODS, Holding, MethodOverride

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class HoldingIndex:
    """Holdings as parallel arrays over entity numbers 0..n-1, sorted by investee (`dst`), stably."""

    names: list[str]
    index: dict[str, int]
    src: IntArray
    dst: IntArray
    share: ObjArray
    vote: ObjArray
    #: `share` and `vote` as exact integers of 10**-12, when the caller has them (a dated register's days)
    units: tuple[IntArray, IntArray] | None = None

    @property
    def size(self) -> int:
        return len(self.names)


def _unit_problem(value: object) -> str | None:
    if not isinstance(value, Decimal):
        return f"must be a Decimal, got {type(value).__name__}"
    if not value.is_finite():
        return "must be a finite number"
    if value < ZERO or value > ONE:
        return f"must lie between 0 and 1, got {value}"
    return None


def _columns(
    holdings: Sequence[Holding],
) -> tuple[Sequence[str], Sequence[str], Sequence[Decimal], Sequence[Decimal]]:
    """Holders, investees, shares and votes, transposed in one C loop (holdings are named tuples)."""
    if not holdings:
        return (), (), (), ()
    holders, investees, shares, votes = zip(*holdings, strict=True)
    return holders, investees, shares, votes


def index_holdings(holdings: Sequence[Holding], *, entities: Iterable[str] = ()) -> HoldingIndex:
    """Check every holding and number the entities (`entities` first, then holders, then investees).

    Raises `OwnershipValidationError` listing every violation: a share or vote outside 0..1 (or not a
    Decimal), a holder holding itself, the same (holder, investee) twice, and capital or votes of an investee
    allocated above 100%. The checks run vectorised; only when one fails does a per-holding pass collect
    the violations with their names.
    """
    holders, investees, shares, votes = _columns(holdings)
    unique_names = dict.fromkeys([*entities, *holders, *investees])
    index = dict(zip(unique_names, range(len(unique_names)), strict=True))
    count = len(holders)
    src = np.fromiter(map(index.__getitem__, holders), dtype=np.int64, count=count)
    dst = np.fromiter(map(index.__getitem__, investees), dtype=np.int64, count=count)
    share_arr = np.fromiter(shares, dtype=object, count=count)
    vote_arr = np.fromiter(votes, dtype=object, count=count)
    names = list(index)
    order = np.argsort(dst, kind="stable")
    if not _all_valid(len(names), src, dst, order, shares, votes, share_arr, vote_arr):
        raise OwnershipValidationError(violations_of(holdings))
    return HoldingIndex(
        names=names, index=index, src=src[order], dst=dst[order], share=share_arr[order], vote=vote_arr[order]
    )


def _all_valid(
    n: int,
    src: IntArray,
    dst: IntArray,
    order: IntArray,
    shares: Sequence[Decimal],
    votes: Sequence[Decimal],
    share_arr: ObjArray,
    vote_arr: ObjArray,
) -> bool:
    """True when no rule is broken. Shares >= 0 with column sums <= 1 are each <= 1 as well; a NaN makes a
    comparison signal InvalidOperation and an infinity breaks a bound, so neither needs its own pass."""
    if not set(map(type, shares)) | set(map(type, votes)) <= {Decimal}:
        return False
    if bool(np.any(src == dst)) or sorted_unique(src * n + dst).size != src.size:
        return False
    if not src.size:
        return True
    sorted_dst = dst[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_dst[1:] != sorted_dst[:-1])))
    try:
        with exact_context():
            for values, array in ((shares, share_arr), (votes, vote_arr)):
                if min(values) < ZERO or bool(np.any(np.add.reduceat(array[order], starts) > ONE)):
                    return False
    except decimal.InvalidOperation:
        return False
    return True


def violations_of(holdings: Iterable[Holding]) -> list[Violation]:
    """Every violation, named; the slow path behind `index_holdings`."""
    seen: set[tuple[str, str]] = set()
    share_sum: dict[str, Decimal] = {}
    vote_sum: dict[str, Decimal] = {}
    violations: list[Violation] = []
    with exact_context():
        for holding in holdings:
            holder, investee = holding.holder, holding.investee
            ok = True
            for label, value in (("share", holding.share), ("voting_share", holding.voting_share)):
                problem = _unit_problem(value)
                if problem is not None:
                    ok = False
                    violations.append(
                        Violation(
                            f"{label}_out_of_range",
                            f"{holder} -> {investee}: {label} {problem}",
                            holder=holder,
                            investee=investee,
                        )
                    )
            if holder == investee:
                ok = False
                violations.append(Violation("self_holding", f"{holder} cannot hold itself", holder, investee))
            if (holder, investee) in seen:
                ok = False
                violations.append(
                    Violation("duplicate_holding", f"{holder} -> {investee} is given twice", holder, investee)
                )
            seen.add((holder, investee))
            if ok:
                share_sum[investee] = share_sum.get(investee, ZERO) + holding.share
                vote_sum[investee] = vote_sum.get(investee, ZERO) + holding.voting_share
    for label, sums in (("shares", share_sum), ("votes", vote_sum)):
        for investee, total in sums.items():
            if total > ONE:
                violations.append(
                    Violation(
                        f"{label}_over_allocated",
                        f"{label} held in {investee} add up to {total}, more than 1",
                        investee=investee,
                    )
                )
    return violations


def check_overrides(*, parent: str, overrides: Sequence[MethodOverride]) -> None:
    """Overrides name a known method, never the parent, once per entity; raises with every violation."""
    violations: list[Violation] = []
    seen: set[str] = set()
    for override in overrides:
        if override.method not in OVERRIDABLE_METHODS:
            violations.append(
                Violation(
                    "unknown_method",
                    f"override of {override.entity}: method {override.method!r} is not one of "
                    f"{', '.join(sorted(OVERRIDABLE_METHODS))}",
                    entity=override.entity,
                )
            )
        if override.entity == parent:
            violations.append(
                Violation("parent_override", f"the parent {parent} cannot be overridden", entity=parent)
            )
        if override.entity in seen:
            violations.append(
                Violation(
                    "duplicate_override", f"{override.entity} is overridden twice", entity=override.entity
                )
            )
        seen.add(override.entity)
        if not override.reason.strip():
            violations.append(
                Violation(
                    "override_without_reason",
                    f"override of {override.entity} gives no reason",
                    entity=override.entity,
                )
            )
    if violations:
        raise OwnershipValidationError(violations)
