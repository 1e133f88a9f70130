"""Ownership of a large group: the engine against one bare scipy sparse solve of the same system.

The measuring is `bench.ownership.run` (its generator and timing are shared with `python -m bench.ownership`).
"""

from __future__ import annotations

from typing import Any

from app.ownership.domain import compute_ownership
from bench.ownership import TARGET_RATIO, generate_group
from bench.ownership import run as run_ownership
from bench.runner import Context, row

NAME = "ownership"
TITLE = "effective ownership of a layered group with cross-holdings"
NEEDS_POSTGRES = False
DEFAULT_SIZES = {"companies": 10_000}
QUICK_SIZES = {"companies": 1_000}
BUDGET_SECONDS = 60.0
BASELINE = "one scipy.sparse spsolve of (I - A)ᵀx = e"
BOUND = (
    "The engine does more than the one solve: it validates and indexes the holdings, keeps what the parent "
    "reaches, propagates interest shares component by component in exact decimals, finds control shares by "
    "a fixed point, decides each method and splits group share and NCI; the baseline solves one prebuilt "
    "float matrix. The profile names the heaviest of these steps."
)


def run(ctx: Context) -> list[dict[str, Any]]:
    n = ctx.sizes["companies"]
    result = run_ownership(n=n, seed=1)
    profile = None
    if ctx.profile:
        holdings = generate_group(n=n, seed=1)
        _, profile = ctx.profile_call(
            lambda: compute_ownership(parent="E000000", holdings=holdings), label="ownership"
        )
    return [
        row(
            scenario=NAME,
            case="compute_ownership",
            seconds=float(result["seconds"]),  # type: ignore[arg-type]
            baseline=BASELINE,
            baseline_seconds=float(result["baseline_seconds"]),  # type: ignore[arg-type]
            target_ratio=TARGET_RATIO,
            sizes={"companies": n, "holdings": int(result["holdings"])},  # type: ignore[call-overload]
            details={
                "cycles": result["cycles"],
                "max_abs_diff": result["max_abs_diff"],
                "timing": "best of 3",
            },
            bound=BOUND,
            profile=profile,
        )
    ]
