"""The parent's view on one date from the dated register: the engine's result and the date control began.

`ownership_on` is what the as-of view of the service computes. The register comes as columns
(`RegisterColumns`, the rows as read) and is numbered once (`index_register`); that numbering gives the
holdings in force on the date to the engine (`ownership_in`) and the part of the register the parent can
reach to `controls_since_in`. When a rule that holds on every date is broken somewhere in the register, it
falls back to lists of holdings (`compute_ownership`, `controls_since`), which report a broken rule only on
the dates they evaluate: both paths give the same answers and the same errors.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, compress

import numpy as np
import numpy.typing as npt

from app.ownership.domain.dated_index import DatedIndex, RegisterColumns, index_register
from app.ownership.domain.engine import compute_ownership, ownership_in
from app.ownership.domain.graph import reachable_from
from app.ownership.domain.history import controls_since, controls_since_in, in_force_on
from app.ownership.domain.model import (
    SUBSIDIARY,
    DatedHolding,
    DatedMethodOverride,
    Holding,
    MethodOverride,
    OwnershipResult,
)
from app.ownership.domain.validation import check_overrides

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DatedOwnership:
    """The parent's view on a date.

    `in_force`: the places in the register's columns of the holdings in force that day, in register order;
    `named`: every entity those holdings name, with the parent and the ultimate parent.
    """

    result: OwnershipResult
    control_since: dict[str, date]
    in_force: list[int]
    named: frozenset[str]


def ownership_on(
    *, parent: str, register: RegisterColumns, overrides: Sequence[DatedMethodOverride], as_of: date
) -> DatedOwnership:
    """`compute_ownership` on the holdings and overrides in force on `as_of`, with `controls_since` over the
    register (every stake started by `as_of`). Raises what those raise."""
    overrides_now = [o.override for o in overrides if in_force_on(o.valid_from, o.valid_to, as_of)]
    numbered = index_register(register, parent=parent)
    if numbered is None:
        return _by_holdings(
            parent=parent, register=register, overrides=overrides, overrides_now=overrides_now, as_of=as_of
        )
    check_overrides(parent=parent, overrides=overrides_now)
    index = numbered.on(as_of)
    result = ownership_in(index, overrides=overrides_now)
    since: dict[str, date] = {}
    if any(e.method == SUBSIDIARY for e in result.entities):
        since = controls_since_in(_reachable_part(numbered), latest=result, as_of=as_of, overrides=overrides)
    named = compress(index.names, _named_mask(index.size, index.src, index.dst).tolist())
    return DatedOwnership(
        result=result,
        control_since=since,
        in_force=_register_places(numbered, as_of),
        named=frozenset(chain(named, (parent, result.ultimate_parent))),
    )


def _register_places(register: DatedIndex, day: date) -> list[int]:
    """The places in the register's columns of the holdings in force on `day`, in register order."""
    kept = register.in_force(day)
    if kept.size == register.position.size:  # all of them: no sort needed
        return list(range(kept.size))
    places: list[int] = np.sort(register.position[kept]).tolist()
    return places


def _named_mask(size: int, src: IntArray, dst: IntArray) -> npt.NDArray[np.bool_]:
    """Which of `size` entities a holding (`src` holder, `dst` investee) names."""
    named = np.zeros(size, dtype=bool)
    named[src] = True
    named[dst] = True
    return named


def _reachable_part(register: DatedIndex) -> DatedIndex:
    """The holdings of the entities the parent (entity 0) reaches through holdings of any date, as
    `for_history` keeps them."""
    index = register.index
    reach = reachable_from(n=index.size, src=index.src, dst=index.dst, root=0)
    keep = reach[index.src]
    return register if bool(keep.all()) else register.restricted(keep)


def _by_holdings(
    *,
    parent: str,
    register: RegisterColumns,
    overrides: Sequence[DatedMethodOverride],
    overrides_now: Sequence[MethodOverride],
    as_of: date,
) -> DatedOwnership:
    dated = [register.dated(p) for p in range(len(register.holders))]
    in_force = [p for p, d in enumerate(dated) if in_force_on(d.valid_from, d.valid_to, as_of)]
    holdings = [dated[p].holding for p in in_force]
    result = compute_ownership(parent=parent, holdings=holdings, overrides=overrides_now)
    since: dict[str, date] = {}
    if any(e.method == SUBSIDIARY for e in result.entities):
        since = controls_since(
            parent=parent,
            holdings=for_history(parent, dated, reached=[e.entity for e in result.entities]),
            overrides=overrides,
            as_of=as_of,
            latest=result,
        )
    named = {h.holder for h in holdings} | {h.investee for h in holdings}
    return DatedOwnership(
        result=result,
        control_since=since,
        in_force=in_force,
        named=frozenset(named | {parent, result.ultimate_parent}),
    )


def _ever_reachable(parent: str, holdings: Sequence[DatedHolding]) -> set[str]:
    """Entities the parent reaches through holdings of any date: only their holdings affect its view."""
    out_edges: dict[str, set[str]] = {}
    for dated in holdings:
        out_edges.setdefault(dated.holding.holder, set()).add(dated.holding.investee)
    seen = {parent}
    frontier = [parent]
    while frontier:
        for investee in out_edges.get(frontier.pop(), ()):
            if investee not in seen:
                seen.add(investee)
                frontier.append(investee)
    return seen


def for_history(
    parent: str, dated: Sequence[DatedHolding], *, reached: Collection[str] = ()
) -> list[DatedHolding]:
    """The holdings the parent's history needs (`controls_since`, `method_history`): those of every entity
    the parent reaches through holdings of any date (the rest of the register cannot change its view).

    `reached` is what the parent is known to reach (on the as-of date: the engine's result). When no
    holding leads out of it, it is closed, so it is exactly that set and one pass suffices; the register
    is walked as a graph only when a holding of another date does lead further.
    """
    seen = {parent, *reached}
    if any(d.holding.holder in seen and d.holding.investee not in seen for d in dated):
        seen = _ever_reachable(parent, dated)
    return [d for d in dated if d.holding.holder in seen]


def holdings_at(register: RegisterColumns, positions: Sequence[int]) -> list[Holding]:
    """The holdings at `positions` of the register's columns."""
    return [register.holding(p) for p in positions]
