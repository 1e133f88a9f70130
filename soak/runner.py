"""The soak test: uvicorn on loopback, several client processes for a fixed time, optional SIGKILLs of the
server at random moments, then the invariants checked against the database.

    python -m soak --duration 30 --clients 4 --db postgresql|sqlite [--kill-every S] [--out FILE]

Only 127.0.0.1 is ever contacted. The database is a fresh one (a temporary SQLite file, or a PostgreSQL
database created beside GROUPLEDGER_TEST_POSTGRES_URL's and dropped afterwards), filled by the demo loader
first. Exit status 0 when every invariant holds (or is not applicable yet), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from soak.client import ClientConfig, run_client
from soak.invariants import FAILED, Journal, check_all, id_snapshot

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_PG = os.environ.get(
    "GROUPLEDGER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SOAK_ROLES = {
    "admin": "admin",
    "controller": "controller",
    "controller2": "controller",
    "accountant": "accountant",
    "auditor": "auditor",
    "viewer": "viewer",
}
AS_OF = "2026-06-30"


@dataclass
class Options:
    duration: float
    clients: int
    db: str
    kill_every: float | None
    seed: int
    out: Path
    invalid_rate: float
    duplicate_rate: float
    postgres_url: str
    skip: list[str]


def parse(argv: list[str] | None = None) -> Options:
    p = argparse.ArgumentParser(prog="python -m soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=30, help="seconds of load")
    p.add_argument("--clients", type=int, default=4, help="client processes")
    p.add_argument("--db", choices=["postgresql", "sqlite"], default="sqlite")
    p.add_argument("--kill-every", type=float, default=None, help="SIGKILL the server about every S seconds")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    p.add_argument("--invalid-rate", type=float, default=0.1)
    p.add_argument("--duplicate-rate", type=float, default=0.1)
    p.add_argument(
        "--postgres-url", default=DEFAULT_PG, help="an existing database beside which to create one"
    )
    p.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="OPERATION",
        help="leave out an operation (e.g. run_consolidation); recorded in the result",
    )
    a = p.parse_args(argv)
    return Options(
        a.duration,
        a.clients,
        a.db,
        a.kill_every,
        a.seed if a.seed is not None else secrets.randbelow(10**6),
        a.out,
        a.invalid_rate,
        a.duplicate_rate,
        a.postgres_url,
        a.skip,
    )


# --- database --------------------------------------------------------------------------------------------


@contextmanager
def fresh_database(opts: Options, workdir: Path) -> Iterator[str]:
    if opts.db == "sqlite":
        yield f"sqlite:///{workdir / 'soak.sqlite3'}"
        return
    name = f"gl_soak_{uuid.uuid4().hex[:10]}"
    admin = create_engine(opts.postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(opts.postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, secret: str, password: str) -> list[str]:
    """Schema, the demo group, and the soak's users (through the services, so all of it is audited).

    Each demo step runs on its own; one that fails (a feature half landed) is reported, not fatal: the soak
    then runs on what the other steps loaded. Returns the failures.
    """
    from app.cli import migrate_to_head
    from app.core.config import Settings
    from app.core.context import SYSTEM_ACTOR
    from app.core.db import Base, make_engine, make_session_factory
    from app.core.security import Role
    from app.demo.loader import demo_steps
    from app.demo.report import DemoReport
    from app.users import service as users_service

    settings = Settings(env="production", database_url=url, secret_key=secret)  # type: ignore[arg-type]
    migrate_to_head(settings)
    now = datetime.now(UTC)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with engine.connect() as conn:
        missing = sorted(set(Base.metadata.tables) - set(inspect(conn).get_table_names()))
    failures = [f"tables in the models but not migrated: {', '.join(missing)}"] if missing else []
    try:
        for step in demo_steps():
            with factory() as session:
                try:
                    step(session, DemoReport(), now)
                except Exception as exc:
                    failures.append(
                        f"demo step {step.__name__}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
                    )
        with factory() as session:
            for username, role in SOAK_ROLES.items():
                users_service.create_user(
                    session,
                    actor=SYSTEM_ACTOR,
                    username=f"soak-{username}",
                    password=password,
                    role=Role(role),
                    entity_ids=[],
                    now=now,
                )
    finally:
        engine.dispose()
    return failures


# --- the server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """uvicorn in a child process; `kill()` is a SIGKILL (no cleanup, mid-request), `start()` a restart."""

    def __init__(self, *, url: str, secret: str, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.env = {
            **os.environ,
            "GROUPLEDGER_DATABASE_URL": url,
            "GROUPLEDGER_SECRET_KEY": secret,
            "GROUPLEDGER_ENV": "production",
            "GROUPLEDGER_TOKEN_MINUTES": "240",
            "GROUPLEDGER_LOG_JSON": "true",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self.downtime = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        handle = self.log.open("ab")
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603
        handle.close()
        self.starts += 1
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.base_url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not become ready in {timeout}s; see {self.log}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def login(base_url: str, password: str) -> dict[str, str]:
    tokens = {}
    for username in SOAK_ROLES:
        response = httpx.post(
            f"{base_url}/api/v1/auth/token",
            data={"username": f"soak-{username}", "password": password},
            timeout=30,
        )
        response.raise_for_status()
        tokens[username] = response.json()["access_token"]
    return tokens


def record_rates(base_url: str, tokens: dict[str, str], routes: list[tuple[str, str]]) -> None:
    """Exchange rates for the demo's foreign companies (EUR), so consolidations can translate them: one of
    each kind from long ago (lookups take the latest rate on or before a date) and one on the soak's date."""
    if ("POST", "/api/v1/fx-rates") not in routes:
        return
    headers = {"Authorization": f"Bearer {tokens['controller']}"}
    for on, rate in (("1990-01-01", "7.8"), (AS_OF, "7.7")):
        for kind in ("closing", "average", "historical"):
            body = {"currency": "EUR", "quote_currency": "CNY", "kind": kind, "on": on, "rate": rate}
            httpx.post(f"{base_url}/api/v1/fx-rates", json=body, headers=headers, timeout=30)


def discover(base_url: str, tokens: dict[str, str]) -> tuple[list[tuple[str, str]], str | None]:
    doc = httpx.get(f"{base_url}/api/v1/openapi.json", timeout=30).json()
    routes = [
        (m.upper(), p) for p, item in doc["paths"].items() for m in item if m in {"get", "post", "patch"}
    ]
    found = httpx.get(
        f"{base_url}/api/v1/entities",
        params={"code": "BJAP"},
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
        timeout=30,
    )
    items = found.json().get("items", []) if found.status_code == 200 else []
    return routes, (items[0]["id"] if items else None)


# --- the run ---------------------------------------------------------------------------------------------


def kill_loop(server: Server, *, deadline: float, every: float, rng: random.Random) -> None:
    while True:
        wait = every * rng.uniform(0.5, 1.5)
        if time.time() + wait >= deadline:
            time.sleep(max(0.0, deadline - time.time()))
            return
        time.sleep(wait)
        down = time.monotonic()
        server.kill()
        time.sleep(rng.uniform(0.0, 0.5))
        server.start()
        server.downtime += time.monotonic() - down


def summarize(rows: list[dict[str, Any]], duration: float) -> dict[str, Any]:
    by_op: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        by_op[r["op"]][str(r["status"]) if r["status"] is not None else r["reason"] or "no answer"] += 1
    kinds = Counter(r["kind"] for r in rows)
    problems: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.get("problem"):
            problems[r["op"]][str(r["problem"]).rsplit("/", 1)[-1]] += 1
    return {
        "total": len(rows),
        "per_second": round(len(rows) / duration, 1) if duration else None,
        "by_kind": dict(kinds),
        "by_operation": {op: dict(sorted(c.items())) for op, c in sorted(by_op.items())},
        "refusals_by_problem": {op: dict(c.most_common()) for op, c in sorted(problems.items())},
        "gave_up": sum(1 for r in rows if r["status"] is None),
        "in_flight_forever": sum(1 for r in rows if r["reason"] == "in-flight forever"),
    }


def run(opts: Options) -> dict[str, Any]:
    rng = random.Random(opts.seed)
    workdir = Path(tempfile.mkdtemp(prefix="gl-soak-"))
    secret, password = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    started = datetime.now(UTC)
    try:
        with fresh_database(opts, workdir) as url:
            setup_failures = prepare(url, secret, password)
            server = Server(url=url, secret=secret, port=free_port(), log=workdir / "server.log")
            server.start()
            try:
                tokens = login(server.base_url, password)
                routes, parent_id = discover(server.base_url, tokens)
                record_rates(server.base_url, tokens, routes)
                engine = create_engine(url)
                with engine.connect() as conn:
                    before = id_snapshot(conn)
                deadline = time.time() + opts.duration
                ctx = multiprocessing.get_context("spawn")
                journals = [workdir / f"client-{i}.jsonl" for i in range(opts.clients)]
                procs = [
                    ctx.Process(
                        target=run_client,
                        args=(
                            ClientConfig(
                                index=i,
                                base_url=server.base_url,
                                tokens=tokens,
                                deadline=deadline,
                                seed=opts.seed * 100 + i,
                                journal=str(journals[i]),
                                invalid_rate=opts.invalid_rate,
                                duplicate_rate=opts.duplicate_rate,
                                routes=routes,
                                as_of=AS_OF,
                                parent_id=parent_id,
                                skip=opts.skip,
                            ),
                        ),
                    )
                    for i in range(opts.clients)
                ]
                for proc in procs:
                    proc.start()
                if opts.kill_every:
                    kill_loop(server, deadline=deadline, every=opts.kill_every, rng=rng)
                for proc in procs:
                    proc.join(timeout=opts.duration + 180)
                    if proc.is_alive():
                        proc.kill()
                client_failures = [i for i, proc in enumerate(procs) if proc.exitcode != 0]
            finally:
                server.stop()
            rows = [json.loads(line) for j in journals if j.exists() for line in j.read_text().splitlines()]
            journal = Journal(rows)
            with engine.connect() as conn:
                results = check_all(conn, before=before, journal=journal)
            engine.dispose()
            log_lines = (workdir / "server.log").read_text(errors="replace").splitlines()
            log_errors = [line for line in log_lines if '"level": "error"' in line][:10]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [r.name for r in results if r.status == FAILED]
    if client_failures:
        failed.append(f"client processes {client_failures} crashed")
    return {
        "ok": not failed,
        "failed": failed,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "duration_seconds": opts.duration,
            "clients": opts.clients,
            "db": opts.db,
            "kill_every_seconds": opts.kill_every,
            "seed": opts.seed,
            "invalid_rate": opts.invalid_rate,
            "duplicate_rate": opts.duplicate_rate,
            "skipped_operations": opts.skip,
        },
        "setup_failures": setup_failures,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        },
        "server": {
            "starts": server.starts,
            "kills": server.kills,
            "downtime_seconds": round(server.downtime, 1),
        },
        "requests": summarize(rows, opts.duration),
        "operations_enabled": sorted({r["op"] for r in rows}),
        "invariants": [r.as_dict() for r in results],
        "server_errors": log_errors,
    }


def main(argv: list[str] | None = None, *, write: Callable[[str], Any] = print) -> int:
    opts = parse(argv)
    result = run(opts)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for inv in result["invariants"]:
        write(f"{inv['status']:>20}  {inv['name']}: {inv['detail']}")
    req = result["requests"]
    write(
        f"{req['total']} requests ({req['per_second']}/s), {result['server']['kills']} kills; "
        f"{'OK' if result['ok'] else 'FAILED: ' + ', '.join(result['failed'])}; written to {opts.out}"
    )
    return 0 if result["ok"] else 1
