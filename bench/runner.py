"""The benchmark runner: every registered scenario, each in its own process with a time budget.

A scenario is a module listed in `SCENARIOS` with:

    NAME: str                         short name (`--only NAME`, `--size NAME.key=value`)
    TITLE: str                        what it measures against what, for the table
    NEEDS_POSTGRES: bool              the runner makes it a fresh database (ctx.database_url), dropped after
    DEFAULT_SIZES, QUICK_SIZES: dict[str, int]
    BUDGET_SECONDS: float             wall-clock limit; past it the process group is killed
    def run(ctx: Context) -> list[dict]   rows made with `row(...)` / `unavailable(...)`; a scenario with
                                      several cases may hand each over as it is done with ctx.emit(row)

A new feature adds its scenario by writing such a module and appending it to `SCENARIOS`.

Each scenario runs in a child process (its own process group, so a server it started dies with it): a
scenario that raises is recorded as "error: ...", a feature that has not landed as "not available yet", one
that overruns its budget as an error, and the others still run. Results go to `bench/results/latest.json` and
`latest.md` (`--quick` runs write `quick.*` instead, so a smoke run never replaces the committed results).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import platform
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

SCENARIOS: list[str] = [
    "bench.scenarios.ownership",
    "bench.scenarios.package_import",
    "bench.scenarios.consolidation",
    "bench.scenarios.export",
    "bench.http",
    "bench.scenarios.storage",
]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_TOTAL_MINUTES = 14.0
NOT_AVAILABLE = "not available yet"
#: In a scenario's process: sends a message to the runner (set by `_child`).
_EMIT: Callable[[tuple[str, Any, str | None]], None] | None = None
T = TypeVar("T")


class NotAvailable(Exception):  # noqa: N818  (a state, not a failure)
    """The feature a scenario measures has not landed yet (no route, no table, no service)."""


@dataclass
class Context:
    """What a scenario gets: its sizes, its database, its deadline, and the profiler switch."""

    name: str
    sizes: dict[str, int]
    quick: bool
    profile: bool
    results_dir: str
    budget_seconds: float
    deadline: float  # time.time() after which the runner kills the scenario
    database_url: str | None = None
    notes: list[str] = field(default_factory=list)

    def emit(self, result: dict[str, Any]) -> None:
        """Hand one result line to the runner now, so it is kept even if the scenario is stopped later."""
        if _EMIT is None:
            raise RuntimeError("emit() works inside a scenario process started by the runner")
        _EMIT(("row", result, None))

    def remaining(self) -> float:
        return self.deadline - time.time()

    def log(self, message: str) -> None:
        print(f"  [{self.name}] {message}", file=sys.stderr, flush=True)

    @property
    def profiles_dir(self) -> Path:
        return Path(self.results_dir) / ("profiles-quick" if self.quick else "profiles")

    def profile_call(
        self, call: Callable[[], T], *, label: str | None = None
    ) -> tuple[T, dict[str, Any] | None]:
        """Run `call`; with --profile, under pyinstrument, writing `profiles/<label>.html` and `.txt`.

        Returns the call's result and, when profiled, {"html", "text", "top_self"} (paths relative to the
        results folder and the heaviest functions by own time).
        """
        if not self.profile:
            return call(), None
        from pyinstrument import Profiler

        label = label or self.name
        profiler = Profiler(interval=0.001)
        profiler.start()
        try:
            value = call()
        finally:
            profiler.stop()
        self.profiles_dir.mkdir(parents=True, exist_ok=True)
        html = self.profiles_dir / f"{label}.html"
        text = self.profiles_dir / f"{label}.txt"
        html.write_text(profiler.output_html(), encoding="utf-8")
        text.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        flat = profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")
        top = [line.strip() for line in flat.splitlines() if line.strip() and line.strip()[0].isdigit()][:8]
        base = Path(self.results_dir)
        session = profiler.last_session
        hotspots = app_hotspots(session.root_frame()) if session is not None else []
        return value, {
            "html": str(html.relative_to(base)),
            "text": str(text.relative_to(base)),
            "app_hotspots": hotspots,
            "top_self": top,
        }


def app_hotspots(root: Any, *, limit: int = 8) -> list[str]:
    """The application's functions by the share of the profiled time spent in them (callees included),
    leaving out the wrappers every request passes through (85% and more): where the time goes, in our code."""
    if root is None or not root.time:
        return []
    marker = f"{os.sep}app{os.sep}"
    totals: dict[str, float] = {}

    def walk(frame: Any, above: frozenset[str]) -> None:
        key = None
        path = frame.file_path or ""
        if marker in path and f"{os.sep}site-packages{os.sep}" not in path:
            key = f"{frame.function}  app/{path.split(marker, 1)[1]}:{frame.line_no}"
            if key not in above:
                totals[key] = totals.get(key, 0.0) + frame.time
        inner = above | {key} if key else above
        for child in frame.children:
            walk(child, inner)

    walk(root, frozenset())
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    return [f"{100 * t / root.time:.0f}% {name}" for name, t in ranked if t / root.time < 0.85][:limit]


def row(
    *,
    scenario: str,
    case: str,
    target_ratio: float | None,
    seconds: float | None = None,
    baseline: str,
    baseline_seconds: float | None = None,
    throughput: float | None = None,
    baseline_throughput: float | None = None,
    sizes: dict[str, int] | None = None,
    details: dict[str, Any] | None = None,
    bound: str | None = None,
    profile: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One result line. Time scenarios give seconds; HTTP gives requests per second. `ratio` is always "how
    many times the baseline's cost" (seconds / baseline seconds, or baseline throughput / throughput), so a
    target is always an upper bound on it."""
    if seconds is not None and baseline_seconds:
        ratio: float | None = seconds / baseline_seconds
    elif throughput and baseline_throughput:
        ratio = baseline_throughput / throughput
    else:
        ratio = None
    if ratio is None:
        status = "no ratio"
    elif target_ratio is None:
        status = "measured (no target)"
    elif ratio <= target_ratio:
        status = "meets target"
    else:
        status = "over target"
    out: dict[str, Any] = {
        "scenario": scenario,
        "case": case,
        "status": status,
        "seconds": None if seconds is None else round(seconds, 4),
        "baseline": baseline,
        "baseline_seconds": None if baseline_seconds is None else round(baseline_seconds, 4),
        "throughput_rps": None if throughput is None else round(throughput, 1),
        "baseline_throughput_rps": None if baseline_throughput is None else round(baseline_throughput, 1),
        "ratio": None if ratio is None else round(ratio, 2),
        "target_ratio": target_ratio,
        "over_target_by_percent": (
            round((ratio / target_ratio - 1) * 100, 1)
            if ratio is not None and target_ratio is not None and ratio > target_ratio
            else None
        ),
        "sizes": sizes or {},
        "details": details or {},
    }
    if status == "over target":
        out["bound"] = bound
        out["profile"] = profile
    elif profile:
        out["profile"] = profile
    return out


def unavailable(
    *, scenario: str, case: str, reason: str, baseline: str, target_ratio: float | None
) -> dict[str, Any]:
    """A result line for a feature that has not landed: the run goes on, the table says so."""
    return {
        "scenario": scenario,
        "case": case,
        "status": NOT_AVAILABLE,
        "reason": reason,
        "baseline": baseline,
        "target_ratio": target_ratio,
        "seconds": None,
        "baseline_seconds": None,
        "ratio": None,
    }


def _error(*, scenario: str, title: str, message: str, detail: str | None = None) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "case": title,
        "status": f"error: {message}",
        "seconds": None,
        "baseline_seconds": None,
        "ratio": None,
        **({"traceback": detail} if detail else {}),
    }


# --- child process --------------------------------------------------------------------------------


def _child(module_name: str, ctx: Context, queue: Any) -> None:
    global _EMIT
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # its own process group: the runner can stop it with every server it started
    _EMIT = queue.put
    try:
        module = import_module(module_name)
        rows = module.run(ctx)
        queue.put(("ok", rows, None))
    except NotAvailable as exc:
        queue.put(("missing", str(exc), None))
    except BaseException as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        queue.put(("error", f"{type(exc).__name__}: {first}"[:300], traceback.format_exc()[-4000:]))


def _kill_group(process: Any) -> None:
    pid = process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            process.kill() if sig == signal.SIGKILL else process.terminate()
        process.join(timeout=5)
        if not process.is_alive():
            break


def _run_one(module: ModuleType, ctx: Context) -> list[dict[str, Any]]:
    name, title = module.NAME, module.TITLE
    database = None
    if module.NEEDS_POSTGRES:
        from bench import pg

        problem = pg.reachable()
        if problem is not None:
            return [
                _error(
                    scenario=name,
                    title=title,
                    message=f"PostgreSQL unreachable at {pg.admin_url()}: {problem}",
                )
            ]
        database = pg.create_database()
        ctx.database_url = database.url
    spawn = mp.get_context("spawn")
    queue = spawn.Queue()
    process = spawn.Process(target=_child, args=(module.__name__, ctx, queue), name=f"bench-{name}")
    emitted: list[dict[str, Any]] = []
    try:
        process.start()
        outcome = None
        while outcome is None:
            wait = ctx.deadline - time.time()
            if wait <= 0:
                break
            try:
                message = queue.get(timeout=min(wait, 1.0))
            except Exception:
                if not process.is_alive():
                    try:
                        message = queue.get(timeout=2)
                    except Exception:
                        break
                else:
                    continue
            if message[0] == "row":
                emitted.append(message[1])
            else:
                outcome = message
        if outcome is None:
            alive = process.is_alive()
            _kill_group(process)
            reason = (
                f"exceeded its time budget of {ctx.budget_seconds:.0f} s and was stopped"
                if alive
                else f"process died (exit code {process.exitcode})"
            )
            return [*emitted, _error(scenario=name, title=title, message=reason)]
        process.join(timeout=30)
        if process.is_alive():
            _kill_group(process)
        kind, payload, detail = outcome
        if kind == "ok":
            return [*emitted, *payload]
        if kind == "missing":
            return [
                *emitted,
                unavailable(scenario=name, case=title, reason=str(payload), baseline="", target_ratio=None),
            ]
        return [*emitted, _error(scenario=name, title=title, message=str(payload), detail=detail)]
    finally:
        if process.is_alive():
            _kill_group(process)
        if database is not None:
            try:
                database.drop()
            except Exception as exc:
                print(f"bench: could not drop {database.name}: {exc}", file=sys.stderr)


# --- machine and report ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    from bench import pg

    memory_gib = None
    cpu_model = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "cpu": cpu_model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": pg.server_version(),
    }
    settings = _pg_settings()
    if settings:
        info["postgresql_settings"] = settings
    return info


def _pg_settings() -> dict[str, str]:
    try:
        import psycopg

        from bench import pg

        names = ("shared_buffers", "work_mem", "max_connections", "fsync", "synchronous_commit", "wal_level")
        with psycopg.connect(pg.libpq_url(pg.admin_url()), connect_timeout=3) as conn:
            rows = conn.execute(
                "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", (list(names),)
            )
            return {name: f"{setting}{unit or ''}" for name, setting, unit in rows.fetchall()}
    except Exception:
        return {}


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def _measured(r: dict[str, Any]) -> tuple[str, str]:
    if r.get("throughput_rps") is not None:
        details = r.get("details", {})
        p50, p99 = details.get("p50_ms"), details.get("p99_ms")
        lat = f" (p50 {p50} ms, p99 {p99} ms)" if p50 is not None else ""
        base = r.get("baseline_throughput_rps")
        base_text = f"{base:.0f} req/s" if base else "—"
        return f"{r['throughput_rps']:.0f} req/s{lat}", base_text
    return _fmt_seconds(r.get("seconds")), _fmt_seconds(r.get("baseline_seconds"))


def _ratio_text(r: dict[str, Any]) -> tuple[str, str]:
    ratio = "—" if r.get("ratio") is None else f"{r['ratio']:.2f}×"
    target = "—" if r.get("target_ratio") is None else f"≤ {r['target_ratio']:g}×"
    return ratio, target


def _size_text(r: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:,}" for k, v in (r.get("sizes") or {}).items())


def render_markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['finished_at']} with `{report['command']}` in {report['total_seconds']:.0f} s on "
        f"{machine.get('cores')} cores, {machine.get('memory_gib')} GiB "
        f"({machine.get('cpu') or 'cpu unknown'}), "
        f"Python {machine.get('python')}, PostgreSQL {machine.get('postgresql') or 'unreachable'}; load "
        f"average {machine.get('load_average_1min_at_start')} at the start, "
        f"{machine.get('load_average_1min_at_end')} at the end (other work on the machine skews absolute "
        "numbers more than ratios, whose two sides run back to back).",
        "",
        "Ratio = the feature's cost over the baseline's (seconds ÷ baseline seconds; for HTTP, baseline "
        "throughput ÷ throughput). Each target is an upper bound on the ratio.",
        "",
        "| scenario | case | size | measured | baseline | ratio | target | status |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    earlier = sorted({r["from_earlier_run"] for r in report["results"] if r.get("from_earlier_run")})
    if earlier:
        lines[-2:-2] = [f"Lines marked † were kept from an earlier run: {'; '.join(earlier)}.", ""]
    for r in report["results"]:
        measured, base = _measured(r)
        ratio, target = _ratio_text(r)
        if r.get("from_earlier_run"):
            measured = f"{measured} †"
        baseline_name = r.get("baseline") or ""
        base_cell = f"{base} ({baseline_name})" if baseline_name and base != "—" else (baseline_name or base)
        status = r["status"]
        if status == NOT_AVAILABLE and r.get("reason"):
            status = f"{status}: {r['reason']}"
        lines.append(
            f"| {r['scenario']} | {r.get('case', '')} | {_size_text(r)} | {measured} | {base_cell} "
            f"| {ratio} | {target} | {status} |"
        )
    over = [r for r in report["results"] if r["status"] == "over target"]
    if over:
        lines += ["", "## Over target: by how much, and what bounds it", ""]
        for r in over:
            lines.append(
                f"- **{r['scenario']} / {r.get('case', '')}**: ratio {r['ratio']:.2f}× against ≤ "
                f"{r['target_ratio']:g}× (over by {r['over_target_by_percent']}%). {r.get('bound') or ''}"
            )
            profile = r.get("profile")
            if profile:
                lines.append(
                    f"  Profile: [{profile['text']}]({profile['text']}) (and `{profile['html']}`, "
                    "interactive, written by `--profile`, not kept in the repository)."
                )
                if profile.get("app_hotspots"):
                    lines.append(
                        "  Share of the profiled time in the application's functions (callees included):"
                    )
                    lines += [f"  - `{spot}`" for spot in profile["app_hotspots"][:6]]
                lines.append("  Heaviest own time (any code):")
                lines += [f"  - `{frame}`" for frame in profile.get("top_self", [])[:5]]
    errors = [r for r in report["results"] if str(r["status"]).startswith("error")]
    if errors:
        lines += ["", "## Errors", ""]
        lines += [f"- **{r['scenario']}**: {r['status']}" for r in errors]
    lines.append("")
    return "\n".join(lines)


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="GroupLedger benchmarks", show_lines=False)
    for column in ("scenario", "case", "measured", "baseline", "ratio", "target", "status"):
        table.add_column(column)
    for r in report["results"]:
        measured, base = _measured(r)
        ratio, target = _ratio_text(r)
        status = r["status"]
        style = (
            "green"
            if status == "meets target"
            else "red"
            if status == "over target" or status.startswith("error")
            else "yellow"
        )
        table.add_row(
            r["scenario"], str(r.get("case", "")), measured, base, ratio, target, f"[{style}]{status}[/]"
        )
    console = Console()
    console.print(table)


# --- entry point ----------------------------------------------------------------------------------


def _parse_sizes(values: Sequence[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for value in values:
        key, sep, number = value.partition("=")
        scenario, dot, size = key.partition(".")
        if not sep or not dot:
            raise SystemExit(f"--size wants SCENARIO.KEY=INTEGER, got {value!r}")
        try:
            out.setdefault(scenario, {})[size] = int(number.replace("_", ""))
        except ValueError:
            raise SystemExit(f"--size {value!r}: {number!r} is not an integer") from None
    return out


def load_scenarios() -> list[ModuleType]:
    return [import_module(name) for name in SCENARIOS]


def run_benchmarks(
    *,
    only: Sequence[str] = (),
    quick: bool = False,
    sizes: dict[str, dict[str, int]] | None = None,
    profile: bool = False,
    results_dir: Path = RESULTS_DIR,
    total_minutes: float = DEFAULT_TOTAL_MINUTES,
    command: str = "python -m bench",
) -> dict[str, Any]:
    """Run the chosen scenarios and write the results; returns the report written to JSON."""
    started = time.time()
    load_at_start = os.getloadavg()[0]
    modules = load_scenarios()
    known = {m.NAME for m in modules}
    unknown = set(only) - known
    if unknown:
        raise SystemExit(f"unknown scenario(s) {sorted(unknown)}; known: {sorted(known)}")
    overrides = sizes or {}
    for name in overrides:
        if name not in known:
            raise SystemExit(f"--size names unknown scenario {name!r}; known: {sorted(known)}")
    chosen = [m for m in modules if not only or m.NAME in only]
    results_dir.mkdir(parents=True, exist_ok=True)
    overall_deadline = started + total_minutes * 60
    results: list[dict[str, Any]] = []
    for module in chosen:
        scenario_sizes = dict(module.QUICK_SIZES if quick else module.DEFAULT_SIZES)
        unknown_keys = set(overrides.get(module.NAME, {})) - set(scenario_sizes)
        if unknown_keys:
            raise SystemExit(
                f"{module.NAME} has no size(s) {sorted(unknown_keys)}; it has {sorted(scenario_sizes)}"
            )
        scenario_sizes.update(overrides.get(module.NAME, {}))
        budget = min(float(module.BUDGET_SECONDS), overall_deadline - time.time())
        if budget < 20:
            results.append(
                _error(
                    scenario=module.NAME,
                    title=module.TITLE,
                    message="not run: the overall time budget was used up",
                )
            )
            continue
        ctx = Context(
            name=module.NAME,
            sizes=scenario_sizes,
            quick=quick,
            profile=profile,
            results_dir=str(results_dir),
            budget_seconds=budget,
            deadline=time.time() + budget,
        )
        print(
            f"bench: {module.NAME}: {module.TITLE} {scenario_sizes} (budget {budget:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        scenario_started = time.time()
        rows = _run_one(module, ctx)
        for r in rows:
            r.setdefault("wall_seconds", round(time.time() - scenario_started, 1))
        results.extend(rows)
    stem = "quick" if quick else "latest"
    if only and not quick:
        results = _merge_with_previous(results_dir / f"{stem}.json", results, replaced=set(only))
    report = {
        "command": command,
        "finished_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "quick": quick,
        "total_seconds": round(time.time() - started, 1),
        "machine": {
            **machine_info(),
            "load_average_1min_at_start": round(load_at_start, 2),
            "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        },
        "results": results,
    }
    (results_dir / f"{stem}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    (results_dir / f"{stem}.md").write_text(render_markdown(report), encoding="utf-8")
    return report


def _merge_with_previous(
    path: Path, fresh: list[dict[str, Any]], *, replaced: set[str]
) -> list[dict[str, Any]]:
    """`--only` replaces those scenarios' lines in the previous results and keeps the others, in order."""
    if not path.exists():
        return fresh
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
        previous = earlier.get("results", [])
    except (OSError, ValueError):
        return fresh
    for r in previous:
        r.setdefault("from_earlier_run", f"{earlier.get('finished_at')} ({earlier.get('command')})")
    order = [m.NAME for m in load_scenarios()]
    kept = [r for r in previous if r.get("scenario") not in replaced]
    merged = kept + fresh
    return sorted(
        merged, key=lambda r: order.index(r["scenario"]) if r.get("scenario") in order else len(order)
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run GroupLedger's benchmarks.")
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="run only this scenario (repeat)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke); writes results/quick.*")
    parser.add_argument(
        "--size", action="append", default=[], metavar="SCENARIO.KEY=N", help="override a size"
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles into results/profiles/")
    parser.add_argument("--minutes", type=float, default=DEFAULT_TOTAL_MINUTES, help="overall time budget")
    parser.add_argument("--list", action="store_true", help="list the scenarios and their sizes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for module in load_scenarios():
            print(f"{module.NAME:<14} {module.TITLE}")
            print(f"{'':<14} default {module.DEFAULT_SIZES} quick {module.QUICK_SIZES}")
        return 0
    argv_text = " ".join(sys.argv[1:] if argv is None else argv)
    report = run_benchmarks(
        only=args.only,
        quick=args.quick,
        sizes=_parse_sizes(args.size),
        profile=args.profile,
        total_minutes=args.minutes,
        command=f"python -m bench {argv_text}".strip(),
    )
    print_table(report)
    stem = "quick" if args.quick else "latest"
    print(f"results: {RESULTS_DIR / (stem + '.json')} and {stem}.md", file=sys.stderr)
    return 1 if any(str(r["status"]).startswith("error") for r in report["results"]) else 0


__all__ = ["SCENARIOS", "Context", "NotAvailable", "main", "row", "run_benchmarks", "unavailable"]
