"""Control: who decides the method (DOMAIN Part 2 §1.5), and who controls the parent from above.

Control % of P in X = the votes in X held by P and by every entity P controls. It is the least fixed point of
"start with {P}, add every entity whose control % exceeds 50%, repeat": holdings of associates do not count.
Votes are exact `Decimal`s and only ever added, so the result is exact. The rounds run vectorised: each one
adds the votes of the entities that became controlled in the previous one, so the total work is one pass over
the votes of controlled holders.

Overrides take part: an entity overridden to "subsidiary" counts as controlled from the start (its votes then
count for its investees), one overridden to anything else never becomes controlled.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ownership.domain.decimals import HALF, ZERO, exact_context
from app.ownership.domain.graph import gather_out_edges, order_by, sorted_unique

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Control:
    """`control[j]` is the exact control share of entity j; `controlled[j]` whether the root controls it."""

    control: npt.NDArray[Any]
    controlled: BoolArray


def control_fixed_point(
    *,
    n: int,
    src: IntArray,
    dst: IntArray,
    vote: npt.NDArray[Any],
    root: int,
    forced_in: Sequence[int] = (),
    forced_out: Sequence[int] = (),
    half: Decimal | int = HALF,
) -> Control:
    """The §1.5 fixed point from `root` (its own control share is reported as 1 by the caller).

    `vote` holds Decimals, or exact integers of some unit with `half` one half in that unit (then `control`
    is in that unit too): integer sums run in numpy without a Python call per vote.
    """
    order = np.argsort(src, kind="stable")
    o_dst, o_vote = dst[order], vote[order]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n)))).astype(np.int64)
    control: npt.NDArray[Any] = (
        np.zeros(n, dtype=np.int64) if vote.dtype == np.int64 else np.full(n, ZERO, dtype=object)
    )
    controlled = np.zeros(n, dtype=bool)
    blocked = np.zeros(n, dtype=bool)
    blocked[np.asarray(forced_out, dtype=np.int64)] = True
    blocked[root] = False
    newly = sorted_unique(np.asarray([root, *forced_in], dtype=np.int64))
    newly = newly[~blocked[newly]]
    controlled[newly] = True
    with exact_context():
        while newly.size:
            edges = gather_out_edges(indptr, newly)
            if edges.size == 0:
                break
            targets = o_dst[edges]
            np.add.at(control, targets, o_vote[edges])
            candidates = sorted_unique(targets)
            candidates = candidates[~controlled[candidates] & ~blocked[candidates]]
            newly = candidates[np.asarray(control[candidates] > half, dtype=bool)]
            controlled[newly] = True
    return Control(control=control, controlled=controlled)


def ultimate_parent(
    *, names: Sequence[str], src: IntArray, dst: IntArray, vote: ObjArray, parent: int, controlled: BoolArray
) -> int:
    """The top entity that controls `parent` (by the §1.5 rule, no overrides), or `parent` itself.

    Candidates are the entities with a voting path into the parent that does not pass through an entity the
    parent controls: an entity controlled by the parent can only be part of someone's control over the
    parent through circular control, which names no controller. Control is transitive, so every controller
    of a controller of P controls P: the answer is the controller whose controlled set holds all the others.
    Circular control at the top (two holding companies controlling each other) resolves to the smallest id.
    """
    with exact_context():
        has_vote = np.asarray(vote > ZERO, dtype=bool)
    by_investee = np.flatnonzero(has_vote)[order_by(dst[has_vote])]
    indptr = np.searchsorted(dst[by_investee], np.arange(len(names) + 1))
    holders_of: dict[int, list[tuple[int, Decimal]]] = {}

    def holders(node: int) -> list[tuple[int, Decimal]]:
        if node not in holders_of:
            edges = by_investee[indptr[node] : indptr[node + 1]]
            holders_of[node] = list(zip(src[edges].tolist(), vote[edges], strict=True))
        return holders_of[node]

    candidates: set[int] = set()
    queue = deque([parent])
    while queue:
        node = queue.popleft()
        for holder, _ in holders(node):
            if holder != parent and holder not in candidates and not controlled[holder]:
                candidates.add(holder)
                queue.append(holder)
    if not candidates:
        return parent
    scope = candidates | {parent}
    out: dict[int, list[tuple[int, Decimal]]] = {}
    for investee in scope:
        for holder, v in holders(investee):
            if holder in scope:
                out.setdefault(holder, []).append((investee, v))
    reach = {u: _controlled_set(u, out) for u in sorted(candidates, key=lambda u: names[u])}
    controllers = [u for u, members in reach.items() if parent in members]
    if not controllers:
        return parent
    covering = [u for u in controllers if set(controllers) <= reach[u]]
    pool = covering or sorted(controllers, key=lambda u: -len(reach[u] & set(controllers)))[:1]
    return min(pool, key=lambda u: names[u])


def _controlled_set(root: int, out: dict[int, list[tuple[int, Decimal]]]) -> set[int]:
    """The §1.5 fixed point on a small graph, as a plain worklist."""
    control: dict[int, Decimal] = {}
    members = {root}
    queue = deque([root])
    with exact_context():
        while queue:
            holder = queue.popleft()
            for investee, v in out.get(holder, []):
                control[investee] = control.get(investee, ZERO) + v
                if investee not in members and control[investee] > HALF:
                    members.add(investee)
                    queue.append(investee)
    return members
