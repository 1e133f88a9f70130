"""Ownership figures, method overrides, method history, ultimate owners and the chart through HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.ownership.models import EquityStake
from tests.api.structure.structure_helpers import (
    OVERRIDES,
    OWNERSHIP,
    build_group,
    error_types,
    locs,
    make_entity,
    make_stake,
    ownership,
)
from tests.conftest import Users

PROBLEMS = "https://groupledger.dev/problems/"
SVG = "{http://www.w3.org/2000/svg}"


def _override(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("method", "joint_venture")
    body.setdefault("reason", "joint control under the shareholders' agreement")
    body.setdefault("valid_from", "2024-01-01")
    return client.post(OVERRIDES, json=body, headers=headers)


class TestOwnership:
    def test_answers_the_api_shape_with_ten_place_strings(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"P": {"S": "0.8"}, "S": {"T": "0.6"}})

        response = client.get(
            OWNERSHIP, params={"parent_id": ids["P"], "as_of": "2024-06-30"}, headers=as_admin
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["parent_id"], body["as_of"], body["ultimate_parent_id"]) == (
            ids["P"],
            "2024-06-30",
            ids["P"],
        )
        t = next(line for line in body["entities"] if line["entity_id"] == ids["T"])
        assert t == {
            "entity_id": ids["T"],
            "code": "T",
            "name": "T有限公司",
            "control_share": "0.6000000000",
            "interest_share": "0.4800000000",
            "nci_share": "0.5200000000",
            "nci_direct": "0.4000000000",
            "nci_indirect": "0.1200000000",
            "group_share": "0.4800000000",
            "group_holding": "0.6000000000",
            "method": "subsidiary",
            "computed_method": "subsidiary",
            "overridden": False,
            "override_reason": None,
            "exact": True,
            "control_since": "2024-01-01",
        }
        assert body["entities"][0]["method"] == "parent"
        assert body["entities"][0]["interest_share"] == "1.0000000000"

    def test_answers_as_of_any_date(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]
        make_stake(client, as_admin, p, s, "0.4", valid_from="2024-01-01")
        make_stake(client, as_admin, p, s, "0.7", valid_from="2024-07-01")

        before = ownership(client, as_admin, p, "2023-12-31")
        associate = ownership(client, as_admin, p, "2024-03-01")[s]
        subsidiary = ownership(client, as_admin, p, "2024-09-01")[s]

        assert s not in before
        assert (associate["method"], associate["interest_share"], associate["control_since"]) == (
            "associate",
            "0.4000000000",
            None,
        )
        assert (subsidiary["method"], subsidiary["interest_share"], subsidiary["control_since"]) == (
            "subsidiary",
            "0.7000000000",
            "2024-07-01",
        )

    def test_the_ultimate_parent_sits_above_the_parent(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"TOP": {"P": "0.9"}, "P": {"S": "0.8"}})

        response = client.get(
            OWNERSHIP, params={"parent_id": ids["P"], "as_of": "2024-06-30"}, headers=as_admin
        )

        assert response.json()["ultimate_parent_id"] == ids["TOP"]

    def test_query_problems(self, client: TestClient, as_admin: dict[str, str]) -> None:
        young = make_entity(client, as_admin, "YOUNG", established_on="2024-06-01")["id"]

        unknown = client.get(OWNERSHIP, params={"parent_id": "nope", "as_of": "2024-06-30"}, headers=as_admin)
        not_yet = client.get(OWNERSHIP, params={"parent_id": young, "as_of": "2024-01-01"}, headers=as_admin)
        no_date = client.get(OWNERSHIP, params={"parent_id": young}, headers=as_admin)

        assert unknown.status_code == 404
        assert not_yet.status_code == 422
        assert not_yet.json()["type"] == PROBLEMS + "ownership-query-invalid"
        assert locs(not_yet) == [["query", "as_of"]]
        assert no_date.status_code == 422
        assert locs(no_date) == [["query", "as_of"]]

    def test_an_entity_limited_user_sees_its_lines_only(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"P": {"S": "0.8", "T": "0.3"}})
        users.create("limited", "viewer", entity_ids=[ids["P"], ids["S"]])
        other = make_entity(client, as_admin, "OTHER")["id"]
        headers = users.headers("limited")

        lines = ownership(client, headers, ids["P"], "2024-06-30")
        hidden = client.get(OWNERSHIP, params={"parent_id": other, "as_of": "2024-06-30"}, headers=headers)

        assert set(lines) == {ids["P"], ids["S"]}
        assert hidden.status_code == 404

    def test_history_gives_the_method_by_period(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p, s = make_entity(client, as_admin, "P")["id"], make_entity(client, as_admin, "S")["id"]
        make_stake(client, as_admin, p, s, "0.4", valid_from="2024-01-01")
        make_stake(client, as_admin, p, s, "0.7", valid_from="2024-07-01")

        response = client.get(
            f"{OWNERSHIP}/history", params={"parent_id": p, "entity_id": s}, headers=as_admin
        )

        assert response.status_code == 200
        [entity] = response.json()["entities"]
        assert [
            (x["valid_from"], x["valid_to"], x["method"], x["interest_share"]) for x in entity["periods"]
        ] == [
            ("2024-01-01", "2024-07-01", "associate", "0.4000000000"),
            ("2024-07-01", None, "subsidiary", "0.7000000000"),
        ]

    def test_a_closed_cycle_is_a_conflict_in_the_ultimate_owner_view(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"X": {"Y": "1"}, "Y": {"X": "1"}, "OWNER": {"Z": "0.5"}})

        response = client.get(
            f"{OWNERSHIP}/ultimate-owners",
            params={"group_owner_id": ids["OWNER"], "as_of": "2024-06-30"},
            headers=as_admin,
        )

        assert response.status_code == 409
        assert response.json()["type"] == PROBLEMS + "ownership-closed-cycle"
        assert sorted(response.json()["entities"]) == sorted([ids["X"], ids["Y"]])

    def test_a_share_above_one_written_behind_the_api_is_reported_not_read_as_units(
        self, client: TestClient, as_admin: dict[str, str], session_factory: sessionmaker[Session]
    ) -> None:
        # the as-of view reads shares as integer units, which cannot express this one: it reads decimals
        ids = build_group(client, as_admin, {"P": {"S": "0.8"}})
        with session_factory() as session:
            session.execute(
                update(EquityStake).where(EquityStake.investee_id == ids["S"]).values(share=Decimal("1.5"))
            )
            session.commit()

        response = client.get(
            OWNERSHIP, params={"parent_id": ids["P"], "as_of": "2024-06-30"}, headers=as_admin
        )

        assert response.status_code == 409
        assert response.json()["type"] == PROBLEMS + "ownership-invalid-input"
        assert any("1.5" in v["msg"] for v in response.json()["violations"])


class TestMethodOverrides:
    def test_a_controller_records_an_override_that_changes_the_method(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"P": {"JV": "0.5"}})

        response = _override(client, users.headers("controller"), parent_id=ids["P"], entity_id=ids["JV"])
        line = ownership(client, as_admin, ids["P"], "2024-06-30")[ids["JV"]]

        assert response.status_code == 201
        assert response.json()["approved_by"] == "controller"
        assert (line["method"], line["computed_method"], line["overridden"]) == (
            "joint_venture",
            "associate",
            True,
        )
        assert line["override_reason"] == "joint control under the shareholders' agreement"
        events = client.get(
            "/api/v1/audit-events", params={"subject_id": response.json()["id"]}, headers=as_admin
        ).json()["items"]
        assert [e["action"] for e in events] == ["method_override.created"]

    def test_accountants_cannot_override(
        self, client: TestClient, users: Users, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"P": {"JV": "0.5"}})

        response = _override(client, users.headers("accountant"), parent_id=ids["P"], entity_id=ids["JV"])

        assert response.status_code == 403

    def test_reports_every_violation_at_once(self, client: TestClient, as_admin: dict[str, str]) -> None:
        p = make_entity(client, as_admin, "P")["id"]

        response = _override(
            client, as_admin, parent_id=p, entity_id=p, valid_from="2024-05-01", valid_to="2024-04-01"
        )
        unknown = _override(client, as_admin, parent_id=p, entity_id="nope", method="control")

        assert response.status_code == 422
        assert response.json()["type"] == PROBLEMS + "method-override-invalid"
        assert error_types(response) == {"entity_id": "self_override", "valid_to": "period_empty"}
        assert unknown.status_code == 422
        assert locs(unknown) == [["body", "method"]]
        assert client.get(OVERRIDES, headers=as_admin).json()["items"] == []

    def test_a_later_override_supersedes_the_open_one_and_overlaps_are_refused(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, {"P": {"S": "0.5"}})
        first = _override(client, as_admin, parent_id=ids["P"], entity_id=ids["S"]).json()

        later = _override(
            client,
            as_admin,
            parent_id=ids["P"],
            entity_id=ids["S"],
            method="subsidiary",
            valid_from="2024-07-01",
            reason="de-facto control: board majority since July",
        )
        overlap = _override(client, as_admin, parent_id=ids["P"], entity_id=ids["S"], valid_from="2024-07-01")

        assert later.status_code == 201
        assert later.json()["superseded"]["id"] == first["id"]
        assert later.json()["superseded"]["valid_to"] == "2024-07-01"
        assert overlap.status_code == 422
        assert error_types(overlap) == {"valid_from": "override_overlap"}
        assert ownership(client, as_admin, ids["P"], "2024-03-01")[ids["S"]]["method"] == "joint_venture"
        assert ownership(client, as_admin, ids["P"], "2024-09-01")[ids["S"]]["control_since"] == "2024-07-01"


class TestChart:
    def test_draws_the_structure_as_svg_with_chinese_names(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        p = make_entity(client, as_admin, "P", name="北京汽车零部件集团", name_en="Beijing Auto Parts Group")
        s = make_entity(client, as_admin, "S", name="北京底盘有限公司", name_en="Beijing Chassis Co.")
        fund = make_entity(client, as_admin, "FUND", kind="external", name="外部投资基金")
        make_stake(client, as_admin, p["id"], s["id"], "0.8")
        make_stake(client, as_admin, fund["id"], s["id"], "0.2")

        response = client.get(
            f"{OWNERSHIP}/chart.svg", params={"parent_id": p["id"], "as_of": "2024-06-30"}, headers=as_admin
        )

        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        root = ET.fromstring(response.content)  # noqa: S314  (our own server's output)
        texts = [t.text or "" for t in root.iter(f"{SVG}text")]
        assert root.tag == f"{SVG}svg"
        assert {"北京汽车零部件集团", "北京底盘有限公司", "外部投资基金", "Beijing Chassis Co."} <= set(texts)
        assert {"80%", "20%"} <= set(texts)
        assert any(t.get("font-family") == "Noto Sans CJK SC" for t in root.iter(f"{SVG}text"))
        assert any(p.get("stroke-dasharray") for p in root.iter(f"{SVG}polygon"))  # the outside holder

    def test_says_so_when_graphviz_is_missing(
        self, client: TestClient, as_admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        p = make_entity(client, as_admin, "P")
        monkeypatch.setattr("app.ownership.chart.shutil.which", lambda _name: None)

        response = client.get(
            f"{OWNERSHIP}/chart.svg", params={"parent_id": p["id"], "as_of": "2024-06-30"}, headers=as_admin
        )

        assert response.status_code == 503
        assert response.json()["type"] == PROBLEMS + "graphviz-missing"
