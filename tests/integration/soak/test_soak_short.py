"""A 20-second soak with the server SIGKILLed at random moments, on SQLite and on PostgreSQL: every
invariant of soak/invariants.py holds afterwards (see docs/RELIABILITY.md for the 10-minute run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, POSTGRES_URL, _postgres_reachable

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_short_soak_with_kills_keeps_every_invariant(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and (problem := _postgres_reachable(POSTGRES_URL)) is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is unreachable: {problem}", pytrace=False)
        pytest.skip(f"PostgreSQL is unreachable: {problem}")
    out = tmp_path / "soak.json"

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "soak",
            "--duration",
            "20",
            "--clients",
            "3",
            "--db",
            backend,
            "--kill-every",
            "8",
            "--seed",
            "20261126",
            "--out",
            str(out),
            "--postgres-url",
            POSTGRES_URL,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert out.exists(), done.stderr[-3000:]
    result = json.loads(out.read_text())
    failed = {i["name"]: i["detail"] for i in result["invariants"] if i["status"] == "failed"}
    assert done.returncode == 0, json.dumps(
        {"failed": failed, "server_errors": result["server_errors"][:2]}, indent=1, ensure_ascii=False
    )[:6000]
    assert result["ok"]
    assert result["server"]["kills"] >= 1
    # The server is down while it restarts (seconds, more on a loaded machine): few requests, all checked.
    assert result["requests"]["total"] >= 20
    assert {i["name"]: i["status"] for i in result["invariants"]}["audit chain verifies"] == "ok"
