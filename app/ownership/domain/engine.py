"""The ownership engine: from the direct holdings in force to the parent's view of every entity it reaches.

Steps (DOMAIN Part 2 §1): validate; drop holdings of the parent's own shares (treasury shares, §1.4a); keep
what the parent reaches through any holding; interest shares by the matrix formula component by component
(`matrix`); control shares by the fixed point (`control`); method by rule and override (`methods`); group
share and NCI split (`nci`); the ultimate parent above the parent (`control`).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from app.ownership.domain.control import Control, control_fixed_point, ultimate_parent
from app.ownership.domain.decimals import (
    HALF,
    ONE,
    UNIT_FIFTH,
    UNIT_HALF,
    ZERO,
    exact_context,
    quantize10,
    quantize_all,
    units_to_ten_places,
)
from app.ownership.domain.graph import reachable_from
from app.ownership.domain.matrix import propagate
from app.ownership.domain.methods import methods_for_controls, split_overrides, subsidiary_controls
from app.ownership.domain.model import (
    PARENT,
    SUBSIDIARY,
    EntityOwnership,
    Holding,
    MethodOverride,
    OwnershipResult,
)
from app.ownership.domain.nci import Attribution, attribute
from app.ownership.domain.validation import HoldingIndex, check_overrides, index_holdings

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class _Scope:
    """The part of the holding graph the parent reaches, renumbered 0..m-1 with the parent as 0."""

    names: list[str]
    global_ids: IntArray
    local: IntArray
    src: IntArray
    dst: IntArray
    share: ObjArray
    vote: ObjArray
    interest: ObjArray
    exact: npt.NDArray[np.bool_]
    cycles: tuple[tuple[str, ...], ...]
    #: `share` and `vote` as exact integers of 10**-12, when the index has them
    units: tuple[IntArray, IntArray] | None = None


@dataclass(frozen=True)
class _Reached:
    """The holdings among what the parent reaches, renumbered 0..m-1 with the parent as 0 (`capital`: the
    holdings with a capital share, the rest carry votes only)."""

    global_ids: IntArray
    local: IntArray
    src: IntArray
    dst: IntArray
    share: ObjArray
    vote: ObjArray
    capital: npt.NDArray[np.bool_]
    #: the shares and votes as exact integers of 10**-12, when the index has them
    units: tuple[IntArray, IntArray] | None = None

    @property
    def vote_units(self) -> IntArray | None:
        return None if self.units is None else self.units[1]


def _reached(index: HoldingIndex, parent: int) -> _Reached:
    if index.units is not None:
        has_share, has_vote = index.units[0] > 0, index.units[1] > 0
    else:
        with exact_context():
            has_share = np.asarray(index.share > ZERO, dtype=bool)
            has_vote = np.asarray(index.vote > ZERO, dtype=bool)
    active = (has_share | has_vote) & (index.dst != parent)
    reach = reachable_from(n=index.size, src=index.src[active], dst=index.dst[active], root=parent)
    reach[parent] = False
    global_ids = np.concatenate(([parent], np.flatnonzero(reach))).astype(np.int64)
    reach[parent] = True
    local = np.full(index.size, -1, dtype=np.int64)
    local[global_ids] = np.arange(len(global_ids), dtype=np.int64)
    keep = active & reach[index.src]
    return _Reached(
        global_ids=global_ids,
        local=local,
        src=local[index.src[keep]],
        dst=local[index.dst[keep]],
        share=index.share[keep],
        vote=index.vote[keep],
        capital=has_share[keep],
        units=None if index.units is None else (index.units[0][keep], index.units[1][keep]),
    )


def _scope(index: HoldingIndex, parent: int) -> _Scope:
    reached = _reached(index, parent)
    names = list(map(index.names.__getitem__, reached.global_ids.tolist()))
    src, dst, share, capital = reached.src, reached.dst, reached.share, reached.capital
    sources = np.full((len(names), 1), ZERO, dtype=object)
    sources[0, 0] = ONE
    result = propagate(
        names=names, src=src[capital], dst=dst[capital], weight=share[capital], sources=sources
    )
    cycles = tuple(sorted(tuple(sorted(names[int(m)] for m in members)) for members in result.cycles))
    return _Scope(
        names=names,
        global_ids=reached.global_ids,
        local=reached.local,
        src=src,
        dst=dst,
        share=share,
        vote=reached.vote,
        interest=result.values[:, 0],
        exact=result.exact,
        cycles=cycles,
        units=reached.units,
    )


def subsidiaries_of(
    *, parent: str, holdings: Sequence[Holding], overrides: Sequence[MethodOverride] = ()
) -> frozenset[str]:
    """The entities whose method under `parent` is subsidiary (overrides applied), as `compute_ownership`
    decides them, without interest shares, NCI or rows: all that the dates control began need.

    Raises what `compute_ownership` raises for invalid holdings or overrides. Interest shares are not
    computed, so a closed cycle (which only they cannot resolve) is not an error here.
    """
    check_overrides(parent=parent, overrides=overrides)
    return subsidiaries_in(index_holdings(holdings, entities=[parent]), overrides=overrides)


def subsidiaries_in(index: HoldingIndex, *, overrides: Sequence[MethodOverride] = ()) -> frozenset[str]:
    """`subsidiaries_of` on holdings already checked and numbered, the parent as entity 0 (overrides
    checked by the caller)."""
    return frozenset(index.names[g] for g in subsidiary_numbers(index, overrides=overrides).tolist())


def subsidiary_numbers(index: HoldingIndex, *, overrides: Sequence[MethodOverride] = ()) -> IntArray:
    """The entity numbers (`index.names` positions) of the subsidiaries `subsidiaries_in` names."""
    reached = _reached(index, 0)
    applied, _ = split_overrides(overrides=overrides, index=index.index, local=reached.local)
    exact_units = reached.vote_units is not None
    control = control_fixed_point(
        n=len(reached.global_ids),
        src=reached.src,
        dst=reached.dst,
        vote=reached.vote if reached.vote_units is None else reached.vote_units,
        root=0,
        forced_in=[i for i, o in applied.items() if o.method == SUBSIDIARY],
        forced_out=[i for i, o in applied.items() if o.method != SUBSIDIARY],
        half=UNIT_HALF if exact_units else HALF,
    )
    subsidiary = subsidiary_controls(control.control, half=UNIT_HALF if exact_units else HALF)
    for local, override in applied.items():
        subsidiary[local] = override.method == SUBSIDIARY
    subsidiary[0] = False
    return np.asarray(reached.global_ids[subsidiary], dtype=np.int64)


def interest_matrix_row(*, parent: str, holdings: Sequence[Holding]) -> dict[str, Decimal]:
    """Row `parent` of (I - A)^-1 with the holdings of the parent's own shares dropped (§1.3, §1.4a).

    That is the parent's interest share in every entity it reaches (1 for itself), rounded to ten places,
    without control, methods or NCI: the cheap call for callers that only need percentages.
    Raises like `compute_ownership`.
    """
    index = index_holdings(holdings, entities=[parent])
    scope = _scope(index, 0)
    return {name: quantize10(value) for name, value in zip(scope.names, scope.interest, strict=True)}


def compute_ownership(
    *, parent: str, holdings: Sequence[Holding], overrides: Sequence[MethodOverride] = ()
) -> OwnershipResult:
    """The parent's control, interest, method, group share and NCI for every entity it reaches.

    Overrides naming entities the parent does not reach are not applied; they come back in
    `ignored_overrides`. Raises `OwnershipValidationError` (every broken input rule at once),
    `OwnershipCycleError` (companies holding all of each other's capital) and `OwnershipNumericalError`
    (a cycle too ill-conditioned to solve).
    """
    check_overrides(parent=parent, overrides=overrides)
    return ownership_in(index_holdings(holdings, entities=[parent]), overrides=overrides)


def ownership_in(index: HoldingIndex, *, overrides: Sequence[MethodOverride] = ()) -> OwnershipResult:
    """`compute_ownership` on holdings already checked and numbered, the parent as entity 0 (overrides
    checked by the caller). Entities of the numbering that no holding names are simply not reached."""
    parent = index.names[0]
    scope = _scope(index, 0)
    size = len(scope.names)
    applied, ignored = split_overrides(overrides=overrides, index=index.index, local=scope.local)
    control = control_fixed_point(
        n=size,
        src=scope.src,
        dst=scope.dst,
        vote=scope.vote if scope.units is None else scope.units[1],
        root=0,
        forced_in=[i for i, o in applied.items() if o.method == SUBSIDIARY],
        forced_out=[i for i, o in applied.items() if o.method != SUBSIDIARY],
        half=HALF if scope.units is None else UNIT_HALF,
    )
    with exact_context():
        owners = np.asarray(scope.interest > ZERO, dtype=bool)
    owners[0] = True
    shares = attribute(
        n=size,
        src=scope.src,
        dst=scope.dst,
        share=scope.share,
        interest=scope.interest,
        group=control.controlled,
        owners=owners,
        share_units=None if scope.units is None else scope.units[0],
    )
    controlled_global = np.zeros(index.size, dtype=bool)
    controlled_global[scope.global_ids[control.controlled]] = True
    top = ultimate_parent(
        names=index.names,
        src=index.src,
        dst=index.dst,
        vote=index.vote,
        parent=0,
        controlled=controlled_global,
    )
    rows = [_parent_row(parent), *_entity_rows(scope, control, shares, applied)]
    return OwnershipResult(
        parent=parent,
        entities=tuple(rows),
        ultimate_parent=index.names[top],
        cycles=scope.cycles,
        ignored_overrides=ignored,
    )


def _entity_rows(
    scope: _Scope, control: Control, shares: Attribution, applied: dict[int, MethodOverride]
) -> list[EntityOwnership]:
    """Every entity but the parent, by id, built column by column (a Python loop per field would dominate)."""
    order = np.asarray(sorted(range(1, len(scope.names)), key=scope.names.__getitem__), dtype=np.int64)
    interest = quantize_all(scope.interest[order])
    control_share, group_holding, held, computed = _summed_columns(scope, control, shares, order)
    group_share = list(interest)
    outside = np.flatnonzero(~control.controlled[order])
    for k, value in zip(outside.tolist(), quantize_all(shares.group_share[order[outside]]), strict=True):
        group_share[k] = value
    method = list(computed)
    reasons: list[str | None] = [None] * len(order)
    overridden = [False] * len(order)
    position = np.empty(len(scope.names), dtype=np.int64)
    position[order] = np.arange(len(order), dtype=np.int64)
    for local, override in applied.items():
        method[position[local]] = override.method
        reasons[position[local]] = override.reason
        overridden[position[local]] = True
    return EntityOwnership.from_columns(
        [
            list(map(scope.names.__getitem__, order.tolist())),
            control_share,
            interest,
            list(map(ONE.__sub__, interest)),
            list(map(ONE.__sub__, held)),
            list(map(operator.sub, held, interest)),
            group_share,
            group_holding,
            method,
            computed,
            overridden,
            scope.exact[order].tolist(),
            reasons,
        ]
    )


def _summed_columns(
    scope: _Scope, control: Control, shares: Attribution, order: IntArray
) -> tuple[list[Decimal], list[Decimal], list[Decimal], list[str]]:
    """The control share, group holding and holding of owners at ten places, and the methods the control
    shares give, of the entities in `order`.

    In integer units (when the scope has them) the group holding is converted once and its decimals reused
    where the other two are equal to it, as they are for most entities (votes follow capital, and the
    group's holders are the owners).
    """
    if scope.units is None:
        return (
            quantize_all(control.control[order]),
            quantize_all(shares.group_holding[order]),
            quantize_all(shares.held_by_owners[order]),
            methods_for_controls(control.control[order]),
        )
    holding = shares.group_holding[order]
    group_holding = units_to_ten_places(holding)
    return (
        units_to_ten_places(control.control[order], like=(holding, group_holding)),
        group_holding,
        units_to_ten_places(shares.held_by_owners[order], like=(holding, group_holding)),
        methods_for_controls(control.control[order], half=UNIT_HALF, fifth=UNIT_FIFTH),
    )


def _parent_row(parent: str) -> EntityOwnership:
    one, zero = quantize10(ONE), quantize10(ZERO)
    return EntityOwnership(
        entity=parent,
        control_share=one,
        interest_share=one,
        nci_share=zero,
        nci_direct=zero,
        nci_indirect=zero,
        group_share=one,
        group_holding=one,
        method=PARENT,
        computed_method=PARENT,
        overridden=False,
        exact=True,
    )
