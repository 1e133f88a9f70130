"""Trial balances across a year boundary, exchange rates, intercompany matching and the balance check."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.ledger.conftest import Group, line, post_ok


def tb(client: TestClient, headers: dict[str, str], entity_id: str, as_of: str) -> Any:
    response = client.get(
        f"/api/v1/entities/{entity_id}/trial-balance", headers=headers, params={"as_of": as_of}
    )
    assert response.status_code == 200, response.text
    return response.json()


def rows(balance: Any) -> list[tuple[str, str, str]]:
    return [(ln["account_code"], ln["debit"], ln["credit"]) for ln in balance["lines"]]


class TestTrialBalance:
    def test_carries_last_years_profit_into_retained_earnings(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        post_ok(
            client, as_admin, group.sub, "2025-12-20", line("1122", debit="1000"), line("6001", credit="1000")
        )
        post_ok(
            client, as_admin, group.sub, "2025-12-31", line("6401", debit="600"), line("1405", credit="600")
        )
        post_ok(
            client, as_admin, group.sub, "2026-01-15", line("1002", debit="1000"), line("1122", credit="1000")
        )
        post_ok(
            client, as_admin, group.sub, "2026-01-20", line("1122", debit="500"), line("6001", credit="500")
        )

        year_end = tb(client, as_admin, group.sub, "2025-12-31")
        mid_january = tb(client, as_admin, group.sub, "2026-01-15")
        january = tb(client, as_admin, group.sub, "2026-01-31")

        assert rows(year_end) == [
            ("1122", "1000.0000", "0.0000"),
            ("1405", "0.0000", "600.0000"),
            ("6001", "0.0000", "1000.0000"),
            ("6401", "600.0000", "0.0000"),
        ]
        assert rows(mid_january) == [
            ("1002", "1000.0000", "0.0000"),
            ("1405", "0.0000", "600.0000"),
            ("4104", "0.0000", "400.0000"),
        ]
        assert rows(january) == [
            ("1002", "1000.0000", "0.0000"),
            ("1122", "500.0000", "0.0000"),
            ("1405", "0.0000", "600.0000"),
            ("4104", "0.0000", "400.0000"),
            ("6001", "0.0000", "500.0000"),
        ]
        assert january["totals"] == {"debit": "1500.0000", "credit": "1500.0000"}
        assert january["lines"][2]["balance"] == "-600.0000"
        assert january["lines"][3]["name"] == "利润分配"
        assert january["currency"] == "CNY"

    def test_keeps_counterparties_apart(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        post_ok(
            client,
            as_admin,
            group.sub,
            "2026-02-01",
            line("1122", debit="70", counterparty_entity_id=group.parent),
            line("1122", debit="30"),
            line("6001", credit="100"),
        )

        balance = tb(client, as_admin, group.sub, "2026-02-28")

        assert [
            (ln["account_code"], ln["counterparty_entity_id"], ln["debit"]) for ln in balance["lines"][:2]
        ] == [("1122", None, "30.0000"), ("1122", group.parent, "70.0000")]

    def test_the_kept_balances_equal_the_lines(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        entry = post_ok(
            client, as_admin, group.sub, "2026-02-01", line("1002", debit="5"), line("6001", credit="5")
        )
        client.post(
            f"/api/v1/journal-entries/{entry['id']}/reverse",
            headers=as_admin,
            json={"entry_date": "2026-03-01"},
        )

        check = client.get("/api/v1/ledger-checks/balances", headers=as_admin).json()

        assert check["ok"] is True
        assert check["mismatches"] == []
        assert check["months_checked"] >= 4


class TestFxRates:
    def test_records_and_looks_up_rates_by_kind(self, client: TestClient, as_admin: dict[str, str]) -> None:
        def rate(kind: str, on: str, value: str, pair: tuple[str, str] = ("USD", "CNY")) -> Any:
            return client.post(
                "/api/v1/fx-rates",
                headers=as_admin,
                json={"currency": pair[0], "quote_currency": pair[1], "kind": kind, "on": on, "rate": value},
            )

        created = rate("closing", "2026-03-31", "7.1")
        duplicate = rate("closing", "2026-03-31", "7.2")
        rate("average", "2026-03-31", "7.05")
        rate("closing", "2026-04-30", "0.14", ("CNY", "USD"))

        def lookup(kind: str, on: str) -> Any:
            return client.get(
                "/api/v1/fx-rates/lookup",
                headers=as_admin,
                params={"currency": "USD", "quote_currency": "CNY", "kind": kind, "on": on},
            )

        after_month_end = lookup("closing", "2026-04-02").json()
        inverse = lookup("closing", "2026-05-01").json()
        average = lookup("average", "2026-03-31").json()
        missing = lookup("average", "2026-04-30")

        assert created.status_code == 201
        assert created.json()["rate"] == "7.100000000000"
        assert duplicate.status_code == 409
        assert (after_month_end["rate"], after_month_end["rate_on"]) == ("7.100000000000", "2026-03-31")
        assert (inverse["rate"], inverse["inverted"]) == ("7.142857142857", True)
        assert average["rate"] == "7.050000000000"
        assert missing.status_code == 422
        assert missing.json()["type"].endswith("/fx-rate-missing")
        assert missing.json()["kind"] == "average"


class TestIntercompanyMatching:
    def test_lists_pairs_and_the_differences_over_the_tolerance(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        post_ok(
            client,
            as_admin,
            group.parent,
            "2026-03-10",
            line("1122", debit="1000", counterparty_entity_id=group.sub),
            line("6001", credit="1000", counterparty_entity_id=group.sub),
        )
        post_ok(
            client,
            as_admin,
            group.sub,
            "2026-03-12",
            line("1405", debit="1000", counterparty_entity_id=group.parent),
            line("2202", credit="900", counterparty_entity_id=group.parent),
            line("1002", credit="100"),
        )

        result = client.get(
            "/api/v1/intercompany-matching",
            headers=as_admin,
            params={"as_of": "2026-03-31", "tolerance": "50"},
        ).json()

        pairs = {(p["rule"], p["entity_id"]): p for p in result["pairs"]}
        assert pairs[("revenue_costs", group.parent)]["difference"] == "0.0000"
        assert pairs[("receivables_payables", group.parent)]["counterparty_amount"] == "900.0000"
        assert result["matched"] is False
        assert [
            (d["rule"], d["entity_id"], d["counterparty_entity_id"], d["difference"])
            for d in result["differences"]
        ] == [("receivables_payables", group.parent, group.sub, "100.0000")]

    def test_a_foreign_company_needs_a_closing_rate(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        post_ok(
            client,
            as_admin,
            group.parent,
            "2026-03-10",
            line("1221", debit="710", counterparty_entity_id=group.us_sub),
            line("1002", credit="710"),
        )
        post_ok(
            client,
            as_admin,
            group.us_sub,
            "2026-03-10",
            line("1002", debit="100"),
            line("2241", credit="100", counterparty_entity_id=group.parent),
        )
        params = {"as_of": "2026-03-31"}

        missing = client.get("/api/v1/intercompany-matching", headers=as_admin, params=params)
        client.post(
            "/api/v1/fx-rates",
            headers=as_admin,
            json={
                "currency": "USD",
                "quote_currency": "CNY",
                "kind": "closing",
                "on": "2026-03-31",
                "rate": "7.1",
            },
        )
        matched = client.get("/api/v1/intercompany-matching", headers=as_admin, params=params).json()

        assert missing.status_code == 422
        assert missing.json()["type"].endswith("/fx-rate-missing")
        assert matched["matched"] is True
        assert matched["pairs"][0]["counterparty_amount"] == "710.0000"
