"""Benchmark of the ownership engine against one bare sparse solve of the same system.

`generate_group` builds a layered group (each layer four times the one above, ~3 stakes per entity, every
capital at least 5% outside the group), adds cross-holdings for 1% of the entities (a company and one of
its holders, or two siblings, holding a little of each other: small cycles that leak to outsiders, as in
real groups) and a few holdings of the parent's own shares (treasury shares). `run` times `compute_ownership`
(best of 3) and one `scipy.sparse.linalg.spsolve` of (I - A)^T x = e_P on the same, prebuilt matrix.
"""

from __future__ import annotations

import json
import random
import time
from decimal import Decimal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from app.ownership.domain import Holding, compute_ownership

TARGET_RATIO = 3.0


def _share(rng: random.Random, low: int, high: int) -> Decimal:
    """A share with four decimals between low/10,000 and high/10,000."""
    return Decimal(rng.randint(low, high)).scaleb(-4)


def generate_group(*, n: int, seed: int) -> list[Holding]:
    """A deterministic group of `n` entities ("E000000" is the parent); see the module docstring."""
    rng = random.Random(seed)
    names = [f"E{i:06d}" for i in range(n)]
    layers: list[list[int]] = [[0]]
    start, width = 1, 1
    while start < n:
        width = min(width * 4, n - start)
        layers.append(list(range(start, start + width)))
        start += width
    stakes: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    held = [Decimal(0)] * n
    main_holder = [0] * n
    for depth in range(1, len(layers)):
        above = [e for layer in layers[:depth] for e in layer]
        for entity in layers[depth]:
            main = rng.choice(layers[depth - 1])
            main_holder[entity] = main
            share = _share(rng, 3500, 9000)
            stakes[(main, entity)] = (share, share)
            held[entity] += share
            for _ in range(rng.choice((1, 2, 2, 3))):
                holder = rng.choice(above)
                room = int((Decimal("0.95") - held[entity]) * 10_000)
                if (holder, entity) in stakes or room < 100:
                    continue
                share = _share(rng, 100, min(2500, room))
                vote = Decimal(0) if rng.random() < 0.1 else share
                stakes[(holder, entity)] = (share, vote)
                held[entity] += share
    deep = [e for layer in layers[2:] for e in layer]
    for entity in rng.sample(deep, min(len(deep), max(1, n // 100))):
        partner = main_holder[entity] if rng.random() < 0.5 else rng.choice(deep)
        pairs = (
            [(entity, partner)] if partner == main_holder[entity] else [(entity, partner), (partner, entity)]
        )
        for holder, investee in pairs:
            share = _share(rng, 100, 400)
            if (
                investee in (0, holder)
                or (holder, investee) in stakes
                or held[investee] + share > Decimal("0.99")
            ):
                continue
            stakes[(holder, investee)] = (share, share)
            held[investee] += share
    for entity in rng.sample(deep, min(len(deep), 2)):
        share = _share(rng, 50, 200)
        if (entity, 0) not in stakes and held[0] + share <= Decimal("0.05"):
            stakes[(entity, 0)] = (share, share)
            held[0] += share
    return [Holding(names[h], names[i], s, v) for (h, i), (s, v) in stakes.items()]


def run(*, n: int = 10_000, seed: int = 1) -> dict[str, object]:
    """Time the engine and the bare solve, best of 3 each, interleaved so both see the same machine load.

    The bare solve gets its matrix prebuilt (only `spsolve` is timed); `max_abs_diff` checks that both give
    the same interest shares (the engine rounds to ten places, so up to 5e-11).
    """
    holdings = generate_group(n=n, seed=seed)
    parent = "E000000"
    index = {
        name: i
        for i, name in enumerate(sorted({h.holder for h in holdings} | {h.investee for h in holdings}))
    }
    kept = [h for h in holdings if h.investee != parent and h.share > 0]
    rows = [index[h.holder] for h in kept]
    cols = [index[h.investee] for h in kept]
    size = len(index)
    direct = sp.csc_array(([float(h.share) for h in kept], (rows, cols)), shape=(size, size))
    system = (sp.identity(size, format="csc") - direct).T.tocsc()
    rhs = np.zeros(size)
    rhs[index[parent]] = 1.0
    seconds = baseline = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        compute_ownership(parent=parent, holdings=holdings)
        seconds = min(seconds, time.perf_counter() - started)
        started = time.perf_counter()
        spla.spsolve(system, rhs)
        baseline = min(baseline, time.perf_counter() - started)
    solved = spla.spsolve(system, rhs)
    result = compute_ownership(parent=parent, holdings=holdings)
    diff = float(max(abs(float(e.interest_share) - solved[index[e.entity]]) for e in result.entities))
    return {
        "scenario": "ownership",
        "n": n,
        "holdings": len(holdings),
        "cycles": len(result.cycles),
        "seconds": round(seconds, 4),
        "baseline_seconds": round(baseline, 4),
        "ratio": round(seconds / baseline, 2),
        "target_ratio": TARGET_RATIO,
        "max_abs_diff": diff,
    }


if __name__ == "__main__":
    print(json.dumps(run()))
