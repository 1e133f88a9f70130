"""The journal export: its lines and columns, the package (manifest, SHA256SUMS, determinism), the formats,
and the roles and entity limits."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.exports.models import ExportJob
from tests.api.exports.conftest import API, Group, ask, export, line, post_ok
from tests.conftest import NOW, Users

HEADER = [
    "journal_id",
    "entry_number",
    "line_number",
    "entity_code",
    "fiscal_year",
    "period",
    "effective_date",
    "header_description",
    "account_number",
    "debit",
    "credit",
    "functional_currency",
    "transaction_currency",
    "transaction_amount",
    "exchange_rate",
    "counterparty_code",
    "line_description",
    "source",
    "source_ref",
    "entered_by",
    "entered_at",
    "approved_by",
    "approved_at",
    "reversal_of",
    "reversed_by",
]


@pytest.fixture
def books(client: TestClient, users: Users, group: Group) -> dict[str, Any]:
    """Three entries: a sale on credit to the subsidiary (tagged), a cash purchase with a memo that looks
    like a formula, and its reversal."""
    accountant = users.headers("accountant")
    sale = post_ok(
        client,
        accountant,
        group.parent,
        "2026-01-15",
        line("1122", debit="1000.50", counterparty_entity_id=group.sub),
        line("6001", credit="1000.50", counterparty_entity_id=group.sub),
    )
    purchase = post_ok(
        client,
        accountant,
        group.parent,
        "2026-02-03",
        line("1405", debit="250", memo='=HYPERLINK("http://x")'),
        line("1002", credit="250", memo="-cash out"),
    )
    reversal = client.post(
        f"{API}/journal-entries/{purchase['id']}/reverse",
        json={"entry_date": "2026-02-04"},
        headers=accountant,
    )
    assert reversal.status_code in (200, 201), reversal.text
    post_ok(
        client,
        accountant,
        group.sub,
        "2026-01-16",
        line("1405", debit="1000.50"),
        line("2202", credit="1000.50"),
    )
    return {"sale": sale, "purchase": purchase, "reversal": reversal.json()}


def test_the_journal_export_lists_every_line_with_its_entry(
    client: TestClient,
    users: Users,
    group: Group,
    books: dict[str, Any],
    session_factory: sessionmaker[Session],
) -> None:
    auditor = users.headers("auditor")

    package = export(client, auditor, kind="journal", format="csv", entity_ids=[group.parent])

    rows = package.csv_rows("journal_lines.csv")
    assert rows[0] == HEADER
    body = [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]
    assert [
        (r["entry_number"], r["line_number"], r["account_number"], r["debit"], r["credit"]) for r in body
    ] == [
        ("1", "1", "1122", "1000.5000", "0.0000"),
        ("1", "2", "6001", "0.0000", "1000.5000"),
        ("2", "1", "1405", "250.0000", "0.0000"),
        ("2", "2", "1002", "0.0000", "250.0000"),
        ("3", "1", "1405", "0.0000", "250.0000"),
        ("3", "2", "1002", "250.0000", "0.0000"),
    ]
    first = body[0]
    assert first["journal_id"] == books["sale"]["id"]
    assert first["effective_date"] == "2026-01-15"
    assert first["fiscal_year"] == "2026"
    assert first["period"] == "1"
    assert first["counterparty_code"] == group.code(session_factory, group.sub)
    assert first["entity_code"] == group.code(session_factory, group.parent)
    assert first["functional_currency"] == "CNY"
    assert first["transaction_currency"] == "CNY"
    assert first["transaction_amount"] == "1000.5000"
    assert first["exchange_rate"] == "1.000000000000"
    assert first["entered_by"] == "accountant"
    assert first["source"] == "manual"
    assert first["entered_at"].endswith("Z")
    assert len(first["entered_at"]) == 27
    assert body[2]["reversed_by"] == books["reversal"]["id"]
    assert body[4]["reversal_of"] == books["purchase"]["id"]
    assert body[2]["line_description"] == '\'=HYPERLINK("http://x")'
    assert body[3]["line_description"] == "'-cash out"


def test_the_manifest_counts_hashes_and_totals_every_file(
    client: TestClient, users: Users, group: Group, books: dict[str, Any], tmp_path: Path
) -> None:
    auditor = users.headers("auditor")

    package = export(client, auditor, kind="journal", format="csv")

    manifest = package.manifest
    entry = package.file("journal_lines.csv")
    assert sorted(package.zip.namelist()) == ["SHA256SUMS", "journal_lines.csv", "manifest.json"]
    assert manifest["kind"] == "journal"
    assert manifest["format"] == "csv"
    assert manifest["export_id"] == package.job["export_id"]
    assert manifest["generator"]["name"] == "GroupLedger"
    assert manifest["parameters"] == {"bom": False, "entity_ids": None, "from": None, "to": None}
    assert entry["rows"] == 8
    assert entry["bytes"] == len(package.read("journal_lines.csv"))
    assert entry["control_totals"] == {"credit": "2501.0000", "debit": "2501.0000"}
    assert entry["control_totals_by_currency"] == {"CNY": {"credit": "2501.0000", "debit": "2501.0000"}}
    package.zip.extractall(tmp_path)
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_exporting_twice_gives_the_same_bytes(
    client: TestClient, users: Users, books: dict[str, Any], fmt: str
) -> None:
    auditor = users.headers("auditor")

    first = export(client, auditor, kind="journal", format=fmt)
    second = export(client, users.headers("controller"), kind="journal", format=fmt)

    assert first.job["id"] != second.job["id"]
    assert first.job["export_id"] == second.job["export_id"]
    assert first.raw == second.raw
    infos = first.zip.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_the_completed_export_is_in_the_audit_trail_with_its_manifest_hash(
    client: TestClient, users: Users, books: dict[str, Any]
) -> None:
    auditor = users.headers("auditor")

    package = export(client, auditor, kind="journal", format="csv")

    events = client.get(
        f"{API}/audit-events", params={"subject_id": package.job["id"]}, headers=users.headers("admin")
    ).json()["items"]
    assert [e["action"] for e in events] == ["export.requested", "export.completed"]
    completed = events[1]["after"]
    assert completed["manifest_sha256"] == package.job["manifest_sha256"]
    assert completed["package_sha256"] == package.job["package_sha256"]
    assert completed["rows"] == 8
    assert events[1]["actor_name"] == "auditor"


def test_a_bom_starts_the_csv_on_request(client: TestClient, users: Users, books: dict[str, Any]) -> None:
    package = export(client, users.headers("auditor"), kind="journal", format="csv", bom=True)

    assert package.read("journal_lines.csv").startswith("\ufeffjournal_id,".encode())
    assert package.manifest["parameters"]["bom"] is True


def test_json_lines_keep_decimals_as_strings_and_numbers_as_numbers(
    client: TestClient, users: Users, group: Group, books: dict[str, Any]
) -> None:
    package = export(
        client, users.headers("auditor"), kind="journal", format="jsonl", entity_ids=[group.parent]
    )

    lines = [json.loads(x) for x in package.text("journal_lines.jsonl").splitlines()]
    assert len(lines) == 6
    assert list(lines[0]) == HEADER
    assert lines[0]["debit"] == "1000.5000"
    assert lines[0]["entry_number"] == 1
    assert lines[0]["approved_by"] is None
    assert lines[2]["line_description"] == '=HYPERLINK("http://x")'


def test_the_workbook_holds_numbers_dates_and_neutralized_text(
    client: TestClient, users: Users, group: Group, books: dict[str, Any], tmp_path: Path
) -> None:
    package = export(
        client, users.headers("auditor"), kind="journal", format="xlsx", entity_ids=[group.parent]
    )

    path = tmp_path / "journal.xlsx"
    path.write_bytes(package.read("journal_lines.xlsx"))
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    assert list(rows[0]) == HEADER
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["debit"] == 1000.5
    assert first["credit"] == 0
    assert first["entry_number"] == 1
    assert str(first["effective_date"])[:10] == "2026-01-15"
    third = dict(zip(HEADER, rows[3], strict=True))
    assert third["line_description"] == '\'=HYPERLINK("http://x")'
    assert len(rows) == 7


def test_dates_limit_the_lines(client: TestClient, users: Users, group: Group, books: dict[str, Any]) -> None:
    package = export(
        client,
        users.headers("auditor"),
        kind="journal",
        entity_ids=[group.parent],
        **{"from": "2026-02-01", "to": "2026-02-03"},
    )

    rows = package.csv_rows("journal_lines.csv")[1:]
    assert [r[HEADER.index("effective_date")] for r in rows] == ["2026-02-03", "2026-02-03"]


class TestAccess:
    @pytest.mark.parametrize("role", ["admin", "accountant", "viewer"])
    def test_only_auditors_and_controllers_export(self, client: TestClient, users: Users, role: str) -> None:
        response = ask(client, users.headers(role), kind="journal")

        assert response.status_code == 403

    def test_a_limited_user_exports_only_its_entities(
        self,
        client: TestClient,
        users: Users,
        group: Group,
        books: dict[str, Any],
        session_factory: sessionmaker[Session],
    ) -> None:
        users.create("sub-auditor", "auditor", entity_ids=[group.sub])
        limited = users.headers("sub-auditor")

        package = export(client, limited, kind="journal")
        other = ask(client, limited, kind="journal", entity_ids=[group.parent])
        roles = ask(client, limited, kind="users")

        assert {r[3] for r in package.csv_rows("journal_lines.csv")[1:]} == {
            group.code(session_factory, group.sub)
        }
        assert package.manifest["parameters"]["entity_ids"] == [group.sub]
        assert other.status_code == 404
        assert other.json()["entity_ids"] == [group.parent]
        assert roles.status_code == 403

    def test_a_limited_user_does_not_see_other_jobs(
        self, client: TestClient, users: Users, group: Group, books: dict[str, Any]
    ) -> None:
        users.create("sub-controller", "controller", entity_ids=[group.sub])
        limited = users.headers("sub-controller")
        theirs = export(client, users.headers("auditor"), kind="journal")
        own = export(client, limited, kind="journal")

        listed = client.get(f"{API}/exports", headers=limited).json()["items"]
        read = client.get(f"{API}/exports/{theirs.job['id']}", headers=limited)
        download = client.get(f"{API}/exports/{theirs.job['id']}/package", headers=limited)
        unlimited = client.get(
            f"{API}/exports", params={"limit": 1000}, headers=users.headers("auditor")
        ).json()

        assert [j["id"] for j in listed] == [own.job["id"]]
        assert read.status_code == 404
        assert download.status_code == 404
        assert {theirs.job["id"], own.job["id"]} <= {j["id"] for j in unlimited["items"]}


class TestRequests:
    def test_every_broken_rule_is_named(self, client: TestClient, users: Users) -> None:
        response = ask(
            client,
            users.headers("auditor"),
            kind="trial_balance",
            format="xml",
            bom=True,
            after_seq=3,
            **{"from": "2026-02-01"},
        )

        assert response.status_code == 422
        locs = sorted(tuple(e["loc"]) for e in response.json()["errors"])
        assert locs == [("body", "after_seq"), ("body", "bom"), ("body", "format"), ("body", "to")]

    def test_unknown_fields_and_floats_are_refused(self, client: TestClient, users: Users) -> None:
        unknown = ask(client, users.headers("auditor"), kind="journal", status="done")
        floaty = ask(client, users.headers("auditor"), kind="intercompany", to="2026-01-31", tolerance=0.5)

        assert unknown.status_code == 422
        assert floaty.status_code == 422

    def test_a_package_not_yet_made_is_a_409(
        self, client: TestClient, users: Users, session_factory: sessionmaker[Session]
    ) -> None:
        auditor = users.headers("auditor")
        with session_factory() as session:
            job = ExportJob(
                kind="journal",
                format="csv",
                params={},
                entity_scope=None,
                export_id="0" * 32,
                status="running",
                progress_rows=5000,
                total_rows=20000,
                created_by_id=users.ids["auditor"],
                created_by="auditor",
                created_role="auditor",
                created_at=NOW,
            )
            session.add(job)
            session.commit()
            job_id = job.id

        read = client.get(f"{API}/exports/{job_id}", headers=auditor)
        download = client.get(f"{API}/exports/{job_id}/package", headers=auditor)
        missing = client.get(f"{API}/exports/01900000-0000-7000-8000-000000000000", headers=auditor)

        assert read.status_code == 200
        assert read.json()["progress"] == "0.2500"
        assert read.json()["links"]["package"] is None
        assert download.status_code == 409
        assert missing.status_code == 404


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))
