"""The workbooks open in LibreOffice: converted to CSV headless ("as shown", UTF-8), they hold the same cells
as the CSV export of the same data.

In the default suite: `.ci/ensure-system` installs LibreOffice Calc without a GUI (Debian
`libreoffice-calc-nogui`, about 200 MB and a minute to install; each conversion takes a few seconds). Where
`soffice` is missing the test is skipped, except under CI=true, where it fails. To run it alone:
`.venv/bin/pytest tests/integration/exports/test_exports_libreoffice.py`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.exports.config import ExportSettings
from tests.api.exports.conftest import Group, export, line, post_ok
from tests.api.exports.conftest import group as group  # the fixture, for this module
from tests.conftest import Users

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
#: Text CSV filter options: comma, double quote, UTF-8, from line 1, cells "as shown".
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


@pytest.fixture
def app(app: FastAPI, tmp_path: Path) -> FastAPI:
    app.state.export_settings = ExportSettings(directory=tmp_path / "exports")
    return app


@pytest.fixture
def soffice() -> str:
    if SOFFICE is None:
        if IN_CI:
            pytest.fail("LibreOffice (soffice) is missing: .ci/ensure-system installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed")
    return SOFFICE


def _convert(soffice: str, workbooks: list[Path], out: Path) -> None:
    profile = out / "profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            *map(str, workbooks),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_libreoffice_reads_the_workbooks_as_the_csv_says(
    client: TestClient, users: Users, group: Group, soffice: str, tmp_path: Path
) -> None:
    acct = users.headers("accountant")
    post_ok(
        client,
        acct,
        group.parent,
        "2025-12-20",
        line(
            "1122", debit="9876543210987.6543", memo='客户 "华北", 第一批', counterparty_entity_id=group.sub
        ),
        line("6001", credit="9876543210987.6543", memo="=SUM(A1:A9)"),
    )
    post_ok(
        client,
        acct,
        group.parent,
        "2026-01-05",
        line("6401", debit="600.25", memo="-冲销"),
        line("1405", credit="600.25", memo="@mention\tand tab"),
    )
    auditor = users.headers("auditor")
    pairs: list[tuple[str, dict[str, Any]]] = [
        ("journal_lines", {"kind": "journal", "entity_ids": [group.parent]}),
        ("trial_balance", {"kind": "trial_balance", "entity_ids": [group.parent], "to": "2026-01-31"}),
    ]
    workbooks: list[Path] = []
    expected: dict[str, list[list[str]]] = {}
    for name, body in pairs:
        as_csv = export(client, auditor, format="csv", **body)
        as_xlsx = export(client, auditor, format="xlsx", **body)
        expected[name] = _rows(as_csv.read(f"{name}.csv"))
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(as_xlsx.read(f"{name}.xlsx"))
        workbooks.append(path)

    _convert(soffice, workbooks, tmp_path)

    for name, rows in expected.items():
        converted = _rows((tmp_path / f"{name}.csv").read_bytes())
        assert converted == rows, name
    balances = {r[4]: r[12] for r in expected["trial_balance"][1:]}
    assert balances["1405"] == "-600.2500"
    assert balances["4104"] == "9876543210987.6543"
