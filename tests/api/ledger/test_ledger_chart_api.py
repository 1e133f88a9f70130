"""Group chart (seeded, admin-edited, protected once used); local charts, small-enterprise template."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.ledger.conftest import Group, line, post_ok
from tests.conftest import Users


class TestSeededChart:
    def test_a_fresh_database_holds_the_enterprise_chart_with_roles(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        depreciation = client.get("/api/v1/accounts/1602", headers=as_admin).json()
        retained = client.get(
            "/api/v1/accounts", headers=as_admin, params={"role": "retained_earnings"}
        ).json()
        equity = client.get(
            "/api/v1/accounts", headers=as_admin, params={"type": "equity", "limit": 1000}
        ).json()

        assert depreciation["name"] == "累计折旧"
        assert depreciation["name_en"] == "Accumulated depreciation"
        assert (depreciation["type"], depreciation["normal_side"]) == ("asset", "credit")
        assert [a["code"] for a in retained["items"]] == ["4104"]
        assert {"4001", "4002", "4104", "4301"} <= {a["code"] for a in equity["items"]}

    def test_pages_through_the_chart_in_code_order(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        first = client.get("/api/v1/accounts", headers=as_admin, params={"limit": 3}).json()
        second = client.get(
            "/api/v1/accounts", headers=as_admin, params={"limit": 3, "cursor": first["next_cursor"]}
        ).json()

        assert [a["code"] for a in first["items"]] == ["1001", "1002", "1012"]
        assert [a["code"] for a in second["items"]] == ["1101", "1121", "1122"]


class TestEditingTheChart:
    def test_admins_add_a_sub_account_that_inherits_its_statement_line(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        body = {
            "code": "112201",
            "name": "应收账款—集团内",
            "name_en": "Receivables - group",
            "type": "asset",
        }

        denied = client.post("/api/v1/accounts", headers=users.headers("controller"), json=body)
        created = client.post("/api/v1/accounts", headers=as_admin, json=body)
        duplicate = client.post("/api/v1/accounts", headers=as_admin, json=body)

        assert denied.status_code == 403
        assert created.status_code == 201
        assert created.headers["etag"] == '"1"'
        assert created.json()["statement_line"] == "bs.accounts_receivable"
        assert created.json()["normal_side"] == "debit"
        assert duplicate.status_code == 409

    def test_lists_every_problem_of_a_new_account(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/accounts",
            headers=as_admin,
            json={"code": "999901", "name": "x", "type": "asset", "role": "goodwill_of_mars"},
        )

        assert response.status_code == 422
        assert [(e["loc"], e["type"]) for e in response.json()["errors"]] == [
            (["body", "code"], "missing_parent"),
            (["body", "role"], "unknown_role"),
            (["body", "statement_line"], "missing"),
        ]

    def test_a_role_sits_on_one_account(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/accounts",
            headers=as_admin,
            json={"code": "171101", "name": "商誉—A", "type": "asset", "role": "goodwill"},
        )

        assert response.status_code == 409
        assert response.json()["account_code"] == "1711"

    def test_edits_need_the_current_version(self, client: TestClient, as_admin: dict[str, str]) -> None:
        path = "/api/v1/accounts/6604"

        missing = client.patch(path, headers=as_admin, json={"name_en": "Exploration costs"})
        stale = client.patch(
            path, headers={**as_admin, "If-Match": '"7"'}, json={"name_en": "Exploration costs"}
        )
        done = client.patch(
            path, headers={**as_admin, "If-Match": '"1"'}, json={"name_en": "Exploration costs"}
        )

        assert missing.status_code == 428
        assert stale.status_code == 412
        assert done.json()["name_en"] == "Exploration costs"
        assert done.headers["etag"] == '"2"'

    def test_an_account_with_entries_keeps_its_type_and_is_never_deleted(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        post_ok(
            client, as_admin, group.sub, "2026-03-01", line("6604", debit="10"), line("1002", credit="10")
        )
        headers = {**as_admin, "If-Match": '"1"'}

        retype = client.patch(
            "/api/v1/accounts/6604",
            headers=headers,
            json={"type": "asset", "statement_line": "bs.inventories"},
        )
        delete = client.delete("/api/v1/accounts/6604", headers=headers)
        unused = client.delete("/api/v1/accounts/1321", headers=headers)

        assert retype.status_code == 409
        assert retype.json()["used_by"] == ["journal_lines", "balances"]
        assert delete.status_code == 409
        assert unused.status_code == 204
        assert client.get("/api/v1/accounts/1321", headers=as_admin).status_code == 404


class TestLocalCharts:
    def test_the_small_enterprise_template_maps_differing_codes(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        base = f"/api/v1/entities/{group.sub}/local-accounts"
        own = client.post(
            base, headers=as_admin, json={"local_code": "3001", "local_name": "股本", "group_code": "4002"}
        )

        applied = client.post(
            f"{base}/apply-template", headers=as_admin, json={"template": "small_enterprise"}
        )
        again = client.post(f"{base}/apply-template", headers=as_admin, json={"template": "small_enterprise"})
        revenue = client.get(f"{base}/5001", headers=as_admin)

        assert own.status_code == 201
        assert applied.json()["created"] == 65
        assert applied.json()["conflicts"] == [
            {"local_code": "3001", "mapped_to": "4002", "template_group_code": "4001"}
        ]
        assert (again.json()["created"], again.json()["unchanged"]) == (0, 65)
        assert revenue.json()["group_code"] == "6001"
        assert revenue.json()["local_name"] == "主营业务收入"

    def test_mappings_are_edited_with_if_match_and_checked(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        base = f"/api/v1/entities/{group.sub}/local-accounts"
        client.post(base, headers=as_admin, json={"local_code": "A-100", "group_code": "1002"})

        unknown = client.patch(
            f"{base}/A-100", headers={**as_admin, "If-Match": '"1"'}, json={"group_code": "9990"}
        )
        moved = client.patch(
            f"{base}/A-100", headers={**as_admin, "If-Match": '"1"'}, json={"group_code": "1012"}
        )
        deleted = client.delete(f"{base}/A-100", headers={**as_admin, "If-Match": '"2"'})
        listing = client.get(base, headers=as_admin).json()

        assert unknown.status_code == 422
        assert moved.json()["group_code"] == "1012"
        assert deleted.status_code == 204
        assert listing["items"] == []

    def test_a_limited_user_cannot_see_other_entities_mappings(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        users.create("parent-clerk", "accountant", entity_ids=[group.parent])

        response = client.get(
            f"/api/v1/entities/{group.sub}/local-accounts", headers=users.headers("parent-clerk")
        )

        assert response.status_code == 404
