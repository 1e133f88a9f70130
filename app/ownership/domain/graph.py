"""The holding graph: reachability, strongly connected components and their topological levels.

Real ownership graphs are sparse with few, small cycles (Ricca & Scozzari), so the engine works component by
component in topological order: exact arithmetic where there is no cycle, a linear solve only inside cyclic
components. Components come from `scipy.sparse.csgraph` rather than networkx: on a 10,000-entity group
networkx needs ~35 ms to build the graph and find the components and ~80 ms more for the condensation's
topological order, csgraph under 1 ms, and the whole ownership run has to stay within a few times one sparse
solve. networkx is used where graphs are small: to name a closed cycle in an error message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csgraph

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _adjacency(n: int, src: IntArray, dst: IntArray) -> sp.csr_array:
    return sp.csr_array((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))


def reachable_from(*, n: int, src: IntArray, dst: IntArray, root: int) -> BoolArray:
    """Entities reachable from `root` along the edges (root included)."""
    order = csgraph.breadth_first_order(
        _adjacency(n, src, dst), root, directed=True, return_predecessors=False
    )
    mask = np.zeros(n, dtype=bool)
    mask[np.asarray(order, dtype=np.int64)] = True
    return mask


def sorted_unique(values: IntArray) -> IntArray:
    """`np.unique` of integers by sorting: numpy 2's hash-based unique is ~15x slower on 30,000 ints."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def order_by(keys: IntArray) -> IntArray:
    """A stable order sorting `keys`; free when they already are sorted (holdings come sorted by investee)."""
    if keys.size < 2 or bool(np.all(keys[1:] >= keys[:-1])):
        return np.arange(keys.size, dtype=np.int64)
    return np.argsort(keys, kind="stable").astype(np.int64)


def gather_out_edges(indptr: IntArray, nodes: IntArray) -> IntArray:
    """Positions (in a CSR ordering) of every edge leaving `nodes`, without a Python loop."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)


@dataclass(frozen=True)
class Condensation:
    """Strongly connected components of a graph and the order to evaluate them in.

    `level[c]` is the length of the longest path into component c in the condensation, so every holder of a
    component sits on a lower level; `order` lists the nodes by (level, component), `level_starts[k]` is
    where level k begins in `order`.
    """

    labels: IntArray
    sizes: IntArray
    node_level: IntArray
    order: IntArray
    level_starts: IntArray

    @property
    def levels(self) -> int:
        return len(self.level_starts) - 1

    def cyclic_components(self) -> list[IntArray]:
        """Node numbers of every component with more than one node, each sorted ascending."""
        big = np.flatnonzero(self.sizes > 1)
        if big.size == 0:
            return []
        nodes = np.flatnonzero(np.isin(self.labels, big))
        nodes = nodes[np.argsort(self.labels[nodes], kind="stable")]
        bounds = np.searchsorted(self.labels[nodes], big)
        return [nodes[a:b] for a, b in zip(bounds, [*bounds[1:], len(nodes)], strict=True)]


def condense(*, n: int, src: IntArray, dst: IntArray) -> Condensation:
    """Components (csgraph, strong connection) and their topological levels (Kahn, a numpy step per level)."""
    count, labels_raw = csgraph.connected_components(
        _adjacency(n, src, dst), directed=True, connection="strong"
    )
    labels = np.asarray(labels_raw, dtype=np.int64)
    sizes = np.bincount(labels, minlength=count).astype(np.int64)
    comp_src, comp_dst = labels[src], labels[dst]
    between = comp_src != comp_dst
    pairs = sorted_unique(comp_src[between] * count + comp_dst[between])
    csrc, cdst = pairs // count, pairs % count
    indptr = np.concatenate(([0], np.cumsum(np.bincount(csrc, minlength=count)))).astype(np.int64)
    remaining = np.bincount(cdst, minlength=count).astype(np.int64)
    comp_level = np.full(count, -1, dtype=np.int64)
    frontier = np.flatnonzero(remaining == 0)
    level = 0
    while frontier.size:
        comp_level[frontier] = level
        targets = cdst[gather_out_edges(indptr, frontier)]
        if targets.size == 0:
            break
        remaining -= np.bincount(targets, minlength=count)
        candidates = sorted_unique(targets)
        frontier = candidates[remaining[candidates] == 0]
        level += 1
    node_level = comp_level[labels]
    order = np.lexsort((labels, node_level)).astype(np.int64)
    level_starts = np.searchsorted(node_level[order], np.arange(int(node_level.max(initial=-1)) + 2))
    return Condensation(
        labels=labels,
        sizes=sizes,
        node_level=node_level,
        order=order,
        level_starts=level_starts.astype(np.int64),
    )


def find_cycle(*, names: Sequence[str], members: IntArray, src: IntArray, dst: IntArray) -> list[str]:
    """One closed path through the component `members` (first name repeated at the end)."""
    inside = np.isin(src, members) & np.isin(dst, members)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edges_from(sorted((names[a], names[b]) for a, b in zip(src[inside], dst[inside], strict=True)))
    start = min(names[int(m)] for m in members)  # by name, not number: the same path however numbered
    edges = nx.find_cycle(graph, source=start)
    path = [edge[0] for edge in edges]
    return [*path, path[0]]
