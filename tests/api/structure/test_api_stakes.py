"""Equity stakes through HTTP: every rule reported at once with its field, changes of holding, as-of reads."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.structure.structure_helpers import STAKES, error_types, locs, make_entity, make_stake
from tests.conftest import Users

PROBLEMS = "https://groupledger.dev/problems/"


def _stakes(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get(STAKES, params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _post(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("valid_from", "2024-01-01")
    return client.post(STAKES, json=body, headers=headers)


class TestCreateStake:
    def test_records_a_holding_with_votes_defaulting_to_the_share(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]

        response = _post(
            client,
            as_admin,
            holder_id=p,
            investee_id=s,
            share="0.8",
            capital_amount="8000000",
            capital_paid="5000000.5",
        )

        assert response.status_code == 201
        stake = response.json()
        assert stake["share"] == "0.8"
        assert stake["voting_share"] == "0.8"
        assert stake["capital_subscribed"] == "8000000.0000"
        assert stake["capital_paid"] == "5000000.5000"
        assert stake["valid_to"] is None
        assert stake["superseded"] is None
        events = client.get(
            "/api/v1/audit-events", params={"subject_id": stake["id"]}, headers=as_admin
        ).json()
        assert [(e["action"], e["entity_id"]) for e in events["items"]] == [("stake.created", s)]

    def test_reports_every_field_rule_at_once_and_stores_nothing(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        p = make_entity(client, as_admin, "P")["id"]

        response = _post(
            client,
            as_admin,
            holder_id=p,
            investee_id=p,
            share="1.5",
            voting_share="0",
            valid_from="2024-05-01",
            valid_to="2024-05-01",
            capital_subscribed="-1",
        )

        assert response.status_code == 422
        assert response.json()["type"] == PROBLEMS + "stake-invalid"
        assert error_types(response) == {
            "share": "share_out_of_range",
            "voting_share": "share_out_of_range",
            "capital_subscribed": "negative_amount",
            "valid_to": "period_empty",
            "investee_id": "self_holding",
        }
        assert all(loc[0] == "body" for loc in locs(response))
        assert _stakes(client, as_admin) == []

    def test_unknown_parties_are_422_naming_the_field(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        s = make_entity(client, as_admin, "S")["id"]

        response = _post(client, as_admin, holder_id="no-such-entity", investee_id=s, share="0.5")

        assert response.status_code == 422
        assert error_types(response) == {"holder_id": "unknown_entity"}

    def test_refuses_capital_over_allocated_on_some_date(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        a, b, x = (make_entity(client, as_admin, code)["id"] for code in ("A", "B", "X"))
        make_stake(client, as_admin, a, x, "0.6", valid_from="2025-01-01")

        response = _post(client, as_admin, holder_id=b, investee_id=x, share="0.5", voting_share="0.4")

        assert response.status_code == 422
        assert error_types(response) == {"share": "over_allocated"}
        error = response.json()["errors"][0]
        assert error["on"] == "2025-01-01"
        assert error["total"] == "1.1"
        assert _stakes(client, as_admin, investee_id=x, holder_id=b) == []

    def test_checks_votes_separately_from_capital(self, client: TestClient, as_admin: dict[str, str]) -> None:
        a, b, x = (make_entity(client, as_admin, code)["id"] for code in ("A", "B", "X"))
        make_stake(client, as_admin, a, x, "0.3", voting_share="0.7")

        response = _post(client, as_admin, holder_id=b, investee_id=x, share="0.3", voting_share="0.4")

        assert response.status_code == 422
        assert error_types(response) == {"voting_share": "over_allocated"}

    def test_a_holder_that_left_frees_its_share_for_later_dates(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        a, b, x = (make_entity(client, as_admin, code)["id"] for code in ("A", "B", "X"))
        make_stake(client, as_admin, a, x, "0.6", valid_to="2024-07-01")

        later = _post(client, as_admin, holder_id=b, investee_id=x, share="0.9", valid_from="2024-07-01")
        overlapping = _post(
            client,
            as_admin,
            holder_id=b,
            investee_id=x,
            share="0.5",
            valid_from="2024-03-01",
            valid_to="2024-07-01",
        )

        assert later.status_code == 201
        assert overlapping.status_code == 422
        assert response_on(overlapping) == "2024-03-01"

    def test_both_parties_must_be_active_over_the_whole_period(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        holder = make_entity(client, as_admin, "H")["id"]
        young = make_entity(client, as_admin, "YOUNG", established_on="2024-06-01")["id"]
        client.post(f"/api/v1/entities/{holder}/dissolve", json={"on": "2025-01-01"}, headers=as_admin)

        response = _post(client, as_admin, holder_id=holder, investee_id=young, share="0.5")

        assert response.status_code == 422
        assert error_types(response) == {"holder_id": "entity_not_active", "investee_id": "entity_not_active"}

    def test_a_later_record_of_the_pair_ends_the_open_one(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]
        old = make_stake(client, as_admin, p, s, "0.6")

        response = _post(client, as_admin, holder_id=p, investee_id=s, share="0.8", valid_from="2025-01-01")

        assert response.status_code == 201
        assert response.json()["superseded"]["id"] == old["id"]
        assert response.json()["superseded"]["valid_to"] == "2025-01-01"
        assert [x["share"] for x in _stakes(client, as_admin, investee_id=s, as_of="2024-12-31")] == ["0.6"]
        assert [x["share"] for x in _stakes(client, as_admin, investee_id=s, as_of="2025-01-01")] == ["0.8"]
        events = client.get("/api/v1/audit-events", params={"subject_id": old["id"]}, headers=as_admin).json()
        assert [e["action"] for e in events["items"]] == ["stake.created", "stake.ended"]
        assert events["items"][1]["after"]["reason"] == "change of holding"

    def test_a_refused_change_of_holding_leaves_the_old_record_open(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        a, b, x = (make_entity(client, as_admin, code)["id"] for code in ("A", "B", "X"))
        old = make_stake(client, as_admin, a, x, "0.6")
        make_stake(client, as_admin, b, x, "0.4")

        response = _post(client, as_admin, holder_id=a, investee_id=x, share="0.7", valid_from="2025-01-01")

        assert response.status_code == 422
        assert error_types(response) == {"share": "over_allocated", "voting_share": "over_allocated"}
        assert client.get(f"{STAKES}/{old['id']}", headers=as_admin).json()["valid_to"] is None

    def test_overlapping_records_of_the_same_pair_are_refused(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]
        make_stake(client, as_admin, p, s, "0.5", valid_to="2024-12-31")
        make_stake(client, as_admin, p, s, "0.2", valid_from="2025-03-01")

        inside = _post(client, as_admin, holder_id=p, investee_id=s, share="0.3", valid_from="2024-06-01")
        same_day = _post(client, as_admin, holder_id=p, investee_id=s, share="0.3", valid_from="2025-03-01")
        gap = _post(
            client,
            as_admin,
            holder_id=p,
            investee_id=s,
            share="0.3",
            valid_from="2024-12-31",
            valid_to="2025-03-01",
        )

        assert inside.status_code == 422
        assert error_types(inside) == {"valid_from": "stake_overlap"}
        assert same_day.status_code == 422
        assert error_types(same_day) == {"valid_from": "stake_overlap"}
        assert gap.status_code == 201

    def test_capital_rules(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]

        paid_too_much = _post(
            client,
            as_admin,
            holder_id=p,
            investee_id=s,
            share="0.5",
            capital_subscribed="100",
            capital_paid="150",
        )
        alias_disagrees = _post(
            client,
            as_admin,
            holder_id=p,
            investee_id=s,
            share="0.5",
            capital_subscribed="100",
            capital_amount="200",
        )
        too_precise = _post(client, as_admin, holder_id=p, investee_id=s, share="0.1234567890123")

        assert error_types(paid_too_much) == {"capital_paid": "paid_exceeds_subscribed"}
        assert alias_disagrees.status_code == 422
        assert locs(alias_disagrees) == [["body", "capital_amount"]]
        assert too_precise.status_code == 422
        assert locs(too_precise) == [["body", "share"]]

    def test_viewers_and_auditors_cannot_record(self, client: TestClient, users: Users) -> None:
        for role in ("viewer", "auditor"):
            response = _post(client, users.headers(role), holder_id="a", investee_id="b", share="0.5")

            assert response.status_code == 403


def response_on(response: Any) -> str:
    on: str = response.json()["errors"][0]["on"]
    return on


class TestReadStakes:
    def test_lists_by_holder_investee_and_date(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p, s, t = (make_entity(client, as_admin, code)["id"] for code in ("P", "S", "T"))
        ps = make_stake(client, as_admin, p, s, "0.8")
        st = make_stake(client, as_admin, s, t, "0.6", valid_from="2024-07-01")

        assert [x["id"] for x in _stakes(client, as_admin, holder_id=p)] == [ps["id"]]
        assert [x["id"] for x in _stakes(client, as_admin, investee_id=t)] == [st["id"]]
        assert [x["id"] for x in _stakes(client, as_admin, as_of="2024-03-01")] == [ps["id"]]
        assert [x["id"] for x in _stakes(client, as_admin, as_of="2024-07-01")] == [ps["id"], st["id"]]

    def test_an_entity_limited_user_sees_stakes_touching_its_entities(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        p, s, t, u = (make_entity(client, as_admin, code)["id"] for code in ("P", "S", "T", "U"))
        ps = make_stake(client, as_admin, p, s, "0.8")
        tu = make_stake(client, as_admin, t, u, "0.6")
        users.create("limited", "viewer", entity_ids=[s])
        headers = users.headers("limited")

        listed = [x["id"] for x in _stakes(client, headers)]
        hidden = client.get(f"{STAKES}/{tu['id']}", headers=headers)

        assert listed == [ps["id"]]
        assert hidden.status_code == 404
        assert hidden.json()["type"] == PROBLEMS + "stake-not-found"

    def test_an_entity_limited_user_cannot_use_entities_outside_its_set(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        own, other = make_entity(client, as_admin, "OWN")["id"], make_entity(client, as_admin, "OTHER")["id"]
        users.create("limited", "accountant", entity_ids=[own])

        response = _post(client, users.headers("limited"), holder_id=own, investee_id=other, share="0.5")

        assert response.status_code == 422
        assert error_types(response) == {"investee_id": "unknown_entity"}


class TestEndStake:
    def test_ends_an_open_stake_once(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]
        stake = make_stake(client, as_admin, p, s, "0.8")

        ended = client.post(f"{STAKES}/{stake['id']}/end", json={"valid_to": "2025-01-01"}, headers=as_admin)
        again = client.post(f"{STAKES}/{stake['id']}/end", json={"valid_to": "2025-02-01"}, headers=as_admin)

        assert ended.status_code == 200
        assert ended.json()["valid_to"] == "2025-01-01"
        assert again.status_code == 409
        assert again.json()["type"] == PROBLEMS + "stake-already-ended"

    def test_refuses_an_end_not_after_the_start(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]
        stake = make_stake(client, as_admin, p, s, "0.8")

        response = client.post(
            f"{STAKES}/{stake['id']}/end", json={"valid_to": "2024-01-01"}, headers=as_admin
        )

        assert response.status_code == 422
        assert locs(response) == [["body", "valid_to"]]
        assert client.get(f"{STAKES}/{stake['id']}", headers=as_admin).json()["valid_to"] is None

    def test_unknown_stake_is_404(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.post(f"{STAKES}/nope/end", json={"valid_to": "2025-01-01"}, headers=as_admin)

        assert response.status_code == 404
