"""The other export kinds: trial balance (control totals equal the trial balance), chart and mappings, assets,
equity, entities, intercompany, audit trail, users and roles."""

from __future__ import annotations

import json
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.api.assets.helpers import make_asset, make_group, run_months
from tests.api.consolidation.consolidation_helpers import CASH, INVESTMENT_IN_SUBSIDIARIES, SHARE_CAPITAL
from tests.api.consolidation.consolidation_helpers import Group as ConsolidationGroup
from tests.api.exports.conftest import API, Group, export, line, post_ok
from tests.conftest import Users


def _dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


class TestTrialBalance:
    def test_the_control_totals_equal_the_trial_balance(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        acct = users.headers("accountant")
        post_ok(
            client, acct, group.parent, "2025-12-20", line("1122", debit="1000"), line("6001", credit="1000")
        )
        post_ok(
            client,
            acct,
            group.parent,
            "2026-01-05",
            line("6401", debit="600.25"),
            line("1405", credit="600.25"),
        )
        post_ok(
            client, acct, group.sub, "2026-01-09", line("1002", debit="75.5"), line("4001", credit="75.5")
        )
        auditor = users.headers("auditor")

        package = export(
            client, auditor, kind="trial_balance", entity_ids=[group.parent, group.sub], to="2026-01-31"
        )

        rows = _dicts(package.csv_rows("trial_balance.csv"))
        totals = package.file("trial_balance.csv")["control_totals"]
        by_currency = package.file("trial_balance.csv")["control_totals_by_currency"]
        expected_debit = Decimal(0)
        expected_credit = Decimal(0)
        for entity in (group.parent, group.sub):
            tb = client.get(
                f"{API}/entities/{entity}/trial-balance", params={"as_of": "2026-01-31"}, headers=auditor
            ).json()
            expected_debit += Decimal(tb["totals"]["debit"])
            expected_credit += Decimal(tb["totals"]["credit"])
            mine = [r for r in rows if r["entity_id"] == entity]
            assert [(r["account_code"], r["debit"], r["credit"], r["balance"]) for r in mine] == [
                (ln["account_code"], ln["debit"], ln["credit"], ln["balance"]) for ln in tb["lines"]
            ]
        assert Decimal(totals["debit"]) == expected_debit == Decimal("1675.7500")
        assert Decimal(totals["credit"]) == expected_credit
        assert by_currency == {"CNY": totals}
        parent_rows = [r for r in rows if r["entity_id"] == group.parent]
        assert [(r["account_code"], r["balance"]) for r in parent_rows] == [
            ("1122", "1000.0000"),
            ("1405", "-600.2500"),
            ("4104", "1000.0000"),
            ("6401", "600.2500"),
        ]


class TestChartAndEntities:
    def test_the_chart_and_local_mappings(self, client: TestClient, users: Users, group: Group) -> None:
        mapped = client.post(
            f"{API}/entities/{group.sub}/local-accounts",
            json={"local_code": "5001", "local_name": "主营业务收入", "group_code": "6001"},
            headers=users.headers("accountant"),
        )
        assert mapped.status_code == 201, mapped.text

        package = export(
            client, users.headers("auditor"), kind="chart", format="jsonl", entity_ids=[group.sub]
        )

        accounts = [json.loads(x) for x in package.text("accounts.jsonl").splitlines()]
        mappings = [json.loads(x) for x in package.text("local_account_map.jsonl").splitlines()]
        codes = [a["code"] for a in accounts]
        assert codes == sorted(codes)
        assert {"1001", "1122", "4104", "6001"} <= set(codes)
        assert next(a for a in accounts if a["code"] == "4104")["role"] == "retained_earnings"
        assert [(m["entity_id"], m["local_code"], m["group_code"], m["group_name"]) for m in mappings] == [
            (group.sub, "5001", "6001", next(a["name"] for a in accounts if a["code"] == "6001"))
        ]

    def test_entity_names_that_look_like_formulas_are_neutralized(
        self, client: TestClient, users: Users
    ) -> None:
        created = client.post(
            f"{API}/entities",
            json={"code": "FORMULA", "name": '=HYPERLINK("http://127.0.0.1","x")', "kind": "company"},
            headers=users.headers("admin"),
        )
        assert created.status_code == 201, created.text

        package = export(client, users.headers("auditor"), kind="entities", entity_ids=[created.json()["id"]])

        rows = _dicts(package.csv_rows("entities.csv"))
        assert [(r["code"], r["name"], r["kind"]) for r in rows] == [
            ("FORMULA", '\'=HYPERLINK("http://127.0.0.1","x")', "company")
        ]


class TestEquity:
    def test_stakes_with_history_and_capital(self, client: TestClient, users: Users, group: Group) -> None:
        admin = users.headers("admin")
        first = client.post(
            f"{API}/stakes",
            json={
                "holder_id": group.parent,
                "investee_id": group.sub,
                "share": "0.6",
                "valid_from": "2024-01-01",
                "capital_subscribed": "6000000",
                "capital_paid": "3000000",
            },
            headers=admin,
        )
        assert first.status_code == 201, first.text
        second = client.post(
            f"{API}/stakes",
            json={
                "holder_id": group.parent,
                "investee_id": group.sub,
                "share": "0.8",
                "valid_from": "2025-07-01",
                "capital_subscribed": "8000000",
                "capital_paid": "8000000",
            },
            headers=admin,
        )
        assert second.status_code == 201, second.text

        package = export(
            client, users.headers("controller"), kind="equity", entity_ids=[group.parent, group.sub]
        )

        stakes = _dicts(package.csv_rows("equity_stakes.csv"))
        assert [
            (s["share"], s["valid_from"], s["valid_to"], s["capital_subscribed"], s["capital_paid"])
            for s in stakes
        ] == [
            ("0.600000000000", "2024-01-01", "2025-07-01", "6000000.0000", "3000000.0000"),
            ("0.800000000000", "2025-07-01", "", "8000000.0000", "8000000.0000"),
        ]
        assert package.file("equity_stakes.csv")["control_totals"] == {
            "capital_paid": "11000000.0000",
            "capital_subscribed": "14000000.0000",
        }
        entities = _dicts(package.csv_rows("entities.csv"))
        assert {e["id"] for e in entities} == {group.parent, group.sub}
        assert sorted(package.zip.namelist()) == [
            "SHA256SUMS",
            "entities.csv",
            "equity_stakes.csv",
            "manifest.json",
            "method_overrides.csv",
        ]


class TestIntercompany:
    def test_tagged_balances_and_the_matching(self, client: TestClient, users: Users, group: Group) -> None:
        acct = users.headers("accountant")
        post_ok(
            client,
            acct,
            group.parent,
            "2026-01-10",
            line("1122", debit="500", counterparty_entity_id=group.sub),
            line("6001", credit="500", counterparty_entity_id=group.sub),
        )
        post_ok(
            client,
            acct,
            group.sub,
            "2026-01-12",
            line("1405", debit="480", counterparty_entity_id=group.parent),
            line("2202", credit="480", counterparty_entity_id=group.parent),
        )

        package = export(
            client,
            users.headers("auditor"),
            kind="intercompany",
            entity_ids=[group.parent, group.sub],
            to="2026-01-31",
            tolerance="5",
        )

        balances = _dicts(package.csv_rows("intercompany_balances.csv"))
        assert {(b["entity_id"], b["account_code"], b["counterparty_id"]) for b in balances} == {
            (group.parent, "1122", group.sub),
            (group.parent, "6001", group.sub),
            (group.sub, "1405", group.parent),
            (group.sub, "2202", group.parent),
        }
        matching = _dicts(package.csv_rows("intercompany_matching.csv"))
        receivable = next(
            m for m in matching if m["rule"] == "receivables_payables" and m["entity_id"] == group.parent
        )
        assert (receivable["entity_amount"], receivable["counterparty_amount"], receivable["difference"]) == (
            "500.0000",
            "480.0000",
            "20.0000",
        )
        assert receivable["within_tolerance"] == "false"
        assert receivable["tolerance"] == "5.0000"
        assert package.manifest["parameters"]["tolerance"] == "5"


class TestAssets:
    def test_register_and_roll_forward(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company, cost="1200.00")
        run_months(client, acct, entity_id=company, first="2024-01", last="2024-03")

        package = export(
            client, users.headers("auditor"), kind="assets", entity_ids=[company], to="2024-03-31"
        )

        register = _dicts(package.csv_rows("asset_register.csv"))
        assert [(r["cost"], r["accumulated_depreciation"], r["carrying_amount"]) for r in register] == [
            ("1200.0000", "30.0000", "1170.0000")
        ]
        roll = _dicts(package.csv_rows("asset_roll_forward.csv"))
        assert [(r["period_start"], r["opening"], r["depreciation"], r["closing"]) for r in roll] == [
            ("2024-01-01", "1200.0000", "30.0000", "1170.0000")
        ]
        assert package.manifest["parameters"]["from"] == "2024-01-01"


class TestAuditTrailAndUsers:
    def test_the_audit_trail_of_an_entity_with_its_last_sequence(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        acct = users.headers("accountant")
        post_ok(client, acct, group.sub, "2026-01-10", line("1002", debit="1"), line("4001", credit="1"))
        post_ok(client, acct, group.sub, "2026-01-11", line("1002", debit="2"), line("4001", credit="2"))

        package = export(client, users.headers("auditor"), kind="audit_trail", entity_ids=[group.sub])
        again = export(client, users.headers("auditor"), kind="audit_trail", entity_ids=[group.sub])

        rows = _dicts(package.csv_rows("audit_trail.csv"))
        assert [r["action"] for r in rows] == ["journal.entry.posted", "journal.entry.posted"]
        assert int(rows[0]["seq"]) < int(rows[1]["seq"])
        assert rows[0]["after"].startswith("{")
        assert '"entity_id":"' in rows[0]["after"]
        assert package.manifest["audit_trail"] == {"after_seq": None, "last_seq": int(rows[1]["seq"])}
        assert again.raw == package.raw
        later = export(
            client,
            users.headers("auditor"),
            kind="audit_trail",
            entity_ids=[group.sub],
            after_seq=int(rows[0]["seq"]),
        )
        assert [r["seq"] for r in _dicts(later.csv_rows("audit_trail.csv"))] == [rows[1]["seq"]]

    def test_users_roles_and_keys_without_secrets(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        users.create("limited-clerk", "accountant", entity_ids=[group.sub])
        admin = users.headers("admin")
        key = client.post(
            f"{API}/api-keys", json={"user_id": users.ids["limited-clerk"], "name": "nightly"}, headers=admin
        )
        assert key.status_code == 201, key.text

        package = export(client, users.headers("auditor"), kind="users")

        people = {r["username"]: r for r in _dicts(package.csv_rows("users.csv"))}
        keys = _dicts(package.csv_rows("api_keys.csv"))
        assert people["limited-clerk"]["role"] == "accountant"
        assert people["limited-clerk"]["entity_ids"] == group.sub
        assert people["admin"]["entity_ids"] == ""
        assert people["admin"]["is_active"] == "true"
        assert [(k["username"], k["name"]) for k in keys if k["user_id"] == users.ids["limited-clerk"]] == [
            ("limited-clerk", "nightly")
        ]
        assert all(key.json()["key"] not in package.text(name) for name in package.zip.namelist())


class TestConsolidation:
    def test_the_workpapers_of_a_run(self, client: TestClient, users: Users) -> None:
        g = ConsolidationGroup(client, users)
        g.companies("P", "S")
        g.package("S", "2025-01-01", {CASH: 1000, SHARE_CAPITAL: 1000})
        g.acquire("P", "S", "2025-01-01", "0.6", 600)
        g.package("P", "2025-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 600, CASH: 400, SHARE_CAPITAL: 1000})
        run = g.run("P", "2025-12-31")

        package = export(client, users.headers("auditor"), kind="consolidation", run_id=run.body["id"])

        scope = _dicts(package.csv_rows("consolidation_scope.csv"))
        assert [(s["entity_id"], s["method"], s["nci_share"]) for s in scope] == [
            (g.ids["P"], "parent", "0.000000000000"),
            (g.ids["S"], "subsidiary", "0.400000000000"),
        ]
        figures = {r["figure"]: r["amount"] for r in _dicts(package.csv_rows("consolidation_figures.csv"))}
        assert figures["figures.total_assets"] == "1400.0000"
        assert figures["figures.non_controlling_interest"] == "400.0000"
        eliminations = package.file("consolidation_eliminations.csv")
        assert eliminations["rows"] > 0
        assert eliminations["control_totals"]["debit"] == eliminations["control_totals"]["credit"]
        sheet = _dicts(package.csv_rows("consolidation_balance_sheet.csv"))
        assert {r["account_code"]: r["amount"] for r in sheet}[CASH] == "1400.0000"
        assert package.manifest["parameters"]["run_id"] == run.body["id"]

    def test_an_unknown_run_is_a_404_and_the_run_is_required(self, client: TestClient, users: Users) -> None:
        auditor = users.headers("auditor")

        missing = client.post(
            f"{API}/exports",
            json={"kind": "consolidation", "run_id": "01900000-0000-7000-8000-000000000000"},
            headers=auditor,
        )
        without = client.post(f"{API}/exports", json={"kind": "consolidation"}, headers=auditor)

        assert missing.status_code == 404
        assert without.status_code == 422
        assert [e["loc"] for e in without.json()["errors"]] == [["body", "run_id"]]
