"""HTTP: throughput and p50/p99 latency of the API under 32 concurrent clients, against a bare endpoint.

Two servers run side by side on loopback ports, each `uvicorn --workers 2` (the same flags): the app on a
fresh, migrated PostgreSQL database holding a small generated group (entities, stakes, chart, three months of
books) and the bare FastAPI app of `bench.bare_app` returning a constant. One asyncio process with httpx
drives `clients` concurrent clients at one endpoint at a time, after a warm-up, for at most `seconds` seconds
and `requests` requests (bounded in both, so it always stops by itself). Cases: GET an entity, GET a trial
balance, POST a five-line journal entry (each only when its route exists), the bare constant as baseline.

Everything shares one machine: the client process, both servers' workers and PostgreSQL. The client's own
CPU share is reported, because on two cores a Python client caps the bare endpoint's throughput too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench import pg
from bench.generator import GroupSpec, SyntheticGroup, generate, load_group
from bench.pg import BENCH_SECRET
from bench.runner import Context, row, unavailable
from bench.support import admin_headers, build_app, call_inline

NAME = "http"
TITLE = "HTTP under concurrent clients"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"clients": 32, "workers": 2, "seconds": 10, "requests": 30_000, "companies": 60}
QUICK_SIZES = {"clients": 8, "workers": 2, "seconds": 2, "requests": 400, "companies": 10}
BUDGET_SECONDS = 300.0
READ_TARGET = 2.0  # reads: at least half the bare endpoint's throughput
ROOT = Path(__file__).resolve().parent.parent
BASELINE = "bare FastAPI constant, same server flags"
ENTITY = "/api/v1/entities/{}"
TRIAL_BALANCE = "/api/v1/entities/{}/trial-balance"
JOURNAL = "/api/v1/journal-entries"
_PARAM = re.compile(r"\{[^}]+\}")
BOUND_READ = (
    "Per request the app authenticates the token (a user lookup), opens a session and a pooled PostgreSQL "
    "connection, runs the read, validates the response model and logs the request; the bare endpoint does "
    "none of that. With two cores shared by the client, two workers and PostgreSQL, the database round "
    "trips and Python per-request work bound the throughput; the profile shows the split."
)


BOUND_TRIAL_BALANCE = (
    "A trial balance is a report: besides the per-request work of every read (token, user, session, pooled "
    "connection, response model, log line), it reads the group chart and the company's kept balances and "
    "builds every line as Python objects (ORM rows, Decimal arithmetic, response models). The application "
    "hotspots below say which of those reads dominate."
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    *, name: str, target: str, workers: int, env: dict[str, str], log_dir: Path, stock: bool = False
) -> Server:
    """uvicorn on a free loopback port, through `bench.serve` (Nagle off) unless `stock`."""
    port = free_port()
    log = log_dir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn" if stock else "bench.serve",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    return Server(name=name, port=port, process=process, log=log)


def wait_ready(server: Server, *, path: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} server exited: {server.log.read_text(errors='replace')[-800:]}"
            )
        try:
            if httpx.get(server.base + path, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} server not ready after {timeout:.0f} s")


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    client_cpu_seconds: float
    first_error: str | None

    @property
    def throughput(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1) + 0.5))] if ordered else 0.0


Request = Callable[[int], tuple[str, str, dict[str, Any] | None]]


async def _drive(
    *,
    base: str,
    make: Request,
    headers: dict[str, str],
    clients: int,
    seconds: float,
    requests: int,
    warmup: int,
) -> Load:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(base_url=base, headers=headers, transport=transport, timeout=30) as client:
        counter = iter(range(10**9))

        async def warm() -> None:
            for _ in range(max(1, warmup // clients)):
                method, url, body = make(next(counter))
                with contextlib.suppress(httpx.HTTPError):  # failures count in the measured part
                    await client.request(method, url, json=body)

        await asyncio.gather(*(warm() for _ in range(clients)))
        latencies: list[float] = []
        errors = 0
        first_error: str | None = None
        sent = 0
        cpu0 = time.process_time()
        started = time.perf_counter()
        end = started + seconds

        async def worker() -> None:
            nonlocal errors, first_error, sent
            while sent < requests and time.perf_counter() < end:
                sent += 1
                method, url, body = make(next(counter))
                t0 = time.perf_counter()
                try:
                    response = await client.request(method, url, json=body)
                    problem = (
                        f"{method} {url} -> {response.status_code} {response.text[:200]}"
                        if response.status_code >= 300
                        else None
                    )
                except httpx.HTTPError as exc:
                    problem = f"{method} {url} -> {type(exc).__name__}: {exc}"
                latencies.append(time.perf_counter() - t0)
                if problem is not None:
                    errors += 1
                    first_error = first_error or problem

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        return Load(len(latencies), errors, elapsed, latencies, time.process_time() - cpu0, first_error)


def measure(*, base: str, make: Request, headers: dict[str, str], sizes: dict[str, int]) -> Load:
    return asyncio.run(
        _drive(
            base=base,
            make=make,
            headers=headers,
            clients=sizes["clients"],
            seconds=float(sizes["seconds"]),
            requests=sizes["requests"],
            warmup=min(sizes["requests"] // 10, 4 * sizes["clients"]),
        )
    )


def _journal_body(group: SyntheticGroup, i: int) -> dict[str, Any]:
    companies = group.companies
    entity = companies[i % len(companies)]
    cents = Decimal(100 + i % 9_000)
    return {
        "entity_id": entity.id,
        "entry_date": f"{group.spec.year}-{group.spec.months:02d}-15",
        "description": f"bench entry {i}",
        "lines": [
            {"account_code": "6602", "debit": str(cents)},
            {"account_code": "6601", "debit": str(cents / 2)},
            {"account_code": "1403", "debit": str(cents / 2)},
            {"account_code": "1002", "credit": str(cents * Decimal("1.2"))},
            {"account_code": "2202", "credit": str(cents * Decimal("0.8"))},
        ],
    }


def _paths(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), _PARAM.sub("{}", path))
        for path, operations in openapi.get("paths", {}).items()
        for method in operations
    }


def run(ctx: Context) -> list[dict[str, Any]]:
    url = ctx.database_url
    assert url is not None
    sizes = ctx.sizes
    pg.migrate(url=url)
    group = generate(spec=GroupSpec(companies=sizes["companies"], months=3, seed=1))
    load = load_group(url=url, group=group)
    pg.vacuum_analyze(url=url, tables=sorted(load.rows))
    headers = admin_headers(url=url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GROUPLEDGER_")},
        "GROUPLEDGER_DATABASE_URL": url,
        "GROUPLEDGER_SECRET_KEY": BENCH_SECRET,
        "GROUPLEDGER_ENV": "production",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, ExitStack() as stack:
        app_server = start_server(
            name="app", target="app.asgi:app", workers=sizes["workers"], env=env, log_dir=Path(tmp)
        )
        stack.callback(app_server.stop)
        bare_server = start_server(
            name="bare", target="bench.bare_app:app", workers=sizes["workers"], env=env, log_dir=Path(tmp)
        )
        stack.callback(bare_server.stop)
        wait_ready(app_server, path="/health")
        wait_ready(bare_server, path="/constant")
        routes = _paths(httpx.get(app_server.base + "/api/v1/openapi.json", timeout=10).json())
        common = {"clients": sizes["clients"], "workers": sizes["workers"]}

        bare = measure(
            base=bare_server.base, make=lambda i: ("GET", "/constant", None), headers={}, sizes=sizes
        )
        if bare.errors == bare.requests:
            raise RuntimeError(f"the bare endpoint failed: {bare.first_error}")
        bare_row = row(
            scenario=NAME,
            case="GET constant (bare FastAPI)",
            target_ratio=None,
            baseline="",
            throughput=bare.throughput,
            sizes=common,
            details=_details(bare),
        )
        bare_row["status"] = "baseline"
        ctx.emit(bare_row)
        ctx.log(f"bare: {bare.throughput:.0f} req/s")
        ctx.emit(
            _stock_uvicorn(
                ctx, env=env, log_dir=Path(tmp), sizes=sizes, common=common, patched=bare.throughput
            )
        )

        companies = group.companies
        as_of = group.as_of().isoformat()
        cases: list[tuple[str, tuple[str, str], Request, float | None, str]] = [
            (
                "GET entity",
                ("GET", ENTITY),
                lambda i: ("GET", ENTITY.replace("{}", companies[i % len(companies)].id), None),
                READ_TARGET,
                BOUND_READ,
            ),
            (
                "GET trial balance",
                ("GET", TRIAL_BALANCE),
                lambda i: (
                    "GET",
                    TRIAL_BALANCE.replace("{}", companies[i % len(companies)].id) + f"?as_of={as_of}",
                    None,
                ),
                READ_TARGET,
                BOUND_TRIAL_BALANCE,
            ),
            (
                "POST journal entry (5 lines)",
                ("POST", JOURNAL),
                lambda i: ("POST", JOURNAL, _journal_body(group, i)),
                None,
                "",
            ),
        ]
        for case, route, make, target, bound in cases:
            if route not in routes:
                ctx.emit(
                    unavailable(
                        scenario=NAME,
                        case=case,
                        reason=f"no {route[0]} {route[1]} route yet",
                        baseline=BASELINE,
                        target_ratio=target,
                    )
                )
                continue
            measured = measure(base=app_server.base, make=make, headers=headers, sizes=sizes)
            if measured.errors:
                ctx.log(
                    f"{case}: {measured.errors} errors; server log tail: "
                    f"{app_server.log.read_text(errors='replace')[-1500:]}"
                )
            if measured.errors == measured.requests:
                ctx.emit(
                    {
                        **unavailable(
                            scenario=NAME, case=case, reason="", baseline=BASELINE, target_ratio=target
                        ),
                        "status": f"error: every request failed: {measured.first_error}",
                    }
                )
                continue
            ctx.log(f"{case}: {measured.throughput:.0f} req/s")
            profile = _profile(ctx, url=url, case=case, make=make, headers=headers)
            ctx.emit(
                row(
                    scenario=NAME,
                    case=case,
                    target_ratio=target,
                    baseline=BASELINE,
                    throughput=measured.throughput,
                    baseline_throughput=bare.throughput,
                    sizes=common,
                    details=_details(measured),
                    bound=bound,
                    profile=profile,
                )
            )
    return []


def _stock_uvicorn(
    ctx: Context,
    *,
    env: dict[str, str],
    log_dir: Path,
    sizes: dict[str, int],
    common: dict[str, int],
    patched: float,
) -> dict[str, Any]:
    """The bare endpoint under the stock `uvicorn --workers N` command, whose keep-alive responses wait on
    delayed ACKs (see bench.serve): recorded so the cost of serving that way stays visible."""
    server = start_server(
        name="bare-stock",
        target="bench.bare_app:app",
        workers=sizes["workers"],
        env=env,
        log_dir=log_dir,
        stock=True,
    )
    try:
        wait_ready(server, path="/constant")
        load = measure(base=server.base, make=lambda i: ("GET", "/constant", None), headers={}, sizes=sizes)
    finally:
        server.stop()
    ctx.log(f"bare, stock uvicorn: {load.throughput:.0f} req/s")
    out = row(
        scenario=NAME,
        case="GET constant (bare, stock uvicorn --workers: Nagle on)",
        target_ratio=None,
        baseline="bare FastAPI constant via bench.serve",
        throughput=load.throughput,
        baseline_throughput=patched,
        sizes=common,
        details=_details(load),
    )
    out["status"] = "informational"
    return out


def _details(load: Load) -> dict[str, Any]:
    return {
        "requests": load.requests,
        "errors": load.errors,
        "seconds": round(load.seconds, 2),
        "p50_ms": round(load.percentile(0.50) * 1000, 1),
        "p99_ms": round(load.percentile(0.99) * 1000, 1),
        "client_cpu_percent_of_one_core": round(100 * load.client_cpu_seconds / load.seconds, 0),
        **({"first_error": load.first_error} if load.first_error else {}),
    }


def _profile(
    ctx: Context, *, url: str, case: str, make: Request, headers: dict[str, str]
) -> dict[str, Any] | None:
    """With --profile: the same requests in process and in one thread (see bench.support.call_inline) under
    pyinstrument, since the served ones run in the uvicorn workers where no profiler of ours can see."""
    if not ctx.profile:
        return None
    app = build_app(url)
    requests = []
    for i in range(50):
        method, path, body = make(10**6 + i)
        requests.append((method, path, {"json": body} if body is not None else {}))
    label = "http-" + re.sub(r"[^a-z0-9]+", "-", case.lower()).strip("-")
    _, profile = ctx.profile_call(lambda: call_inline(app, requests, headers=headers), label=label)
    return profile
