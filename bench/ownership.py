"""Benchmark of the ownership answer (service and engine) against one bare sparse solve of the same system.

`generate_group` builds a layered group (each layer four times the one above, ~3 stakes per entity, every
capital at least 5% outside the group), adds cross-holdings for 1% of the entities (a company and one of
its holders, or two siblings, holding a little of each other: small cycles that leak to outsiders, as in
real groups) and a few holdings of the parent's own shares (treasury shares). `run` times `compute_ownership`
(best of `REPEATS`) and one `scipy.sparse.linalg.spsolve` of (I - A)^T x = e_P on the same, prebuilt matrix.

`run_service` times the whole answer of `GET /api/v1/ownership` below HTTP: `app.ownership.view_service
.ownership_as_of` on a migrated PostgreSQL database holding the same group (entities and stakes bulk-loaded by
COPY through `bench.generator.load_group`; the load is not timed). Beside the total it times the service's
own read of the stakes, the engine on the holdings so read, the service's read of the entities it names, the
bare SQL reads of the same rows with psycopg (the fixed overhead: no answer can avoid fetching its inputs)
and one spsolve of the matrix built from the rows read. The issue's target "within 3x the bare solve plus a
fixed overhead" is then `total <= 3 * solve + bare reads`, i.e. `(total - bare reads) / solve <= 3`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from app.ownership.domain import Holding, compute_ownership

T = TypeVar("T")
FloatArray = NDArray[np.float64]
TARGET_RATIO = 3.0
#: Rounds per timing, the best kept: with 3 the answer's ratio moved by a fifth between identical runs; this
#: host has slow spells of several seconds, in which Python slows more than the C of the bare reads and
#: the solve, and 15 rounds (about 10 s) sometimes fell wholly in one (the ratio then read 3.3x instead of
#: 2.5x); 30 rounds take about 20 s.
REPEATS = 30
#: Stake start dates of the dated variant of the register (`run_service`).
DATED_REGISTER_DATES = 100
PARENT = "E000000"
BARE_STAKES = (
    "SELECT holder_id, investee_id, share, voting_share, valid_from, valid_to FROM equity_stake "
    "WHERE valid_from <= %s"
)
BARE_ENTITIES = "SELECT * FROM legal_entity WHERE id = ANY(%s)"


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
    """Time the engine and the bare solve, best of `REPEATS` each, interleaved so both see the same load.

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
    for _ in range(REPEATS):
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


def _system(holdings: list[Holding], parent: str) -> tuple[Any, FloatArray, dict[str, int]]:
    """(I - A)^T, e_P and the numbering, built from `holdings` (edges into P dropped), for one spsolve."""
    names = sorted({h.holder for h in holdings} | {h.investee for h in holdings} | {parent})
    index = {name: i for i, name in enumerate(names)}
    kept = [h for h in holdings if h.investee != parent and h.share > 0]
    size = len(index)
    direct = sp.csc_array(
        (
            [float(h.share) for h in kept],
            ([index[h.holder] for h in kept], [index[h.investee] for h in kept]),
        ),
        shape=(size, size),
    )
    system = (sp.identity(size, format="csc") - direct).T.tocsc()
    rhs = np.zeros(size)
    rhs[index[parent]] = 1.0
    return system, rhs, index


def _interleaved(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The best time of each call over `repeats` rounds, each round calling every one once, in order.

    A call's result is released after its clock stops: the time is the answer's, not its teardown's.
    """
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeats):
        for key, call in calls.items():
            started = time.perf_counter()
            value = call()
            best[key] = min(best[key], time.perf_counter() - started)
            del value
    return best


def _best(call: Callable[[], T], repeats: int) -> tuple[float, T]:
    best, value = float("inf"), None
    for _ in range(repeats):
        value = None  # the previous result is released before the clock starts, as in `_interleaved`
        started = time.perf_counter()
        value = call()
        best = min(best, time.perf_counter() - started)
    return best, value  # type: ignore[return-value]


def _spread_stake_dates(url: str, *, direction: int) -> None:
    """Move every stake's start by (a hash of its id mod DATED_REGISTER_DATES) x 30 days; -1 undoes +1."""
    import psycopg

    from bench import pg

    with psycopg.connect(pg.libpq_url(url)) as conn:
        conn.execute(
            "UPDATE equity_stake SET valid_from = valid_from + %s * (abs(hashtext(id)) %% %s) * 30",
            (direction, DATED_REGISTER_DATES),
        )
        conn.commit()


def run_service(*, url: str, n: int = 10_000, seed: int = 1, repeats: int = REPEATS) -> dict[str, Any]:
    """Load the generated group into the migrated database at `url` and time the service's answer.

    Every timed service call gets a fresh session (as a request does), on a pool that is already warm. The
    answer, its components, the bare reads and the solve are timed in rounds (`_interleaved`), best of
    `repeats` each; `other` is what the total spends beyond the components (the history of the dates
    control began, the lines, the parent lookup and the overrides).
    """
    import psycopg

    from app.core.context import SYSTEM_ACTOR
    from app.core.db import make_engine, make_session_factory
    from app.core.heap import collection_paused
    from app.entities import service as entities_service
    from app.ownership import view_service as ownership_views
    from app.ownership.domain import RegisterColumns
    from bench import pg
    from bench.generator import GroupSpec, generate, load_group

    group = generate(
        spec=GroupSpec(companies=n, months=1, intercompany_lines=0, assets_per_company=0, seed=seed)
    )
    load = load_group(url=url, group=group, parts=("entities", "stakes"))
    pg.vacuum_analyze(url=url, tables=["legal_entity", "equity_stake"])
    parent, as_of = group.parent.id, group.as_of()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session:  # warm the pool and the server's caches
            ownership_views.ownership_as_of(session, actor=SYSTEM_ACTOR, parent_id=parent, as_of=as_of)

        def answer() -> ownership_views.OwnershipView:
            with sessions() as session:
                return ownership_views.ownership_as_of(
                    session, actor=SYSTEM_ACTOR, parent_id=parent, as_of=as_of
                )

        def read_stakes() -> RegisterColumns:  # as the answer reads them
            with sessions() as session, collection_paused():  # as inside the answer
                return ownership_views.read_register(session, until=as_of)

        view = answer()
        register = read_stakes()
        holdings = [
            register.holding(p)
            for p, valid_to in enumerate(register.valid_to)
            if valid_to is None or as_of < valid_to
        ]
        named = sorted({h.holder for h in holdings} | {h.investee for h in holdings} | {parent})

        def read_entities() -> int:
            with sessions() as session:
                return len(entities_service.entity_names(session, entity_ids=named))  # as the answer

        with psycopg.connect(pg.libpq_url(url)) as conn:
            rows = conn.execute(BARE_STAKES, (as_of,)).fetchall()
            bare_holdings = [
                Holding(h, i, s, v)
                for h, i, s, v, _, valid_to in rows
                if valid_to is None or as_of < valid_to
            ]
            system, rhs, position = _system(bare_holdings, parent)
            # Every measurement once per round, rounds repeated: all of them see the host's slow and quick
            # spells alike (timed one after another, best of `repeats` each, a spell could favour one).
            best = _interleaved(
                {
                    "total": answer,
                    "stakes_read": read_stakes,
                    "engine": lambda: compute_ownership(parent=parent, holdings=holdings),
                    "entities_read": read_entities,
                    "bare_stakes": lambda: conn.execute(BARE_STAKES, (as_of,)).fetchall(),
                    "bare_entities": lambda: conn.execute(BARE_ENTITIES, (named,)).fetchall(),
                    "solve": lambda: spla.spsolve(system, rhs),
                },
                repeats,
            )
        result = compute_ownership(parent=parent, holdings=holdings)
        solved = spla.spsolve(system, rhs)
        # The same register with its stakes starting on DATED_REGISTER_DATES dates (monthly from the first):
        # the dates control began then take one decision of the methods per date.
        _spread_stake_dates(url, direction=1)
        dated_total, dated_view = _best(answer, repeats)
        _spread_stake_dates(url, direction=-1)  # back to one date, for what the caller runs next
    finally:
        engine.dispose()
    diff = float(max(abs(float(e.interest_share) - solved[position[e.entity]]) for e in result.entities))
    total, fixed, solve = best["total"], best["bare_stakes"] + best["bare_entities"], best["solve"]
    components = best["stakes_read"] + best["engine"] + best["entities_read"]
    return {
        "n": n,
        "holdings": len(holdings),
        "lines": len(view.lines),
        "cycles": len(result.cycles),
        "load_seconds": round(load.seconds, 2),
        "total_seconds": total,
        "stakes_read_seconds": best["stakes_read"],
        "engine_seconds": best["engine"],
        "entities_read_seconds": best["entities_read"],
        "other_seconds": max(0.0, total - components),
        "bare_stakes_sql_seconds": best["bare_stakes"],
        "bare_entities_sql_seconds": best["bare_entities"],
        "fixed_overhead_seconds": fixed,
        "solve_seconds": solve,
        "budget_seconds": TARGET_RATIO * solve + fixed,
        "dated_register_seconds": dated_total,
        "dated_register_dates": DATED_REGISTER_DATES,
        "dated_register_subsidiaries": sum(1 for line in dated_view.lines if line.control_since is not None),
        "max_abs_diff": diff,
    }


if __name__ == "__main__":
    print(json.dumps(run()))
