"""Ownership of a large group: the service's answer and the engine against one bare scipy sparse solve.

The measuring is in `bench.ownership` (`run` for the engine alone, `run_service` for the answer of
`GET /api/v1/ownership` below HTTP on PostgreSQL; its generator and timing are shared with
`python -m bench.ownership`). Lines:

- `ownership answer (service)`: `ownership_as_of` from a fresh session, against the bare solve (no target:
  it includes reading 30,000 stakes and 10,000 entities, which no solve does);
- `answer beyond the fixed overhead`: the same total minus the bare SQL reads of the same rows (psycopg,
  no ORM), against the bare solve: the issue's "within 3x the bare solve plus a fixed overhead";
- `answer, stakes starting on 100 dates`: the same answer after every stake is moved to start on one of 100
  monthly dates, so that the dates control began are read over a register with a history (no target);
- `DB read of stakes (service)` (the share, and share and vote as integer units, into columns) against the
  bare SQL read of the same rows, and the engine's
  `compute_ownership` on the holdings read against the solve (the line kept from the earlier runs).
"""

from __future__ import annotations

from typing import Any

from app.ownership.domain import compute_ownership
from bench.ownership import PARENT, REPEATS, TARGET_RATIO, generate_group, run_service
from bench.ownership import run as run_engine
from bench.runner import Context, row

NAME = "ownership"
TITLE = "effective ownership of a layered group with cross-holdings"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"companies": 10_000}
QUICK_SIZES = {"companies": 1_000}
BUDGET_SECONDS = 120.0
SOLVE = "one scipy.sparse spsolve of (I - A)ᵀx = e"
BOUND_ENGINE = (
    "The engine does more than the one solve: it validates and indexes the holdings, keeps what the parent "
    "reaches, propagates interest shares component by component in exact decimals, finds control shares by "
    "a fixed point, decides each method and splits group share and NCI, and builds one row of seven "
    "ten-place decimals per entity; the baseline solves one prebuilt float matrix. The profile names the "
    "heaviest of these steps."
)
BOUND_SERVICE = (
    "Beyond the bare reads the service reads the stakes with their shares and votes as integer units (a "
    "Decimal made once per distinct value), numbers the register once (entities, day numbers, the checks "
    "that hold on every date), runs the engine on the day's holdings (control, methods and the group's "
    "holdings summed in exact integers, interest shares propagated in exact decimals, cycles solved in "
    "floats and refined, one row of seven ten-place decimals per entity) and builds one line per entity "
    "with its name. What is left is a pass or two over 30,000 stakes or 10,000 entities in Python objects"
    " per step, about a millisecond each; the profile (profiles/ownership.txt) shows the split."
)


def run(ctx: Context) -> list[dict[str, Any]]:
    from bench import pg

    n = ctx.sizes["companies"]
    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    engine = run_engine(n=n, seed=1)
    service = run_service(url=url, n=n, seed=1)
    sizes = {"companies": n, "holdings": int(service["holdings"])}
    solve = float(service["solve_seconds"])
    fixed = float(service["fixed_overhead_seconds"])
    total = float(service["total_seconds"])
    breakdown = {
        key: round(float(service[key]), 4)
        for key in (
            "stakes_read_seconds",
            "engine_seconds",
            "entities_read_seconds",
            "other_seconds",
            "bare_stakes_sql_seconds",
            "bare_entities_sql_seconds",
            "fixed_overhead_seconds",
            "solve_seconds",
            "budget_seconds",
        )
    }
    within = total <= float(service["budget_seconds"])
    profile = engine_profile = None
    if ctx.profile:
        from app.core.context import SYSTEM_ACTOR
        from app.core.db import make_engine, make_session_factory
        from app.ownership import view_service as ownership_views
        from bench.generator import GroupSpec, generate

        group = generate(
            spec=GroupSpec(companies=n, months=1, intercompany_lines=0, assets_per_company=0, seed=1)
        )
        db = make_engine(url)
        sessions = make_session_factory(db)

        def answer() -> object:
            with sessions() as session:
                return ownership_views.ownership_as_of(
                    session, actor=SYSTEM_ACTOR, parent_id=group.parent.id, as_of=group.as_of()
                )

        try:
            answer()
            _, profile = ctx.profile_call(answer, label="ownership")
        finally:
            db.dispose()
        holdings = generate_group(n=n, seed=1)
        _, engine_profile = ctx.profile_call(
            lambda: compute_ownership(parent=PARENT, holdings=holdings), label="ownership-engine"
        )
    common = {
        "timing": f"best of {REPEATS}",
        "fixed_overhead": "bare SQL reads (psycopg) of the stakes and entities",
    }
    return [
        row(
            scenario=NAME,
            case="ownership answer (service)",
            seconds=total,
            baseline=SOLVE,
            baseline_seconds=solve,
            target_ratio=None,
            sizes=sizes,
            details={
                **common,
                **breakdown,
                "within_3x_solve_plus_fixed": within,
                "lines": service["lines"],
                "cycles": service["cycles"],
                "max_abs_diff": service["max_abs_diff"],
                "load_seconds_untimed": service["load_seconds"],
            },
            profile=profile,
        ),
        row(
            scenario=NAME,
            case="answer beyond the fixed overhead",
            seconds=max(0.0, total - fixed),
            baseline=SOLVE,
            baseline_seconds=solve,
            target_ratio=TARGET_RATIO,
            sizes=sizes,
            details={**common, "total_seconds": round(total, 4), "fixed_overhead_seconds": round(fixed, 4)},
            bound=BOUND_SERVICE,
            profile=profile,
        ),
        row(
            scenario=NAME,
            case=f"answer, stakes starting on {service['dated_register_dates']} dates",
            seconds=float(service["dated_register_seconds"]),
            baseline=SOLVE,
            baseline_seconds=solve,
            target_ratio=None,
            sizes=sizes,
            details={
                **common,
                "subsidiaries": service["dated_register_subsidiaries"],
                "note": "the same register, each stake moved to start on one of the dates (monthly): the "
                "dates control began decide the methods on each date",
            },
        ),
        row(
            scenario=NAME,
            case="DB read of stakes (service)",
            seconds=float(service["stakes_read_seconds"]),
            baseline="the bare SQL read of the same rows (psycopg)",
            baseline_seconds=float(service["bare_stakes_sql_seconds"]),
            target_ratio=None,
            sizes=sizes,
            details=common,
        ),
        row(
            scenario=NAME,
            case="compute_ownership",
            seconds=float(engine["seconds"]),  # type: ignore[arg-type]
            baseline=SOLVE,
            baseline_seconds=float(engine["baseline_seconds"]),  # type: ignore[arg-type]
            target_ratio=TARGET_RATIO,
            sizes={"companies": n, "holdings": int(engine["holdings"])},  # type: ignore[call-overload]
            details={
                "cycles": engine["cycles"],
                "max_abs_diff": engine["max_abs_diff"],
                "timing": f"best of {REPEATS}, pure engine on the generated holdings",
            },
            bound=BOUND_ENGINE,
            profile=engine_profile,
        ),
    ]
