"""Files from and to the outside: uploaded workbooks (zip bombs, XML external entities, entity expansion) and
exported CSV (formula injection). Workbooks are built here by hand (a zip of XML parts) so each attack is
exactly the one named."""

from __future__ import annotations

import csv
import functools
import io
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Users
from tests.security.routes import ROUTES

IMPORT = "/api/v1/entities/{entity_id}/trial-balance-imports"
EXPORTS = "/api/v1/exports"
HAS_IMPORT = any(r.method == "POST" and r.path == IMPORT for r in ROUTES)
HAS_EXPORTS = any(r.method == "POST" and r.path == EXPORTS for r in ROUTES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="TB" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _sheet(rows: list[list[str]], *, prolog: str = "") -> str:
    body = "".join(
        f'<row r="{i}">' + "".join(_cell(f"{'ABCD'[j]}{i}", v) for j, v in enumerate(row)) + "</row>"
        for i, row in enumerate(rows, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + prolog
        + '<worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData>' + body + "</sheetData></worksheet>"
    )


def _xlsx(sheet: str | bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


HEADER = ["account_code", "debit", "credit"]


@functools.cache
def _zip_bomb() -> bytes:
    """A workbook whose sheet inflates to 200 MB (of an XML comment) from well under 1 MB."""
    padding = "<!-- " + " " * (200 * 1024 * 1024) + " -->"
    return _xlsx(_sheet([HEADER, ["1002", "1.00", "0"]]).replace("<sheetData>", padding + "<sheetData>"))


@pytest.fixture
def company(client: TestClient, users: Users) -> str:
    response = client.post(
        "/api/v1/entities",
        json={"code": "FILES", "name": "文件测试", "kind": "company"},
        headers=users.headers("admin"),
    )
    return str(response.json()["id"])


def _upload(client: TestClient, users: Users, company: str, data: bytes, name: str = "tb.xlsx") -> object:
    return client.post(
        IMPORT.format(entity_id=company),
        params={"as_of": "2026-06-30"},
        files={"file": (name, data, XLSX)},
        headers=users.headers("accountant"),
    )


@pytest.mark.skipif(not HAS_IMPORT, reason="no trial-balance import route yet")
class TestWorkbookUploads:
    def test_an_honest_workbook_is_read(self, client: TestClient, users: Users, company: str) -> None:
        data = _xlsx(_sheet([HEADER, ["1002", "500.00", "0"], ["4001", "0", "500.00"]]))

        response = _upload(client, users, company, data)

        assert response.status_code == 200, response.text  # type: ignore[attr-defined]
        assert response.json()["lines_read"] == 2  # type: ignore[attr-defined]

    def test_a_zip_bomb_is_refused_before_it_is_inflated(
        self, client: TestClient, users: Users, company: str
    ) -> None:
        bomb = _zip_bomb()
        started = time.perf_counter()

        response = _upload(client, users, company, bomb)

        assert len(bomb) < 1024 * 1024
        assert response.status_code in (413, 422), response.text[:300]  # type: ignore[attr-defined]
        assert time.perf_counter() - started < 10

    def test_an_external_entity_is_not_resolved(self, client: TestClient, users: Users, company: str) -> None:
        prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        data = _xlsx(_sheet([HEADER, ["&xxe;", "1.00", "0"]], prolog=prolog))

        response = _upload(client, users, company, data)

        assert response.status_code == 422, response.text[:300]  # type: ignore[attr-defined]
        assert "root:" not in response.text  # type: ignore[attr-defined]

    def test_entity_expansion_is_refused(self, client: TestClient, users: Users, company: str) -> None:
        laughs = ['<!ENTITY l0 "lol">'] + [
            f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
        ]
        data = _xlsx(
            _sheet([HEADER, ["&l9;", "1.00", "0"]], prolog=f"<!DOCTYPE worksheet [{''.join(laughs)}]>")
        )
        started = time.perf_counter()

        response = _upload(client, users, company, data)

        assert response.status_code == 422, response.text[:300]  # type: ignore[attr-defined]
        assert time.perf_counter() - started < 10

    def test_a_file_that_is_not_a_workbook_is_refused(
        self, client: TestClient, users: Users, company: str
    ) -> None:
        response = _upload(client, users, company, b"PK\x03\x04 not really a zip")

        assert response.status_code == 422  # type: ignore[attr-defined]

    def test_a_formula_in_an_uploaded_csv_is_refused_as_data(
        self, client: TestClient, users: Users, company: str
    ) -> None:
        data = b'account_code,debit,credit\n=HYPERLINK("http://127.0.0.1"),1.00,0\n'

        response = _upload(client, users, company, data, name="tb.csv")

        assert response.status_code == 422  # type: ignore[attr-defined]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


@pytest.fixture
def export_client(app: FastAPI, tmp_path: Path) -> Iterator[TestClient]:
    from app.exports.config import ExportSettings

    app.state.export_settings = ExportSettings(directory=tmp_path / "exports")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.skipif(not HAS_EXPORTS, reason="POST /api/v1/exports does not exist yet (exports not built)")
@pytest.mark.parametrize("kind", ["entities", "journal"])
def test_exported_csv_cells_cannot_start_a_formula(
    export_client: TestClient, users: Users, kind: str
) -> None:
    client, admin = export_client, users.headers("admin")
    formula = '=HYPERLINK("http://127.0.0.1","x")'
    created = client.post(
        "/api/v1/entities", json={"code": "FORMULA", "name": formula, "kind": "company"}, headers=admin
    )
    entity_id = created.json()["id"]
    posted = client.post(
        "/api/v1/journal-entries",
        json={
            "entity_id": entity_id,
            "entry_date": "2026-03-15",
            "description": "@SUM(1+1)*cmd|' /C calc'!A0",
            "lines": [{"account_code": "1001", "debit": "5.00"}, {"account_code": "6001", "credit": "5.00"}],
        },
        headers=admin,
    )
    assert posted.status_code == 201, posted.text

    job = client.post(
        EXPORTS,
        json={
            "kind": kind,
            "format": "csv",
            "entity_ids": [entity_id],
            "from": "2026-01-01",
            "to": "2026-12-31",
        },
        headers=users.headers("controller"),
    ).json()
    package = client.get(job["links"]["package"], headers=users.headers("controller"))

    assert job["status"] == "done", job
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        cells = [
            cell
            for name in archive.namelist()
            if name.endswith(".csv")
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            for cell in row
        ]
    assert any("HYPERLINK" in c or "SUM(1+1)" in c for c in cells)
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(c)]
    assert dangerous == []
