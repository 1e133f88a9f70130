"""Journal entries over HTTP: posting, numbering, problems, periods, immutability, reversal, listing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.ledger.conftest import Group, line, post, post_ok
from tests.conftest import Users

SALE = (line("1122", debit="1130.00"), line("6001", credit="1000"), line("2221", credit="130"))


class TestPosting:
    def test_posts_and_numbers_entries_per_entity_and_year(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        first = post_ok(client, as_admin, group.sub, "2026-03-05", *SALE)
        second = post_ok(client, as_admin, group.sub, "2026-03-06", *SALE)
        next_year = post_ok(client, as_admin, group.sub, "2027-01-02", *SALE)
        other_entity = post_ok(client, as_admin, group.parent, "2026-03-06", *SALE)

        assert (first["number"], second["number"], next_year["number"], other_entity["number"]) == (
            1,
            2,
            1,
            1,
        )
        assert first["fiscal_year"] == 2026
        assert first["total_debit"] == "1130.0000"
        assert first["total_credit"] == "1130.0000"
        assert first["lines"][0] == {
            "line_no": 1,
            "account_code": "1122",
            "debit": "1130.0000",
            "credit": "0.0000",
            "counterparty_entity_id": None,
            "currency": "CNY",
            "amount_in_currency": "1130.0000",
            "rate": "1.000000000000",
            "memo": None,
        }
        assert first["source"] == "manual"
        assert first["preparer"] == "admin"

    def test_refuses_an_unbalanced_entry_naming_the_imbalance(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        response = post(
            client, as_admin, group.sub, "2026-03-05", line("1002", debit="100"), line("6001", credit="90")
        )

        assert response.status_code == 422
        body = response.json()
        assert body["type"].endswith("/unbalanced-entry")
        assert body["imbalances"] == [
            {"currency": "CNY", "debit": "100.0000", "credit": "90.0000", "difference": "10.0000"}
        ]
        assert body["errors"][0]["loc"] == ["body", "lines"]

    def test_refuses_an_unknown_account_naming_the_line(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        response = post(
            client, as_admin, group.sub, "2026-03-05", line("1002", debit="100"), line("9998", credit="100")
        )

        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "loc": ["body", "lines", 1, "account_code"],
                "msg": "unknown account '9998'",
                "type": "unknown_account",
            }
        ]

    def test_tags_lines_with_a_counterparty_and_keeps_foreign_currency_beside(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        entry = post_ok(
            client,
            as_admin,
            group.sub,
            "2026-03-05",
            line(
                "1122",
                debit="710.00",
                counterparty_entity_id=group.us_sub,
                currency="USD",
                amount_in_currency="100",
            ),
            line("6001", credit="710.00", counterparty_entity_id=group.us_sub),
        )

        assert entry["lines"][0]["counterparty_entity_id"] == group.us_sub
        assert entry["lines"][0]["currency"] == "USD"
        assert entry["lines"][0]["amount_in_currency"] == "100.0000"
        assert entry["lines"][0]["rate"] == "7.100000000000"

    def test_refuses_books_of_an_outside_party(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        response = post(client, as_admin, group.outsider, "2026-03-05", *SALE)

        assert response.status_code == 422
        assert response.json()["type"].endswith("/entity-not-postable")

    def test_viewers_and_auditors_cannot_post(self, client: TestClient, users: Users, group: Group) -> None:
        for role in ("viewer", "auditor"):
            response = post(client, users.headers(role), group.sub, "2026-03-05", *SALE)

            assert response.status_code == 403


class TestPeriods:
    def test_posting_into_a_closed_month_is_a_conflict_until_reopened(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        controller = users.headers("controller")
        closed = client.post(
            f"/api/v1/entities/{group.sub}/periods/2026-03/close",
            headers=controller,
            json={"reason": "March closed"},
        )

        refused = post(client, users.headers("accountant"), group.sub, "2026-03-31", *SALE)
        april = post(client, users.headers("accountant"), group.sub, "2026-04-01", *SALE)
        again = client.post(f"/api/v1/entities/{group.sub}/periods/2026-03/close", headers=controller)
        reopened = client.post(f"/api/v1/entities/{group.sub}/periods/2026-03/reopen", headers=controller)
        accepted = post(client, users.headers("accountant"), group.sub, "2026-03-31", *SALE)

        assert closed.status_code == 200
        assert closed.json()["status"] == "closed"
        assert closed.json()["closed_by"] == "controller"
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/period-closed")
        assert refused.json()["period"] == "2026-03"
        assert april.status_code == 201
        assert again.status_code == 409
        assert reopened.json()["status"] == "open"
        assert accepted.status_code == 201

    def test_closing_is_audited_and_reserved_to_approvers(
        self, client: TestClient, users: Users, as_admin: dict[str, str], group: Group
    ) -> None:
        denied = client.post(
            f"/api/v1/entities/{group.sub}/periods/2026-05/close", headers=users.headers("accountant")
        )
        client.post(
            f"/api/v1/entities/{group.sub}/periods/2026-05/close",
            headers=as_admin,
            json={"reason": "year-end work"},
        )

        events = client.get(
            "/api/v1/audit-events",
            headers=as_admin,
            params={"action": "ledger.period", "subject_type": "fiscal_period"},
        ).json()["items"]
        months = client.get(
            f"/api/v1/entities/{group.sub}/periods", headers=as_admin, params={"year": 2026}
        ).json()

        assert denied.status_code == 403
        assert [(e["action"], e["after"]["reason"]) for e in events] == [
            ("ledger.period.closed", "year-end work")
        ]
        assert [m["status"] for m in months] == ["open"] * 4 + ["closed"] + ["open"] * 7

    def test_refuses_a_period_that_is_not_a_month(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        response = client.post(f"/api/v1/entities/{group.sub}/periods/2026-13/close", headers=as_admin)

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["path", "period"]


class TestImmutabilityAndReversal:
    def test_entries_cannot_be_replaced_edited_or_deleted(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        entry = post_ok(client, as_admin, group.sub, "2026-03-05", *SALE)
        path = f"/api/v1/journal-entries/{entry['id']}"

        statuses = [
            client.put(path, headers=as_admin, json={}).status_code,
            client.patch(path, headers=as_admin, json={}).status_code,
            client.delete(path, headers=as_admin).status_code,
        ]

        assert statuses == [405, 405, 405]
        assert client.get(path, headers=as_admin).json() == entry

    def test_a_reversal_cancels_the_entry_once(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        entry = post_ok(client, as_admin, group.sub, "2026-03-05", *SALE)
        path = f"/api/v1/journal-entries/{entry['id']}"

        reversal = client.post(f"{path}/reverse", headers=as_admin, json={"entry_date": "2026-04-01"})
        again = client.post(f"{path}/reverse", headers=as_admin, json={"entry_date": "2026-04-02"})
        original = client.get(path, headers=as_admin).json()
        balance = client.get(
            f"/api/v1/entities/{group.sub}/trial-balance", headers=as_admin, params={"as_of": "2026-04-30"}
        ).json()

        assert reversal.status_code == 201
        assert reversal.json()["source"] == "reversal"
        assert reversal.json()["reverses_id"] == entry["id"]
        assert reversal.json()["number"] == 2
        assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in reversal.json()["lines"]] == [
            ("1122", "0.0000", "1130.0000"),
            ("6001", "1000.0000", "0.0000"),
            ("2221", "130.0000", "0.0000"),
        ]
        assert original["reversed_by_id"] == reversal.json()["id"]
        assert again.status_code == 409
        assert again.json()["type"].endswith("/entry-already-reversed")
        assert balance["lines"] == []

    def test_a_reversal_cannot_predate_its_entry(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        entry = post_ok(client, as_admin, group.sub, "2026-03-05", *SALE)

        response = client.post(
            f"/api/v1/journal-entries/{entry['id']}/reverse",
            headers=as_admin,
            json={"entry_date": "2026-03-04"},
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "entry_date"]

    def test_approval_is_by_someone_other_than_the_preparer(
        self, client: TestClient, users: Users, group: Group
    ) -> None:
        entry = post_ok(client, users.headers("controller"), group.sub, "2026-03-05", *SALE)
        path = f"/api/v1/journal-entries/{entry['id']}/approve"

        own = client.post(path, headers=users.headers("controller"))
        approved = client.post(path, headers=users.headers("admin"))
        twice = client.post(path, headers=users.headers("admin"))

        assert own.status_code == 409
        assert approved.json()["approved_by"] == "admin"
        assert twice.status_code == 409


class TestListing:
    def test_filters_and_pages_with_a_cursor(
        self, client: TestClient, as_admin: dict[str, str], group: Group
    ) -> None:
        tagged = post_ok(
            client,
            as_admin,
            group.sub,
            "2026-02-10",
            line("1122", debit="5", counterparty_entity_id=group.parent),
            line("6001", credit="5", counterparty_entity_id=group.parent),
        )
        for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
            post_ok(client, as_admin, group.sub, day, *SALE)
        post_ok(client, as_admin, group.parent, "2026-03-01", *SALE)

        first = client.get(
            "/api/v1/journal-entries", headers=as_admin, params={"entity_id": group.sub, "limit": 2}
        ).json()
        rest = client.get(
            "/api/v1/journal-entries",
            headers=as_admin,
            params={"entity_id": group.sub, "limit": 2, "cursor": first["next_cursor"]},
        ).json()
        by_counterparty = client.get(
            "/api/v1/journal-entries", headers=as_admin, params={"counterparty_entity_id": group.parent}
        ).json()
        by_account = client.get(
            "/api/v1/journal-entries",
            headers=as_admin,
            params={"entity_id": group.sub, "account_code": "2221", "from": "2026-03-02", "to": "2026-03-03"},
        ).json()

        assert [e["number"] for e in first["items"]] == [1, 2]
        assert [e["number"] for e in rest["items"]] == [3, 4]
        assert rest["next_cursor"] is None
        assert [e["id"] for e in by_counterparty["items"]] == [tagged["id"]]
        assert [e["entry_date"] for e in by_account["items"]] == ["2026-03-02"]

    def test_a_limited_user_sees_only_its_entities(
        self, client: TestClient, users: Users, as_admin: dict[str, str], group: Group
    ) -> None:
        tagged = post_ok(
            client,
            as_admin,
            group.sub,
            "2026-03-01",
            line("1122", debit="5", counterparty_entity_id=group.parent),
            line("6001", credit="5"),
        )
        hidden = post_ok(client, as_admin, group.parent, "2026-03-01", *SALE)
        users.create("sub-clerk", "accountant", entity_ids=[group.sub])
        clerk = users.headers("sub-clerk")

        listed = client.get("/api/v1/journal-entries", headers=clerk).json()
        hidden_read = client.get(f"/api/v1/journal-entries/{hidden['id']}", headers=clerk)
        hidden_post = post(client, clerk, group.parent, "2026-03-02", *SALE)
        hidden_filter = client.get(
            "/api/v1/journal-entries", headers=clerk, params={"entity_id": group.parent}
        )
        hidden_balance = client.get(
            f"/api/v1/entities/{group.parent}/trial-balance", headers=clerk, params={"as_of": "2026-03-31"}
        )

        assert [e["id"] for e in listed["items"]] == [tagged["id"]]
        assert hidden_read.status_code == 404
        assert hidden_post.status_code == 404
        assert hidden_filter.status_code == 404
        assert hidden_balance.status_code == 404
