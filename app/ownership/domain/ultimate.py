"""Ultimate-owner normalised view (DOMAIN Part 2 §1.4b, RF "pourcentage d'intérêt").

Every entity's capital not recorded in the holdings (1 - Σ recorded holders) belongs to that entity's own
shareholders outside the data: the absorbing nodes. For `group_owner` (and any entity listed in `group`)
those shareholders are "the group" (the RF "Mère" column); for every other entity they are "outside"
(Hors groupe). An entity nobody holds (a person, a fund) so owns itself entirely.

With r the vector of those remainders, 1ᵀ(I - A) = rᵀ, hence rᵀ(I - A)^-1 = 1ᵀ: every company's capital is
fully traced back to the absorbing holders, and group + outside = 1 for every company, cycles included.
Holdings of the group owner's own shares are kept here (this is the convention where they matter); the
accounting view of `compute_ownership` treats them as treasury shares instead.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

import numpy as np

from app.ownership.domain.decimals import ONE, ZERO, exact_context, quantize10
from app.ownership.domain.errors import OwnershipNumericalError
from app.ownership.domain.matrix import propagate
from app.ownership.domain.model import Holding, UltimateOwnership, UltimateOwnerView
from app.ownership.domain.validation import index_holdings

_SUM_TOLERANCE = Decimal("1e-9")


def ultimate_owner_view(
    *,
    holdings: Sequence[Holding],
    group_owner: str,
    group: Collection[str] = (),
    detail_for: Collection[str] = (),
) -> UltimateOwnerView:
    """For every entity named in `holdings` (and those passed here): the share ultimately held by the group.

    - `group_owner`: the group's top entity; its unrecorded shareholders are the group (C-14a: "P";
      C-14d: "UserA", a person nobody holds).
    - `group`: further entities whose unrecorded shareholders also count as the group (e.g. the members of a
      controlling family recorded as separate holders).
    - `detail_for`: entities whose own unrecorded shareholders get a separate column (`by_owner`), e.g.
      ["UserA", "UserB"] to see that UserA owns 2/3 of CompanyA and UserB 1/3.
    `group` is computed, `outside` = 1 - `group` after rounding, so the two add up to exactly 1; `outside` is
    also computed independently and must agree to 1e-9, or `OwnershipNumericalError` is raised.
    Raises `OwnershipValidationError`, `OwnershipCycleError` (companies holding all of each other's capital:
    their capital traces back to nobody) and `OwnershipNumericalError`.
    """
    owners = list(dict.fromkeys([group_owner, *group]))
    details = list(dict.fromkeys(detail_for))
    index = index_holdings(holdings, entities=[*owners, *details])
    size = index.size
    with exact_context():
        held = np.full(size, ZERO, dtype=object)
        np.add.at(held, index.dst, index.share)
        remainder = ONE - held
        in_group = np.zeros(size, dtype=bool)
        in_group[[index.index[o] for o in owners]] = True
        sources = np.full((size, 2 + len(details)), ZERO, dtype=object)
        sources[in_group, 0] = remainder[in_group]
        sources[~in_group, 1] = remainder[~in_group]
        for column, name in enumerate(details, start=2):
            number = index.index[name]
            sources[number, column] = remainder[number]
        capital = np.asarray(index.share > ZERO, dtype=bool)
    result = propagate(
        names=index.names,
        src=index.src[capital],
        dst=index.dst[capital],
        weight=index.share[capital],
        sources=sources,
    )
    companies = []
    for j in sorted(range(size), key=index.names.__getitem__):
        group_value, outside_value = result.values[j, 0], result.values[j, 1]
        with exact_context():
            gap = abs(group_value + outside_value - ONE)
        if gap > _SUM_TOLERANCE:
            raise OwnershipNumericalError(
                entities=[index.names[j]], reason=f"group and outside shares add up to 1 ± {gap}"
            )
        group_share = quantize10(group_value)
        companies.append(
            UltimateOwnership(
                company=index.names[j],
                group=group_share,
                outside=ONE - group_share,
                exact=bool(result.exact[j]),
                by_owner=tuple(
                    (name, quantize10(result.values[j, column]))
                    for column, name in enumerate(details, start=2)
                ),
            )
        )
    return UltimateOwnerView(group_owners=tuple(owners), companies=tuple(companies))
