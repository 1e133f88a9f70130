"""Integrated ownership: y = s + y·A solved component by component (DOMAIN Part 2 §1.3).

With A the direct capital matrix (A[i][j] = share of j held by i) and s a source row, y = s·(I - A)^-1, i.e.
(I - A)^T yᵀ = sᵀ. For the parent's interest s = e_P (and the edges into P are dropped first, §1.4a); for the
ultimate-owner view s holds the unrecorded remainder of each entity's capital (§1.4b).

Evaluation runs over the strongly connected components in topological order, one level of the condensation
at a time, with numpy object arrays of `Decimal` so that each level is a handful of vectorised calls:
- an entity outside any cycle gets y_j = s_j + Σ_i y_i·A_ij from entities already done: exact;
- a cyclic component S gets b_S from outside exactly, then (I - A_SS)^T y_S = b_S solved in float64 (dense LU
  up to 256 entities, sparse LU above) with iterative refinement against an exact Decimal residual until the
  correction is below 1e-13. Its values, and everything downstream of it, are flagged inexact.
A component in which every entity's capital is held entirely inside the component has spectral radius 1:
(I - A_SS) is singular and `OwnershipCycleError` is raised instead of looping.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from app.ownership.domain.decimals import ONE, ZERO, exact_context
from app.ownership.domain.errors import OwnershipCycleError, OwnershipNumericalError
from app.ownership.domain.graph import condense, find_cycle

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

DENSE_LIMIT = 256
REFINE_TOLERANCE = 1e-13
MAX_REFINEMENTS = 8
_SHORT = decimal.Context(prec=20)


@dataclass(frozen=True)
class Propagation:
    """`values[j, c]`: unrounded y_j for source column c; `exact[j]`: no float solve went into y_j."""

    values: ObjArray
    exact: BoolArray
    cycles: list[IntArray]


def propagate(
    *, names: Sequence[str], src: IntArray, dst: IntArray, weight: ObjArray, sources: ObjArray
) -> Propagation:
    """Solve y = s + y·A for every column of `sources` (shape n×k, Decimal); values are shares in [0, 1].

    `weight` must be positive (callers drop zero holdings: they would only add edges, and false cycles).

    Raises `OwnershipCycleError` for a closed cycle and `OwnershipNumericalError` when a cycle cannot be
    solved to 1e-13.
    """
    n, width = sources.shape
    with exact_context():
        cond = condense(n=n, src=src, dst=dst)
        level_range = np.arange(cond.levels + 1)
        between = cond.labels[src] != cond.labels[dst]
        order = np.lexsort((dst[between], cond.node_level[dst[between]]))
        e_src, e_dst, e_w = src[between][order], dst[between][order], weight[between][order]
        edge_starts = np.searchsorted(cond.node_level[e_dst], level_range)
        inside = np.argsort(cond.node_level[dst[~between]], kind="stable")
        i_src, i_dst, i_w = src[~between][inside], dst[~between][inside], weight[~between][inside]
        inside_starts = np.searchsorted(cond.node_level[i_dst], level_range)
        cyclic_nodes = cond.order[cond.sizes[cond.labels[cond.order]] > 1]
        cyclic_starts = np.searchsorted(cond.node_level[cyclic_nodes], level_range)
        values = sources.copy()
        exact = np.ones(n, dtype=bool)
        for level in range(cond.levels):
            lo, hi = int(edge_starts[level]), int(edge_starts[level + 1])
            if hi > lo:
                es, ed = e_src[lo:hi], e_dst[lo:hi]
                starts = np.flatnonzero(np.concatenate(([True], ed[1:] != ed[:-1])))
                targets = ed[starts]
                products = values[es] * e_w[lo:hi, None]
                values[targets] = values[targets] + np.add.reduceat(products, starts, axis=0)
                exact[targets] &= np.logical_and.reduceat(exact[es], starts)
            first, last = int(cyclic_starts[level]), int(cyclic_starts[level + 1])
            if last > first:
                members = cyclic_nodes[first:last]
                a, b = int(inside_starts[level]), int(inside_starts[level + 1])
                _solve_components(
                    names=names,
                    members=members,
                    labels=cond.labels[members],
                    values=values,
                    src=i_src[a:b],
                    dst=i_dst[a:b],
                    weight=i_w[a:b],
                    width=width,
                )
                exact[members] = False
    return Propagation(values=values, exact=exact, cycles=cond.cyclic_components())


def _factorise(
    size: int, local_src: IntArray, local_dst: IntArray, weight: FloatArray
) -> Callable[[FloatArray], FloatArray]:
    """A solver for (I - A_SS)^T z = r: dense LU for small components, sparse LU for large ones."""
    if size <= DENSE_LIMIT:
        matrix = np.eye(size)
        np.subtract.at(matrix, (local_dst, local_src), weight)
        lu = la.lu_factor(matrix, check_finite=False)
        return lambda rhs: np.asarray(la.lu_solve(lu, rhs, check_finite=False), dtype=np.float64)
    coupling = sp.csc_array((weight, (local_dst, local_src)), shape=(size, size))
    factor = spla.splu((sp.identity(size, format="csc") - coupling).tocsc())
    return lambda rhs: np.asarray(factor.solve(rhs), dtype=np.float64).reshape(rhs.shape)


def _solve_components(
    *,
    names: Sequence[str],
    members: IntArray,
    labels: IntArray,
    values: ObjArray,
    src: IntArray,
    dst: IntArray,
    weight: ObjArray,
    width: int,
) -> None:
    """Solve every cyclic component of one level at once: they are independent, so one block-diagonal system.

    `members` are grouped by component (`labels`); `src`/`dst`/`weight` are the edges inside the components.
    """
    size = len(members)
    position = np.empty(len(values), dtype=np.int64)
    position[members] = np.arange(size, dtype=np.int64)
    local_src, local_dst = position[src], position[dst]
    held_inside = np.full(size, ZERO, dtype=object)
    np.add.at(held_inside, local_dst, weight)
    component_starts = np.flatnonzero(np.concatenate(([True], labels[1:] != labels[:-1])))
    closed = np.logical_and.reduceat(np.asarray(held_inside == ONE, dtype=bool), component_starts)
    if closed.any():
        # Of several closed components, the one with the first name: the error must not depend on how the
        # entities happen to be numbered (the order of the stakes read).
        components = [
            members[lo : lo + int(np.sum(labels == labels[lo]))] for lo in component_starts[closed].tolist()
        ]
        component = min(components, key=lambda c: min(names[int(m)] for m in c))
        raise OwnershipCycleError(
            entities=sorted(names[int(m)] for m in component),
            cycle=find_cycle(names=names, members=component, src=src, dst=dst),
        )
    solve = _factorise(size, local_src, local_dst, weight.astype(np.float64))
    rhs = values[members]
    solution = np.full((size, width), ZERO, dtype=object)
    residual = rhs
    for _ in range(MAX_REFINEMENTS):
        correction = solve(residual.astype(np.float64))
        if not np.all(np.isfinite(correction)):
            raise OwnershipNumericalError(
                entities=[names[int(m)] for m in members], reason="non-finite solve"
            )
        solution = solution + _as_decimals(correction)
        if float(np.max(np.abs(correction), initial=0.0)) < REFINE_TOLERANCE:
            break
        fed_back = np.full((size, width), ZERO, dtype=object)
        np.add.at(fed_back, local_dst, solution[local_src] * weight[:, None])
        residual = rhs - solution + fed_back
    else:
        raise OwnershipNumericalError(
            entities=[names[int(m)] for m in members], reason=f"no convergence to {REFINE_TOLERANCE}"
        )
    shortened = np.empty((size, width), dtype=object)
    shortened.ravel()[:] = [_clip(_SHORT.plus(v), names, members) for v in solution.ravel().tolist()]
    values[members] = shortened


def _as_decimals(array: FloatArray) -> ObjArray:
    out = np.empty(array.shape, dtype=object)
    out.ravel()[:] = [Decimal(x) for x in array.ravel().tolist()]
    return out


def _clip(value: Decimal, names: Sequence[str], members: IntArray) -> Decimal:
    """Shares lie in [0, 1]; float noise a hair outside is cut, anything further is a failed solve."""
    if value < ZERO:
        if value < Decimal("-1e-9"):
            raise OwnershipNumericalError(
                entities=[names[int(m)] for m in members], reason=f"share {value} < 0"
            )
        return ZERO
    if value > ONE:
        if value > Decimal("1.000000001"):
            raise OwnershipNumericalError(
                entities=[names[int(m)] for m in members], reason=f"share {value} > 1"
            )
        return ONE
    return value
