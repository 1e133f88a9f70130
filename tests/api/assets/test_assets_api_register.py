"""The asset register through HTTP: adding assets, reading them as of a date, status, depreciation runs."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from tests.api.assets.helpers import API, balances, make_asset, make_entity, make_group, problem_type, run
from tests.conftest import Users

D = Decimal


class TestAddingAssets:
    def test_an_acquisition_posts_fixed_assets_against_the_bank(
        self, client: TestClient, users: Users
    ) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))

        asset = make_asset(client, acct, entity_id=company, cost="5000.00", acquired_on="2024-03-15")

        assert asset["cost"] == "5000.00"
        assert asset["carrying_amount"] == "5000.00"
        assert asset["expense_account_code"] == "6602"
        assert asset["history"][0]["depreciation_from"] == "2024-04-01"
        assert balances(client, acct, entity_id=company, as_of="2024-03-31") == {
            "1601": D(5000),
            "1002": D(-5000),
        }

    def test_a_registered_asset_brings_its_opening_balance_and_posts_nothing(
        self, client: TestClient, users: Users
    ) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))

        asset = make_asset(
            client,
            acct,
            entity_id=company,
            acquired_on="2019-12-05",
            cost="1200.00",
            accumulated_depreciation="500.00",
            opening_balance_on="2023-12-31",
        )
        later = client.get(f"{API}/assets/{asset['id']}", params={"as_of": "2024-12-31"}, headers=acct).json()

        assert asset["accumulated_depreciation"] == "500.00"
        assert balances(client, acct, entity_id=company, as_of="2024-12-31") == {}
        # 700 left over the 72 months remaining: 116.67 in 2024.
        assert later["accumulated_depreciation"] == "616.67"
        assert later["history"][0]["origin"] == "registration"

    def test_every_broken_rule_is_reported_at_once(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        body = {
            "entity_id": company,
            "tag": "BAD-1",
            "name": "x",
            "category": "machinery",
            "acquired_on": "2024-01-01",
            "cost": "100.00",
            "residual_value": "150.00",
            "useful_life_months": 12,
            "method": "units_of_production",
            "accumulated_depreciation": "10.00",
            "expense_account_code": "1001",
        }

        response = client.post(f"{API}/assets", json=body, headers=acct)

        assert response.status_code == 422
        assert problem_type(response) == "asset-invalid"
        assert {e["type"] for e in response.json()["errors"]} == {
            "residual_above_cost",
            "units_required",
            "not_an_expense_account",
            "opening_date_required",
        }

    def test_a_tag_is_unique(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company, tag="TAG-UNIQUE-1")

        again = client.post(
            f"{API}/assets",
            json={
                "entity_id": company,
                "tag": "TAG-UNIQUE-1",
                "name": "y",
                "category": "vehicle",
                "acquired_on": "2024-01-01",
                "cost": "10.00",
                "useful_life_months": 12,
                "method": "straight_line",
            },
            headers=acct,
        )

        assert again.status_code == 409
        assert problem_type(again) == "asset-tag-taken"

    def test_money_is_refused_as_a_float_and_with_more_than_two_decimals(
        self, client: TestClient, users: Users
    ) -> None:
        acct = users.headers("accountant")
        base = {
            "entity_id": "x",
            "tag": "T",
            "name": "y",
            "category": "vehicle",
            "acquired_on": "2024-01-01",
            "useful_life_months": 12,
            "method": "straight_line",
        }

        as_float = client.post(f"{API}/assets", json={**base, "cost": 10.5}, headers=acct)
        three_places = client.post(f"{API}/assets", json={**base, "cost": "10.555"}, headers=acct)

        assert as_float.status_code == 422
        assert three_places.status_code == 422

    def test_outside_an_entity_limited_users_set_the_asset_does_not_exist(
        self, client: TestClient, users: Users
    ) -> None:
        _, (mine, theirs) = make_group(client, users.headers("admin"))
        asset = make_asset(client, users.headers("accountant"), entity_id=theirs)
        users.create("limited-acct", "accountant", entity_ids=[mine])
        limited = users.headers("limited-acct")

        read = client.get(f"{API}/assets/{asset['id']}", headers=limited)
        listed = client.get(f"{API}/assets", params={"entity_id": theirs}, headers=limited)

        assert read.status_code == 404
        assert problem_type(read) == "asset-not-found"
        assert listed.json()["items"] == []


class TestReadingAndStatus:
    def test_list_filters_and_figures_as_of_a_date(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, other) = make_group(client, users.headers("admin"))
        line = make_asset(client, acct, entity_id=company, category="production_line")
        make_asset(client, acct, entity_id=company, category="vehicle")
        make_asset(client, acct, entity_id=other, category="production_line")

        page = client.get(
            f"{API}/assets",
            params={"entity_id": company, "category": "production_line", "as_of": "2024-06-30"},
            headers=acct,
        ).json()

        assert [a["id"] for a in page["items"]] == [line["id"]]
        assert page["items"][0]["accumulated_depreciation"] == "60.00"
        assert page["items"][0]["carrying_amount"] == "1140.00"

    def test_status_change_needs_if_match_and_dates_the_change(
        self, client: TestClient, users: Users
    ) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)
        url = f"{API}/assets/{asset['id']}"

        missing = client.patch(url, json={"status": "idle"}, headers=acct)
        stale = client.patch(url, json={"status": "idle"}, headers={**acct, "If-Match": '"7"'})
        done = client.patch(
            url,
            json={"status": "idle", "effective_on": "2024-05-01", "reason": "订单不足"},
            headers={**acct, "If-Match": '"1"'},
        )
        before = client.get(url, params={"as_of": "2024-04-30"}, headers=acct).json()
        after = client.get(url, params={"as_of": "2024-05-01"}, headers=acct).json()

        assert missing.status_code == 428
        assert stale.status_code == 412
        assert done.status_code == 200
        assert done.headers["ETag"] == '"2"'
        assert (before["status"], after["status"], after["current_status"]) == ("in_use", "idle", "idle")

    def test_disposed_is_not_a_status_one_sets(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)

        response = client.patch(
            f"{API}/assets/{asset['id']}", json={"status": "disposed"}, headers={**acct, "If-Match": '"1"'}
        )

        assert response.status_code == 422

    def test_held_for_sale_suspends_depreciation_and_the_next_run_catches_up(
        self, client: TestClient, users: Users
    ) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(client, acct, entity_id=company)
        url = f"{API}/assets/{asset['id']}"
        client.patch(
            url,
            json={"status": "held_for_sale", "effective_on": "2024-02-10"},
            headers={**acct, "If-Match": '"1"'},
        ).raise_for_status()

        suspended = [
            run(client, acct, period=p, entity_id=company)["runs"][0]["total"] for p in ("2024-02", "2024-03")
        ]
        client.patch(
            url, json={"status": "in_use", "effective_on": "2024-04-20"}, headers={**acct, "If-Match": '"2"'}
        ).raise_for_status()
        back = run(client, acct, period="2024-05", entity_id=company)["runs"][0]

        assert suspended == ["20.00", "0.00"]
        assert back["total"] == "30.00"
        assert balances(client, acct, entity_id=company, as_of="2024-05-31")["6602"] == D(50)


class TestDepreciationRuns:
    def test_a_run_posts_one_entry_per_company_once(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, other) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company)
        make_asset(client, acct, entity_id=company, cost="600.00", expense_account_code="5101")
        make_asset(client, acct, entity_id=other, cost="2400.00")

        first = run(client, acct, period="2024-01")
        again = run(client, acct, period="2024-01")

        mine = [r for r in first["runs"] if r["entity_id"] in (company, other)]
        assert sorted((r["total"], r["asset_count"], r["created"]) for r in mine) == [
            ("15.00", 2, True),
            ("20.00", 1, True),
        ]
        assert all(not r["created"] for r in again["runs"])
        assert balances(client, acct, entity_id=company, as_of="2024-01-31") == {
            "1601": D(1800),
            "1002": D(-1800),
            "1602": D(15),
            "6602": D(10),
            "5101": D(5),
        }

    def test_a_later_run_catches_up_months_never_run(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company)

        result = run(client, acct, period="2024-06", entity_id=company)
        earlier = run(client, acct, period="2024-03", entity_id=company)

        assert result["runs"][0]["total"] == "60.00"
        assert earlier["runs"][0]["total"] == "0.00"
        assert earlier["runs"][0]["entry_id"] is None
        assert balances(client, acct, entity_id=company, as_of="2024-06-30")["1602"] == D(60)

    def test_units_of_production_needs_the_months_units(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        asset = make_asset(
            client,
            acct,
            entity_id=company,
            method="units_of_production",
            cost="100000.00",
            units_total="30000",
        )

        missing = client.post(
            f"{API}/depreciation-runs", json={"period": "2024-01", "entity_id": company}, headers=acct
        )
        given = run(
            client,
            acct,
            period="2024-01",
            entity_id=company,
            units=[{"asset_id": asset["id"], "units": "1000"}],
        )

        assert missing.status_code == 422
        assert problem_type(missing) == "depreciation-units-missing"
        assert missing.json()["errors"][0]["asset_id"] == asset["id"]
        assert given["runs"][0]["total"] == "3333.33"

    def test_a_closed_month_refuses_the_run(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, _) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company)
        client.post(f"{API}/entities/{company}/periods/2024-02/close", headers=users.headers("controller"))

        response = client.post(
            f"{API}/depreciation-runs", json={"period": "2024-02", "entity_id": company}, headers=acct
        )

        assert response.status_code == 409
        assert problem_type(response) == "period-closed"

    def test_all_companies_run_skips_a_closed_one(self, client: TestClient, users: Users) -> None:
        acct = users.headers("accountant")
        _, (company, other) = make_group(client, users.headers("admin"))
        make_asset(client, acct, entity_id=company)
        make_asset(client, acct, entity_id=other)
        client.post(f"{API}/entities/{other}/periods/2024-02/close", headers=users.headers("controller"))

        result = run(client, acct, period="2024-02")

        assert {"entity_id": other, "reason": "period-closed"} in result["skipped"]
        assert company in [r["entity_id"] for r in result["runs"]]

    def test_a_period_outside_the_calendar_is_refused(self, client: TestClient, users: Users) -> None:
        for period in ("0000-01", "2024-13", "24-01"):
            response = client.post(
                f"{API}/depreciation-runs", json={"period": period}, headers=users.headers("accountant")
            )

            assert response.status_code == 422, period

    def test_viewers_and_auditors_do_not_run_depreciation(self, client: TestClient, users: Users) -> None:
        for role in ("viewer", "auditor"):
            response = client.post(
                f"{API}/depreciation-runs", json={"period": "2024-01"}, headers=users.headers(role)
            )

            assert response.status_code == 403

    def test_an_outside_party_has_no_register(self, client: TestClient, users: Users) -> None:
        outsider = make_entity(client, users.headers("admin"), kind="external")

        response = client.post(
            f"{API}/assets",
            json={
                "entity_id": outsider,
                "tag": "EXT-1",
                "name": "y",
                "category": "vehicle",
                "acquired_on": "2024-01-01",
                "cost": "10.00",
                "useful_life_months": 12,
                "method": "straight_line",
            },
            headers=users.headers("accountant"),
        )

        assert response.status_code == 422
        assert "not_a_company" in {e["type"] for e in response.json()["errors"]}
