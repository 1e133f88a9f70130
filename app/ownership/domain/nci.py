"""Group share in associates (IAS 28.27, DOMAIN §1.7) and the direct/indirect NCI split (§1.8).

For every entity X other than the parent, with interest(X) = Σ_h interest(h)·share(h, X):
- group_holding(X) = Σ share(h, X) over h in G = {parent} ∪ subsidiaries: the holdings of associates and joint
  ventures are ignored and a partly owned subsidiary's stake counts in full (EY Example 11.10: 25%, not
  25% + 10% + 10%);
- group_share(X) = Σ interest(h)·share(h, X) over h in G: what of that reaches the parent's owners (computed
  for entities outside G only; for the parent and its subsidiaries the engine reports the interest share);
- nci_direct(X) = 1 - Σ share(h, X) over holders h with interest(h) > 0 (or h = parent): owners the parent
  has no interest in at all;
- nci_indirect(X) = Σ (1 - interest(h))·share(h, X) over the same holders = nci_share - nci_direct, the
  outside owners of partly owned intermediate holders (chain 80%, 60%: direct 40%, indirect 20% × 60% = 12%).
Counting associates among the intermediate holders keeps nci_indirect >= 0: with only subsidiaries counted,
C-14b's C2 (80% by P, 7% by the 30% associate C3, interest 82.1%) would show an indirect NCI of -2.1%.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ownership.domain.decimals import ZERO, exact_context
from app.ownership.domain.graph import order_by

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Attribution:
    """Per entity (exact): `group_holding`, `group_share` (attributable) and `held_by_owners` (see module);
    `group_holding` and `held_by_owners` are integer units when `attribute` summed units."""

    group_holding: npt.NDArray[Any]
    group_share: ObjArray
    held_by_owners: npt.NDArray[Any]


def attribute(
    *,
    n: int,
    src: IntArray,
    dst: IntArray,
    share: ObjArray,
    interest: ObjArray,
    group: BoolArray,
    owners: BoolArray,
    share_units: IntArray | None = None,
) -> Attribution:
    """Sums over each entity's holders (`group`: {parent} ∪ subsidiaries; `owners`: interest > 0, parent).

    With `share_units` (the shares as exact integers of some unit) `group_holding` and `held_by_owners`
    are summed in numpy and come back as integers of that unit.
    """
    zero, summed_type = (ZERO, object) if share_units is None else (0, np.int64)
    group_holding = np.full(n, zero, dtype=summed_type)
    group_share = np.full(n, ZERO, dtype=object)
    held_by_owners = np.full(n, zero, dtype=summed_type)
    if not len(src):
        return Attribution(
            group_holding=group_holding, group_share=group_share, held_by_owners=held_by_owners
        )
    order = order_by(dst)
    by_investee = dst[order]
    starts = np.flatnonzero(np.concatenate(([True], by_investee[1:] != by_investee[:-1])))
    investees = by_investee[starts]
    holders, held = src[order], share[order]
    in_group = group[holders]
    summed = held if share_units is None else share_units[order]
    with exact_context():
        group_holding[investees] = np.add.reduceat(_masked(summed, in_group), starts)
        # only needed outside the consolidated group: subsidiaries report their interest share instead
        wanted = in_group & ~group[by_investee]
        through_group = np.full(len(held), ZERO, dtype=object)
        through_group[wanted] = interest[holders[wanted]] * held[wanted]
        group_share[investees] = np.add.reduceat(through_group, starts)
        held_by_owners[investees] = np.add.reduceat(_masked(summed, owners[holders]), starts)
    return Attribution(group_holding=group_holding, group_share=group_share, held_by_owners=held_by_owners)


def _masked(values: npt.NDArray[Any], mask: BoolArray) -> npt.NDArray[Any]:
    """`values` where `mask`, zero (Decimal, or integer for integer values) elsewhere."""
    if values.dtype == np.int64:
        return np.where(mask, values, 0)
    out = np.full(len(values), ZERO, dtype=object)
    out[mask] = values[mask]
    return out
