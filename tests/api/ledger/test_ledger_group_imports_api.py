"""Group imports (one file, every company's package) and large packages: each company gets exactly its trial
balance, kept balances equal the lines, the audit chain holds, and a bad file is refused whole."""

from __future__ import annotations

import csv
import gc
import io
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.core.heap import pause_holders
from tests.api.ledger.conftest import Group, line, post_ok
from tests.api.ledger.test_ledger_imports_api import (
    PACKAGE_AS_OF,
    as_balances,
    entry_count,
    package,
    trial_balance,
)

GROUP_URL = "/api/v1/trial-balance-imports"
COLUMNS = ["entity_code", "account_code", "debit", "credit", "counterparty_code"]


def group_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def send_group(
    client: TestClient,
    headers: dict[str, str],
    fmt: str,
    rows: list[dict[str, str]],
    *,
    dry_run: bool = False,
) -> Any:
    params = {"dry_run": "true"} if dry_run else {}
    if fmt == "json":
        return client.post(
            GROUP_URL, headers=headers, params=params, json={"as_of": PACKAGE_AS_OF, "lines": rows}
        )
    return client.post(
        GROUP_URL,
        headers=headers,
        params=params,
        data={"as_of": PACKAGE_AS_OF},
        files={"file": ("close.csv", group_csv(rows), "text/csv")},
    )


def of(entity_code: str, lines: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"entity_code": entity_code, **ln} for ln in lines]


def parent_package(sub_code: str) -> list[dict[str, str]]:
    return [
        {"account_code": "1002", "debit": "9000", "credit": "", "counterparty_code": ""},
        {"account_code": "2202", "debit": "", "credit": "1200.50", "counterparty_code": sub_code},
        {"account_code": "4001", "debit": "", "credit": "7799.50", "counterparty_code": ""},
    ]


def large_package(accounts: list[str], counterparty_codes: list[str], lines: int) -> list[dict[str, str]]:
    """`lines` lines over the given accounts and counterparties, balanced by the last one."""
    out: list[dict[str, str]] = []
    total = Decimal(0)
    keys = [(a, c) for c in ["", *counterparty_codes] for a in accounts]
    assert len(keys) >= lines
    for index, (account, counterparty) in enumerate(keys[: lines - 1]):
        amount = Decimal(1000 + index * 7) / 100
        side = "debit" if index % 3 else "credit"
        total += amount if side == "debit" else -amount
        out.append(
            {
                "account_code": account,
                "debit": str(amount) if side == "debit" else "",
                "credit": str(amount) if side == "credit" else "",
                "counterparty_code": counterparty,
            }
        )
    out.append(
        {
            "account_code": "4001",
            "debit": str(-total) if total < 0 else "",
            "credit": str(total) if total > 0 else "",
            "counterparty_code": "",
        }
    )
    return out


@pytest.fixture
def codes(group: Group, session_factory: sessionmaker[Session]) -> dict[str, str]:
    return {
        group.code(session_factory, group.parent): group.parent,
        group.code(session_factory, group.sub): group.sub,
    }


def code_of(codes: dict[str, str], entity_id: str) -> str:
    return next(code for code, value in codes.items() if value == entity_id)


def balances_check(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/api/v1/ledger-checks/balances", headers=headers).json()


@pytest.mark.parametrize("fmt", ["json", "csv"])
class TestGroupFile:
    def test_each_company_gets_exactly_its_trial_balance_and_nothing_on_reimport(
        self, fmt: str, client: TestClient, as_admin: dict[str, str], group: Group, codes: dict[str, str]
    ) -> None:
        post_ok(
            client, as_admin, group.sub, "2026-02-01", line("1002", debit="300"), line("4001", credit="300")
        )
        parent_code, sub_code = code_of(codes, group.parent), code_of(codes, group.sub)
        sub_lines, parent_lines = package(parent_code), parent_package(sub_code)
        rows = of(sub_code, sub_lines) + of(parent_code, parent_lines)

        first = send_group(client, as_admin, fmt, rows)
        sub_balances = trial_balance(client, as_admin, group.sub)
        parent_balances = trial_balance(client, as_admin, group.parent)
        again = send_group(client, as_admin, fmt, rows)

        assert first.status_code == 200, first.text
        body = first.json()
        assert (body["companies"], body["entries_posted"], body["lines_read"]) == (2, 2, len(rows))
        assert [p["entity_id"] for p in body["packages"]] == [group.sub, group.parent]
        assert all(p["entry_number"] for p in body["packages"])
        assert as_balances(sub_balances, codes) == as_balances(sub_lines, codes)
        assert as_balances(parent_balances, codes) == as_balances(parent_lines, codes)
        assert again.json()["entries_posted"] == 0
        assert [p["adjustment_lines"] for p in again.json()["packages"]] == [0, 0]
        assert entry_count(client, as_admin, group.sub) == 2
        assert balances_check(client, as_admin)["ok"] is True
        assert client.get("/api/v1/audit-events/verify", headers=as_admin).json()["ok"] is True

    def test_a_dry_run_writes_nothing(
        self, fmt: str, client: TestClient, as_admin: dict[str, str], group: Group, codes: dict[str, str]
    ) -> None:
        parent_code, sub_code = code_of(codes, group.parent), code_of(codes, group.sub)
        rows = of(sub_code, package(parent_code))

        preview = send_group(client, as_admin, fmt, rows, dry_run=True)

        assert preview.status_code == 200, preview.text
        assert preview.json()["packages"][0]["adjustment_lines"] == 7
        assert preview.json()["entries_posted"] == 0
        assert entry_count(client, as_admin, group.sub) == 0


def test_a_bad_group_file_is_refused_whole_with_every_problem(
    client: TestClient,
    as_admin: dict[str, str],
    group: Group,
    codes: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    parent_code, sub_code = code_of(codes, group.parent), code_of(codes, group.sub)
    outsider_code = group.code(session_factory, group.outsider)
    unbalanced = [
        {"account_code": "1002", "debit": "100", "credit": "", "counterparty_code": ""},
        {"account_code": "4001", "debit": "", "credit": "99", "counterparty_code": ""},
    ]
    rows = (
        of(sub_code, package(parent_code))  # rows 2-8: good
        + of(parent_code, unbalanced)  # rows 9-10: does not balance
        + of("NO-SUCH-CO", unbalanced[:1])  # row 11
        + of(outsider_code, unbalanced[:1])  # row 12: an outside party keeps no books
        + [{"entity_code": "", **unbalanced[0]}]  # row 13
        + of(sub_code, [{"account_code": "9999", "debit": "1", "credit": "", "counterparty_code": ""}])
    )

    response = send_group(client, as_admin, "csv", rows)

    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/package-rejected")
    assert [(e["row"], e["column"], e["type"]) for e in body["errors"]] == [
        (11, "entity_code", "unknown_entity"),
        (12, "entity_code", "entity_not_postable"),
        (13, "entity_code", "missing"),
        (14, "account_code", "unknown_account"),
        (None, None, "unbalanced"),
        (None, None, "unbalanced"),
    ]
    assert [e["entity_code"] for e in body["errors"][-2:]] == [sub_code, parent_code]
    assert body["errors"][-1]["msg"].startswith(f"{parent_code}: the package does not balance")
    assert entry_count(client, as_admin, group.sub) == 0
    assert entry_count(client, as_admin, group.parent) == 0
    assert (gc.isenabled(), pause_holders()) == (True, 0)  # the import's pause ended with its refusal


def test_refuses_a_file_without_the_entity_column(
    client: TestClient, as_admin: dict[str, str], group: Group
) -> None:
    response = client.post(
        GROUP_URL,
        headers=as_admin,
        data={"as_of": PACKAGE_AS_OF},
        files={"file": ("close.csv", b"account_code,debit,credit\n1002,5,\n", "text/csv")},
    )

    assert response.status_code == 422
    assert response.json()["missing_columns"] == ["entity_code"]


def test_a_large_package_gives_exactly_its_trial_balance_and_kept_balances_equal_the_lines(
    client: TestClient,
    as_admin: dict[str, str],
    group: Group,
    codes: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    post_ok(client, as_admin, group.sub, "2026-03-01", line("1002", debit="300"), line("4001", credit="300"))
    accounts = [
        a["code"]
        for a in client.get("/api/v1/accounts", headers=as_admin, params={"limit": 1000}).json()["items"]
        if a.get("role") is None and a["code"] != "4001"
    ]
    parent_code, sub_code = code_of(codes, group.parent), code_of(codes, group.sub)
    us_code = group.code(session_factory, group.us_sub)
    outsider_code = group.code(session_factory, group.outsider)
    big = large_package(accounts, [parent_code, us_code, outsider_code], 300)
    codes = {**codes, us_code: group.us_sub, outsider_code: group.outsider}
    rows = of(sub_code, big)
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=["account_code", "debit", "credit", "counterparty_code"])
    writer.writeheader()
    writer.writerows(big)

    contract = client.post(
        f"/api/v1/entities/{group.sub}/trial-balance-imports",
        headers=as_admin,
        data={"as_of": PACKAGE_AS_OF},
        files={"file": ("package.csv", body.getvalue().encode(), "text/csv")},
    )
    by_contract = trial_balance(client, as_admin, group.sub)
    changed = [dict(r, debit=r["credit"], credit=r["debit"]) for r in rows]  # every balance flips side
    grouped = send_group(client, as_admin, "csv", changed)
    by_group = trial_balance(client, as_admin, group.sub)

    assert contract.status_code == 200, contract.text
    assert len(contract.json()["entry"]["lines"]) >= 299
    assert as_balances(by_contract, codes) == as_balances(big, codes)
    assert grouped.status_code == 200, grouped.text
    assert as_balances(by_group, codes) == as_balances(changed, codes)
    assert balances_check(client, as_admin)["ok"] is True
    assert client.get("/api/v1/audit-events/verify", headers=as_admin).json()["ok"] is True
