"""Method selection from the control share (DOMAIN Part 2 §1.6) and documented overrides.

Rule (exact comparisons): control > 50% -> subsidiary; 20% <= control <= 50% -> associate (exactly 50% is
not control); below 20% -> investment. The rule never proposes "joint_venture": joint control comes from a
contractual arrangement the shares do not show, so it only ever arrives as an override, like de-facto
control, which IFRS 10 allows against the >50% presumption when documented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ownership.domain.decimals import FIFTH, HALF, exact_context
from app.ownership.domain.model import ASSOCIATE, INVESTMENT, SUBSIDIARY, MethodOverride


def method_for_control(control: Decimal) -> str:
    """The method the control share alone gives."""
    if control > HALF:
        return SUBSIDIARY
    if control >= FIFTH:
        return ASSOCIATE
    return INVESTMENT


_BY_RANK = np.array([INVESTMENT, ASSOCIATE, SUBSIDIARY], dtype=object)


def methods_for_controls(
    controls: npt.NDArray[Any], *, half: Decimal | int = HALF, fifth: Decimal | int = FIFTH
) -> list[str]:
    """`method_for_control` over an array of exact control shares, compared in C (`half`, `fifth`: those
    fractions in the unit of `controls`, when they are integers)."""
    with exact_context():
        rank = np.asarray(controls >= fifth, dtype=np.int64) + np.asarray(controls > half, dtype=np.int64)
    methods: list[str] = _BY_RANK[rank].tolist()
    return methods


def subsidiary_controls(controls: npt.NDArray[Any], *, half: Decimal | int = HALF) -> npt.NDArray[np.bool_]:
    """Where the control share alone gives a subsidiary (the rule of `method_for_control`), compared in C
    (`half`: one half in the unit of `controls`, when they are integers)."""
    with exact_context():
        return np.asarray(controls > half, dtype=bool)


def split_overrides(
    *, overrides: Sequence[MethodOverride], index: Mapping[str, int], local: npt.NDArray[np.int64]
) -> tuple[dict[int, MethodOverride], tuple[MethodOverride, ...]]:
    """Overrides keyed by local entity number (`local[global]`, -1 when unreachable), and the ones naming
    entities the parent does not reach (they are reported, not applied)."""
    applied: dict[int, MethodOverride] = {}
    ignored: list[MethodOverride] = []
    for override in overrides:
        number = index.get(override.entity)
        position = int(local[number]) if number is not None else -1
        if position < 0:
            ignored.append(override)
        else:
            applied[position] = override
    return applied, tuple(ignored)
