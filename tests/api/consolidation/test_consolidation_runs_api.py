"""Consolidation runs over HTTP: roles, visibility, sealing, hashes, the workbook and the refusals."""

from __future__ import annotations

import gc
import io

import openpyxl
from fastapi.testclient import TestClient

from app.core.heap import pause_holders
from tests.api.consolidation.consolidation_helpers import (
    API,
    CASH,
    INVESTMENT_IN_SUBSIDIARIES,
    RECEIVABLE,
    SHARE_CAPITAL,
    D,
    Group,
    problem,
)
from tests.conftest import Users


def small_group(client: TestClient, users: Users) -> Group:
    """P holds 60% of S, bought for 600 when S's capital was 1,000 (no goodwill)."""
    g = Group(client, users)
    g.companies("P", "S")
    g.package("S", "2025-01-01", {CASH: 1000, SHARE_CAPITAL: 1000})
    g.acquire("P", "S", "2025-01-01", "0.6", 600)
    g.package("P", "2025-12-31", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 600, CASH: 400, SHARE_CAPITAL: 1000})
    return g


class TestRunConsolidation:
    def test_a_controller_runs_and_every_role_reads(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)

        run = g.run("P", "2025-12-31")

        read = client.get(f"{API}/consolidations/{run.body['id']}", headers=users.headers("viewer"))
        assert read.status_code == 200
        assert read.json() == run.body
        assert run.figures["non_controlling_interest"] == 400
        assert run.body["figures"]["total_assets"] == "1400.0000"
        assert [s["method"] for s in run.body["scope"]] == ["parent", "subsidiary"]
        assert run.body["scope"][1]["nci_share"] == "0.400000000000"

    def test_preparers_cannot_run(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)
        body = {"parent_id": g.ids["P"], "as_of": "2025-12-31"}

        refused = [
            client.post(f"{API}/consolidations", json=body, headers=users.headers(role)).status_code
            for role in ("accountant", "auditor", "viewer")
        ]

        assert refused == [403, 403, 403]

    def test_runs_are_sealed(self, client: TestClient, users: Users) -> None:
        run = small_group(client, users).run("P", "2025-12-31")
        path = f"{API}/consolidations/{run.body['id']}"

        patched = client.patch(path, json={"status": "consolidated"}, headers=users.headers("admin"))
        deleted = client.delete(path, headers=users.headers("admin"))

        assert (patched.status_code, deleted.status_code) == (405, 405)

    def test_same_inputs_same_hashes_and_a_new_record_changes_them(
        self, client: TestClient, users: Users
    ) -> None:
        g = small_group(client, users)

        first, second = g.run("P", "2025-12-31"), g.run("P", "2025-12-31")
        g.adjust(
            "P",
            "2025-12-31",
            {"account_code": RECEIVABLE, "debit": "10"},
            {"account_code": CASH, "credit": "10"},
        )
        third = g.run("P", "2025-12-31")

        assert first.body["id"] != second.body["id"]
        assert (first.body["input_hash"], first.body["result_hash"]) == (
            second.body["input_hash"],
            second.body["result_hash"],
        )
        assert len(first.body["result_hash"]) == 64
        assert third.body["input_hash"] != first.body["input_hash"]
        assert third.body["result_hash"] != first.body["result_hash"]

    def test_the_workbook_is_deterministic(self, client: TestClient, users: Users) -> None:
        run = small_group(client, users).run("P", "2025-12-31")
        path = f"{API}/consolidations/{run.body['id']}/statements.xlsx"

        first = client.get(path, headers=users.headers("auditor"))
        second = client.get(path, headers=users.headers("auditor"))

        assert first.status_code == 200
        assert first.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert first.content == second.content
        book = openpyxl.load_workbook(io.BytesIO(first.content), read_only=True)
        assert book.sheetnames == [
            "Balance sheet",
            "Income statement",
            "Figures",
            "Eliminations",
            "Intercompany differences",
            "Scope",
        ]
        figures = {row[0]: row[1] for row in book["Figures"].iter_rows(min_row=2, values_only=True)}
        assert D(figures["total_assets"]) == 1400

    def test_lists_filter_by_parent_and_page(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)
        ids = [g.run("P", "2025-12-31").body["id"] for _ in range(3)]

        first = client.get(
            f"{API}/consolidations",
            params={"parent_id": g.ids["P"], "limit": 2},
            headers=users.headers("viewer"),
        ).json()
        rest = client.get(
            f"{API}/consolidations",
            params={"parent_id": g.ids["P"], "cursor": first["next_cursor"]},
            headers=users.headers("viewer"),
        ).json()

        assert [r["id"] for r in first["items"] + rest["items"]] == ids
        assert rest["next_cursor"] is None
        assert set(first["items"][0]) >= {"status", "input_hash", "result_hash", "as_of", "period_start"}

    def test_the_run_is_audited(self, client: TestClient, users: Users) -> None:
        run = small_group(client, users).run("P", "2025-12-31")

        events = client.get(
            f"{API}/audit-events",
            params={"subject_type": "consolidation_run", "subject_id": run.body["id"]},
            headers=users.headers("auditor"),
        ).json()["items"]

        assert [e["action"] for e in events] == ["consolidation.run.created"]
        assert events[0]["after"]["result_hash"] == run.body["result_hash"]


class TestCollectorPause:
    def test_the_collector_runs_again_after_a_run_and_after_a_refused_one(
        self, client: TestClient, users: Users
    ) -> None:
        g = small_group(client, users)
        g.company("T")
        g.stake("P", "T", "1", "2025-01-01")  # a subsidiary without an acquisition: refused
        body = {"parent_id": g.ids["P"], "as_of": "2025-12-31"}

        refused = client.post(f"{API}/consolidations", json=body, headers=g.controller)
        after_refusal = (gc.isenabled(), pause_holders())
        g.acquire("P", "T", "2025-01-01", "1", 0)
        made = client.post(f"{API}/consolidations", json=body, headers=g.controller)
        read = client.get(f"{API}/consolidations/{made.json()['id']}", headers=g.controller)

        assert (refused.status_code, made.status_code, read.status_code) == (422, 201, 200)
        assert after_refusal == (True, 0)
        assert (gc.isenabled(), pause_holders()) == (True, 0)


class TestVisibility:
    def test_a_user_limited_to_other_entities_sees_404(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)
        run = g.run("P", "2025-12-31")
        elsewhere = g.company("Elsewhere")
        users.create("limited", "controller", entity_ids=[elsewhere])
        limited = users.headers("limited")

        read = client.get(f"{API}/consolidations/{run.body['id']}", headers=limited)
        workbook = client.get(f"{API}/consolidations/{run.body['id']}/statements.xlsx", headers=limited)
        listed = client.get(f"{API}/consolidations", headers=limited).json()["items"]
        made = client.post(
            f"{API}/consolidations", json={"parent_id": g.ids["P"], "as_of": "2025-12-31"}, headers=limited
        )

        assert (read.status_code, workbook.status_code, made.status_code) == (404, 404, 404)
        assert listed == []

    def test_a_user_limited_to_the_parent_runs_the_whole_group(
        self, client: TestClient, users: Users
    ) -> None:
        g = small_group(client, users)
        users.create("parent-only", "controller", entity_ids=[g.ids["P"]])

        made = client.post(
            f"{API}/consolidations",
            json={"parent_id": g.ids["P"], "as_of": "2025-12-31"},
            headers=users.headers("parent-only"),
        )

        assert made.status_code == 201, made.text
        assert len(made.json()["scope"]) == 2


class TestRefusals:
    def test_a_period_longer_than_a_year_or_reversed(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)
        body = {"parent_id": g.ids["P"], "as_of": "2025-12-31"}

        reversed_ = client.post(
            f"{API}/consolidations", json={**body, "period_start": "2026-01-01"}, headers=g.controller
        )
        too_long = client.post(
            f"{API}/consolidations", json={**body, "period_start": "2024-12-31"}, headers=g.controller
        )
        tolerance = client.post(
            f"{API}/consolidations", json={**body, "intercompany_tolerance": "5"}, headers=g.controller
        )

        refused = (422, "consolidation-request-invalid")
        assert [problem(r) for r in (reversed_, too_long, tolerance)] == [refused] * 3
        assert [e["type"] for e in too_long.json()["errors"]] == ["period_too_long"]
        assert tolerance.json()["errors"][0]["loc"] == ["body", "difference_account_code"]

    def test_a_subsidiary_without_an_acquisition_is_named(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)
        g.company("T")
        g.stake("P", "T", "1", "2025-01-01")

        response = client.post(
            f"{API}/consolidations",
            json={"parent_id": g.ids["P"], "as_of": "2025-12-31"},
            headers=g.controller,
        )

        assert response.status_code == 422
        assert problem(response) == (422, "consolidation-invalid-input")
        assert [(e["type"], e["loc"]) for e in response.json()["errors"]] == [
            ("acquisition-count", ["data", g.ids["T"]])
        ]
        assert client.get(f"{API}/consolidations", headers=g.admin).json()["items"] == []

    def test_missing_exchange_rates_are_all_listed(self, client: TestClient, users: Users) -> None:
        g = small_group(client, users)
        g.company("F", currency="USD")
        g.package("F", "2025-01-01", {CASH: 100, SHARE_CAPITAL: 100})
        g.acquire("P", "F", "2025-01-01", "1", 100)

        response = client.post(
            f"{API}/consolidations",
            json={"parent_id": g.ids["P"], "as_of": "2025-12-31"},
            headers=g.controller,
        )

        assert problem(response) == (422, "consolidation-missing-rate")
        messages = sorted(e["msg"] for e in response.json()["errors"])
        assert messages == [
            "no average rate for USD on 2025-12-31",
            "no closing rate for USD on 2025-01-01",
            "no closing rate for USD on 2025-12-31",
            "no historical rate for USD on 2025-01-01",
        ]

    def test_an_unknown_or_invisible_parent(self, client: TestClient, users: Users) -> None:
        response = client.post(
            f"{API}/consolidations",
            json={"parent_id": "nope", "as_of": "2025-12-31"},
            headers=users.headers("admin"),
        )

        assert problem(response) == (404, "entity-not-found")


class TestIntercompany:
    def test_stock_a_buyer_tags_with_its_seller_is_not_a_balance(
        self, client: TestClient, users: Users
    ) -> None:
        """The ledger has buyers tag purchases (stock) with the seller so sales can be matched; only the
        receivable and the payable are a balance between the two."""
        g = small_group(client, users)
        g.package(
            "P",
            "2025-12-31",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 600,
                CASH: 400,
                (RECEIVABLE, "S"): 100,
                SHARE_CAPITAL: 1000,
                ("6001", "S"): 100,
            },
        )
        g.package(
            "S", "2025-12-31", {CASH: 1000, ("1405", "P"): 100, ("2202", "P"): 100, SHARE_CAPITAL: 1000}
        )

        run = g.run("P", "2025-12-31")

        assert run.body["status"] == "consolidated"
        assert run.line(RECEIVABLE) == 0
        assert run.line("6001") == 0
