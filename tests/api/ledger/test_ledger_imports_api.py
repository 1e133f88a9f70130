"""Reporting packages (JSON, CSV, XLSX): exact trial balance back, nothing on re-import, dry runs, refusal."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.ledger.conftest import Group, line, post_ok

PACKAGE_AS_OF = "2026-06-30"


def package(parent_code: str) -> list[dict[str, str]]:
    return [
        {"account_code": "1002", "debit": "5000", "credit": "", "counterparty_code": ""},
        {"account_code": "1122", "debit": "1200.50", "credit": "", "counterparty_code": parent_code},
        {"account_code": "4001", "debit": "", "credit": "3000", "counterparty_code": ""},
        {"account_code": "4104", "debit": "", "credit": "2000.50", "counterparty_code": ""},
        {"account_code": "6001", "debit": "", "credit": "2500", "counterparty_code": ""},
        {"account_code": "6001", "debit": "", "credit": "1500", "counterparty_code": parent_code},
        {"account_code": "6401", "debit": "2800", "credit": "", "counterparty_code": ""},
    ]


def as_balances(lines: list[dict[str, Any]], ids: dict[str, str]) -> dict[tuple[str, str | None], Decimal]:
    out: dict[tuple[str, str | None], Decimal] = {}
    for ln in lines:
        counterparty = ln.get("counterparty_entity_id") or ids.get(ln.get("counterparty_code") or "")
        out[(ln["account_code"], counterparty)] = Decimal(ln["debit"] or 0) - Decimal(ln["credit"] or 0)
    return out


def trial_balance(client: TestClient, headers: dict[str, str], entity_id: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/api/v1/entities/{entity_id}/trial-balance", headers=headers, params={"as_of": PACKAGE_AS_OF}
    )
    return list(response.json()["lines"])


def entry_count(client: TestClient, headers: dict[str, str], entity_id: str) -> int:
    return len(
        client.get("/api/v1/journal-entries", headers=headers, params={"entity_id": entity_id}).json()[
            "items"
        ]
    )


def csv_bytes(lines: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["account_code", "debit", "credit", "counterparty_code"])
    writer.writeheader()
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(lines: list[dict[str, str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["account_code", "debit", "credit", "counterparty_code"])
    for ln in lines:
        sheet.append(
            [
                int(ln["account_code"]) if ln["account_code"].isdigit() else ln["account_code"],
                float(ln["debit"]) if ln["debit"] else None,
                float(ln["credit"]) if ln["credit"] else None,
                ln["counterparty_code"] or None,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def send(
    client: TestClient,
    headers: dict[str, str],
    entity_id: str,
    fmt: str,
    lines: list[dict[str, str]],
    *,
    dry_run: bool = False,
    codes: str = "group",
) -> Any:
    url = f"/api/v1/entities/{entity_id}/trial-balance-imports"
    params = {"dry_run": "true"} if dry_run else {}
    if fmt == "json":
        return client.post(
            url, headers=headers, params=params, json={"as_of": PACKAGE_AS_OF, "codes": codes, "lines": lines}
        )
    content = csv_bytes(lines) if fmt == "csv" else xlsx_bytes(lines)
    name = f"package.{fmt}"
    return client.post(
        url,
        headers=headers,
        params=params,
        data={"as_of": PACKAGE_AS_OF, "codes": codes},
        files={"file": (name, content, "application/octet-stream")},
    )


@pytest.fixture
def codes(group: Group, session_factory: sessionmaker[Session]) -> dict[str, str]:
    return {group.code(session_factory, group.parent): group.parent}


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
class TestGoodPackage:
    def test_gives_exactly_its_trial_balance_back_and_nothing_on_reimport(
        self, fmt: str, client: TestClient, as_admin: dict[str, str], group: Group, codes: dict[str, str]
    ) -> None:
        post_ok(
            client, as_admin, group.sub, "2025-11-30", line("1002", debit="800"), line("6001", credit="800")
        )
        post_ok(
            client, as_admin, group.sub, "2026-02-01", line("1002", debit="300"), line("4001", credit="300")
        )
        lines = package(next(iter(codes)))

        first = send(client, as_admin, group.sub, fmt, lines)
        balances = trial_balance(client, as_admin, group.sub)
        again = send(client, as_admin, group.sub, fmt, lines)

        assert first.status_code == 200, first.text
        assert first.json()["posted"] is True
        assert first.json()["entry"]["source"] == "import"
        assert first.json()["entry"]["entry_date"] == PACKAGE_AS_OF
        assert as_balances(balances, codes) == as_balances(lines, codes)
        assert again.json()["posted"] is False
        assert again.json()["adjustment"] == []
        assert entry_count(client, as_admin, group.sub) == 3

    def test_a_dry_run_shows_the_entry_and_writes_nothing(
        self, fmt: str, client: TestClient, as_admin: dict[str, str], group: Group, codes: dict[str, str]
    ) -> None:
        post_ok(
            client, as_admin, group.sub, "2026-02-01", line("1002", debit="300"), line("4001", credit="300")
        )

        preview = send(client, as_admin, group.sub, fmt, package(next(iter(codes))), dry_run=True)

        assert preview.json()["dry_run"] is True
        assert preview.json()["posted"] is False
        assert preview.json()["entry"] is None
        assert [(a["account_code"], a["debit"], a["credit"]) for a in preview.json()["adjustment"]] == [
            ("1002", "4700.0000", "0.0000"),
            ("1122", "1200.5000", "0.0000"),
            ("4001", "0.0000", "2700.0000"),
            ("4104", "0.0000", "2000.5000"),
            ("6001", "0.0000", "2500.0000"),
            ("6001", "0.0000", "1500.0000"),
            ("6401", "2800.0000", "0.0000"),
        ]
        assert entry_count(client, as_admin, group.sub) == 1


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_a_package_with_several_errors_is_refused_whole(
    fmt: str, client: TestClient, as_admin: dict[str, str], group: Group
) -> None:
    post_ok(client, as_admin, group.sub, "2026-02-01", line("1002", debit="300"), line("4001", credit="300"))
    before = trial_balance(client, as_admin, group.sub)
    bad = [
        {"account_code": "1002", "debit": "100", "credit": "", "counterparty_code": ""},
        {"account_code": "9999", "debit": "50", "credit": "", "counterparty_code": ""},
        {"account_code": "4001", "debit": "", "credit": "150", "counterparty_code": "NO-SUCH-CO"},
        {"account_code": "6001", "debit": "", "credit": "12.34567", "counterparty_code": ""},
    ]

    response = send(client, as_admin, group.sub, fmt, bad)

    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/package-rejected")
    first_row = 1 if fmt == "json" else 2
    assert [(e["row"], e["column"], e["type"]) for e in body["errors"]] == [
        (first_row + 1, "account_code", "unknown_account"),
        (first_row + 2, "counterparty_code", "unknown_counterparty"),
        (first_row + 3, "credit", "invalid_amount"),
    ]
    assert trial_balance(client, as_admin, group.sub) == before
    assert entry_count(client, as_admin, group.sub) == 1


def test_an_unbalanced_package_is_refused(client: TestClient, as_admin: dict[str, str], group: Group) -> None:
    lines = [{"account_code": "1002", "debit": "100"}, {"account_code": "4001", "credit": "99"}]

    response = client.post(
        f"/api/v1/entities/{group.sub}/trial-balance-imports",
        headers=as_admin,
        json={"as_of": PACKAGE_AS_OF, "lines": lines},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "unbalanced"
    assert response.json()["errors"][0]["loc"] == ["body", "lines"]


def test_imports_a_package_in_small_enterprise_codes(
    client: TestClient, as_admin: dict[str, str], group: Group
) -> None:
    client.post(
        f"/api/v1/entities/{group.sub}/local-accounts/apply-template",
        headers=as_admin,
        json={"template": "small_enterprise"},
    )
    local = [
        {"account_code": "1002", "debit": "900", "credit": "", "counterparty_code": ""},
        {"account_code": "3001", "debit": "", "credit": "500", "counterparty_code": ""},
        {"account_code": "5001", "debit": "", "credit": "1000", "counterparty_code": ""},
        {"account_code": "5401", "debit": "600", "credit": "", "counterparty_code": ""},
    ]

    response = send(client, as_admin, group.sub, "csv", local, codes="local")
    as_group_codes = send(client, as_admin, group.sub, "csv", local, codes="group")

    assert response.status_code == 200, response.text
    assert [
        (ln["account_code"], ln["debit"], ln["credit"]) for ln in trial_balance(client, as_admin, group.sub)
    ] == [
        ("1002", "900.0000", "0.0000"),
        ("4001", "0.0000", "500.0000"),
        ("6001", "0.0000", "1000.0000"),
        ("6401", "600.0000", "0.0000"),
    ]
    assert as_group_codes.status_code == 422
    assert [e["row"] for e in as_group_codes.json()["errors"]] == [3]  # 5001 and 5401 are group codes too


def test_refuses_files_it_cannot_read(client: TestClient, as_admin: dict[str, str], group: Group) -> None:
    url = f"/api/v1/entities/{group.sub}/trial-balance-imports"

    no_header = client.post(
        url,
        headers=as_admin,
        data={"as_of": PACKAGE_AS_OF},
        files={"file": ("p.csv", b"code,amount\n1002,5\n", "text/csv")},
    )
    not_xlsx = client.post(
        url,
        headers=as_admin,
        data={"as_of": PACKAGE_AS_OF},
        files={"file": ("p.xlsx", b"PK\x03\x04 broken", "application/octet-stream")},
    )
    no_date = client.post(url, headers=as_admin, files={"file": ("p.csv", csv_bytes([]), "text/csv")})

    assert no_header.status_code == 422
    assert no_header.json()["missing_columns"] == ["account_code", "debit", "credit"]
    assert not_xlsx.status_code == 422
    assert not_xlsx.json()["type"].endswith("/package-unreadable")
    assert no_date.json()["errors"][0]["loc"] == ["body", "as_of"]
