"""The entity register through HTTP: create, read, list, edit, dissolve; USCC rules; visibility; audit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.structure.structure_helpers import (
    BAD_USCC,
    ENTITIES,
    STAKES,
    error_types,
    locs,
    make_entity,
    make_stake,
    uscc_for,
)
from tests.conftest import Users

PROBLEMS = "https://groupledger.dev/problems/"


def _audit_actions(client: TestClient, headers: dict[str, str], subject_id: str) -> list[str]:
    response = client.get("/api/v1/audit-events", params={"subject_id": subject_id}, headers=headers)
    assert response.status_code == 200
    return [event["action"] for event in response.json()["items"]]


def _codes(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get(ENTITIES, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [e["code"] for e in response.json()["items"]]


class TestCreateEntity:
    def test_registers_an_active_entity_and_audits_it(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        body = {
            "code": "BJ-ENG",
            "name": "北京发动机有限公司",
            "name_en": "Beijing Engines Co.",
            "kind": "company",
            "uscc": "91110000600037341L",
            "functional_currency": "CNY",
            "country": "CN",
            "segment": "engines",
            "established_on": "2001-05-01",
        }

        response = client.post(ENTITIES, json=body, headers=as_admin)

        assert response.status_code == 201
        entity = response.json()
        assert entity["status"] == "active"
        assert entity["name"] == "北京发动机有限公司"
        assert entity["uscc"] == "91110000600037341L"
        assert entity["uscc_override_reason"] is None
        assert entity["ended_on"] is None
        assert response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"{ENTITIES}/{entity['id']}"
        assert _audit_actions(client, as_admin, entity["id"]) == ["entity.created"]

    def test_refuses_a_failing_uscc_naming_the_field_and_stores_nothing(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        body = {"code": "X1", "name": "某公司", "kind": "company", "uscc": BAD_USCC}

        response = client.post(ENTITIES, json=body, headers=users.headers("controller"))

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEMS + "entity-invalid"
        assert locs(response) == [["body", "uscc"]]
        assert "expected 'L'" in response.json()["errors"][0]["msg"]
        assert _codes(client, as_admin, code="X1") == []

    def test_an_admin_may_accept_a_failing_uscc_with_a_reason_which_is_audited(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        body = {
            "code": "PILOT",
            "name": "试点公司",
            "kind": "company",
            "uscc": BAD_USCC,
            "uscc_override_reason": "registered in the 2015 pilot; licence copy on file",
        }

        response = client.post(ENTITIES, json=body, headers=as_admin)

        assert response.status_code == 201
        entity = response.json()
        assert entity["uscc"] == BAD_USCC
        assert entity["uscc_override_reason"] == "registered in the 2015 pilot; licence copy on file"
        assert _audit_actions(client, as_admin, entity["id"]) == ["entity.created", "entity.uscc.overridden"]

    def test_a_non_admin_override_is_refused_naming_both_fields(
        self, client: TestClient, users: Users
    ) -> None:
        body = {
            "code": "X2",
            "name": "某公司",
            "kind": "company",
            "uscc": BAD_USCC,
            "uscc_override_reason": "trust me",
        }

        response = client.post(ENTITIES, json=body, headers=users.headers("accountant"))

        assert response.status_code == 422
        assert error_types(response) == {"uscc": "uscc_invalid", "uscc_override_reason": "override_forbidden"}

    def test_an_override_of_a_valid_code_is_refused(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        body = {
            "code": "X3",
            "name": "某公司",
            "kind": "company",
            "uscc": uscc_for(3),
            "uscc_override_reason": "not needed",
        }

        response = client.post(ENTITIES, json=body, headers=as_admin)

        assert response.status_code == 422
        assert error_types(response) == {"uscc_override_reason": "override_not_needed"}

    def test_reports_malformed_fields_with_their_location(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        body = {"code": "X4", "name": "", "kind": "partner", "functional_currency": "rmb"}

        response = client.post(ENTITIES, json=body, headers=as_admin)

        assert response.status_code == 422
        assert sorted(map(tuple, locs(response))) == [
            ("body", "functional_currency"),
            ("body", "kind"),
            ("body", "name"),
        ]

    def test_a_taken_code_or_uscc_is_a_conflict(self, client: TestClient, as_admin: dict[str, str]) -> None:
        make_entity(client, as_admin, "TAKEN", uscc=uscc_for(7))

        same_code = client.post(
            ENTITIES, json={"code": "TAKEN", "name": "甲", "kind": "company"}, headers=as_admin
        )
        same_uscc = client.post(
            ENTITIES,
            json={"code": "OTHER", "name": "乙", "kind": "company", "uscc": uscc_for(7)},
            headers=as_admin,
        )

        assert same_code.status_code == 409
        assert same_code.json()["type"] == PROBLEMS + "entity-code-taken"
        assert same_uscc.status_code == 409
        assert same_uscc.json()["type"] == PROBLEMS + "uscc-taken"
        assert same_uscc.json()["field"] == "uscc"

    def test_viewers_cannot_register(self, client: TestClient, users: Users) -> None:
        response = client.post(
            ENTITIES, json={"code": "V", "name": "甲", "kind": "company"}, headers=users.headers("viewer")
        )

        assert response.status_code == 403

    def test_an_entity_limited_user_cannot_register(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        own = make_entity(client, as_admin, "OWN")
        users.create("limited", "accountant", entity_ids=[own["id"]])

        response = client.post(
            ENTITIES, json={"code": "NEW", "name": "甲", "kind": "company"}, headers=users.headers("limited")
        )

        assert response.status_code == 403
        assert response.json()["type"] == PROBLEMS + "entity-limited-user"


class TestListAndReadEntities:
    def test_filters_by_kind_status_text_code_and_date(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        make_entity(client, as_admin, "P", name="北京汽车零部件集团", name_en="Beijing Auto Parts Group")
        make_entity(client, as_admin, "INV", kind="external", name="某投资基金")
        young = make_entity(client, as_admin, "YOUNG", established_on="2024-06-01")
        client.post(f"{ENTITIES}/{young['id']}/dissolve", json={"on": "2025-01-01"}, headers=as_admin)

        assert _codes(client, as_admin, kind="external") == ["INV"]
        assert _codes(client, as_admin, status="dissolved") == ["YOUNG"]
        assert _codes(client, as_admin, q="零部件") == ["P"]
        assert _codes(client, as_admin, q="auto parts") == ["P"]
        assert _codes(client, as_admin, code="INV") == ["INV"]
        assert _codes(client, as_admin, as_of="2024-01-01") == ["P", "INV"]
        assert _codes(client, as_admin, as_of="2024-07-01") == ["P", "INV", "YOUNG"]
        assert _codes(client, as_admin, as_of="2025-01-01") == ["P", "INV"]

    def test_pages_with_a_cursor(self, client: TestClient, as_admin: dict[str, str]) -> None:
        for code in ("A", "B", "C"):
            make_entity(client, as_admin, code)

        first = client.get(ENTITIES, params={"limit": 2}, headers=as_admin).json()
        second = client.get(
            ENTITIES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=as_admin
        ).json()

        assert [e["code"] for e in first["items"]] == ["A", "B"]
        assert [e["code"] for e in second["items"]] == ["C"]
        assert second["next_cursor"] is None

    def test_an_entity_limited_user_sees_only_its_entities(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        own = make_entity(client, as_admin, "OWN")
        other = make_entity(client, as_admin, "OTHER")
        users.create("limited", "accountant", entity_ids=[own["id"]])
        headers = users.headers("limited")

        listed = _codes(client, headers)
        read_own = client.get(f"{ENTITIES}/{own['id']}", headers=headers)
        read_other = client.get(f"{ENTITIES}/{other['id']}", headers=headers)
        patch_other = client.patch(
            f"{ENTITIES}/{other['id']}", json={"name": "改"}, headers={**headers, "If-Match": '"1"'}
        )

        assert listed == ["OWN"]
        assert read_own.status_code == 200
        assert read_other.status_code == 404
        assert read_other.json()["type"] == PROBLEMS + "entity-not-found"
        assert patch_other.status_code == 404

    def test_unknown_entity_is_404(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.get(f"{ENTITIES}/nope", headers=as_admin)

        assert response.status_code == 404


class TestUpdateEntity:
    def test_changes_names_with_if_match_and_bumps_the_version(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        entity = make_entity(client, as_admin, "S1")

        response = client.patch(
            f"{ENTITIES}/{entity['id']}",
            json={"name": "新名称", "name_en": "New Name", "segment": "chassis"},
            headers={**as_admin, "If-Match": '"1"'},
        )

        assert response.status_code == 200
        assert response.json()["name"] == "新名称"
        assert response.json()["segment"] == "chassis"
        assert response.json()["version"] == 2
        assert response.headers["etag"] == '"2"'
        assert _audit_actions(client, as_admin, entity["id"]) == ["entity.created", "entity.updated"]

    def test_needs_a_current_if_match(self, client: TestClient, as_admin: dict[str, str]) -> None:
        entity = make_entity(client, as_admin, "S2")

        missing = client.patch(f"{ENTITIES}/{entity['id']}", json={"name": "甲"}, headers=as_admin)
        stale = client.patch(
            f"{ENTITIES}/{entity['id']}", json={"name": "甲"}, headers={**as_admin, "If-Match": '"7"'}
        )

        assert missing.status_code == 428
        assert stale.status_code == 412

    def test_never_changes_code_or_kind(self, client: TestClient, as_admin: dict[str, str]) -> None:
        entity = make_entity(client, as_admin, "S3")

        response = client.patch(
            f"{ENTITIES}/{entity['id']}",
            json={"code": "S9", "kind": "external"},
            headers={**as_admin, "If-Match": '"1"'},
        )

        assert response.status_code == 422
        assert sorted(map(tuple, locs(response))) == [("body", "code"), ("body", "kind")]
        assert client.get(f"{ENTITIES}/{entity['id']}", headers=as_admin).json()["code"] == "S3"

    def test_refuses_clearing_the_name_and_a_failing_uscc_at_once(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        entity = make_entity(client, as_admin, "S4")

        response = client.patch(
            f"{ENTITIES}/{entity['id']}",
            json={"name": None, "uscc": BAD_USCC},
            headers={**users.headers("controller"), "If-Match": '"1"'},
        )

        assert response.status_code == 422
        assert error_types(response) == {"name": "required", "uscc": "uscc_invalid"}
        assert client.get(f"{ENTITIES}/{entity['id']}", headers=as_admin).json()["version"] == 1


class TestDissolveEntity:
    def test_ends_the_entity_and_its_running_stakes_on_that_day(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        parent = make_entity(client, as_admin, "P")
        sub = make_entity(client, as_admin, "S")
        stake = make_stake(client, as_admin, parent["id"], sub["id"], "0.8")

        response = client.post(
            f"{ENTITIES}/{sub['id']}/dissolve", json={"on": "2025-03-01"}, headers=as_admin
        )

        assert response.status_code == 200
        assert response.json()["status"] == "dissolved"
        assert response.json()["dissolved_on"] == "2025-03-01"
        assert response.json()["merged_on"] is None
        ended = client.get(f"{STAKES}/{stake['id']}", headers=as_admin).json()
        assert ended["valid_to"] == "2025-03-01"
        assert _audit_actions(client, as_admin, sub["id"]) == ["entity.created", "entity.dissolved"]
        assert _audit_actions(client, as_admin, stake["id"]) == ["stake.created", "stake.ended"]

    def test_a_closed_entity_cannot_be_dissolved_again(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        entity = make_entity(client, as_admin, "GONE")
        client.post(f"{ENTITIES}/{entity['id']}/dissolve", json={"on": "2025-03-01"}, headers=as_admin)

        again = client.post(
            f"{ENTITIES}/{entity['id']}/dissolve", json={"on": "2025-04-01"}, headers=as_admin
        )

        assert again.status_code == 409
        assert again.json()["type"] == PROBLEMS + "entity-not-active"

    def test_refuses_a_date_before_establishment_or_before_stakes_begin(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        parent = make_entity(client, as_admin, "P")
        sub = make_entity(client, as_admin, "S", established_on="2020-01-01")
        make_stake(client, as_admin, parent["id"], sub["id"], "0.8", valid_from="2024-06-01")

        early = client.post(f"{ENTITIES}/{sub['id']}/dissolve", json={"on": "2019-12-31"}, headers=as_admin)
        before_stake = client.post(
            f"{ENTITIES}/{sub['id']}/dissolve", json={"on": "2024-06-01"}, headers=as_admin
        )

        assert early.status_code == 422
        assert locs(early) == [["body", "on"]]
        assert before_stake.status_code == 409
        assert before_stake.json()["type"] == PROBLEMS + "stakes-begin-after-end"
        assert client.get(f"{ENTITIES}/{sub['id']}", headers=as_admin).json()["status"] == "active"
