"""Builders for the group-structure API tests: entities and stakes created through HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.entities.uscc import make_uscc

ENTITIES = "/api/v1/entities"
STAKES = "/api/v1/stakes"
OWNERSHIP = "/api/v1/ownership"
OVERRIDES = "/api/v1/method-overrides"
START = "2024-01-01"
# A failing-check code: the valid 91110000600037341L with its check character changed.
BAD_USCC = "91110000600037341M"


def uscc_for(number: int) -> str:
    """A valid USCC, different for every number."""
    return make_uscc(body=f"{number:08d}1")


def make_entity(client: TestClient, headers: dict[str, str], code: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "name": f"{code}有限公司", "kind": "company"}
    body.update(fields)
    response = client.post(ENTITIES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def make_stake(
    client: TestClient, headers: dict[str, str], holder: str, investee: str, share: str, **fields: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"holder_id": holder, "investee_id": investee, "share": share, "valid_from": START}
    body.update(fields)
    response = client.post(STAKES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def build_group(
    client: TestClient, headers: dict[str, str], direct: dict[str, dict[str, str]], **entity_fields: Any
) -> dict[str, str]:
    """Entities named in `direct` ({holder: {investee: share}}) and their stakes; returns code -> id."""
    codes = list(dict.fromkeys([*direct, *(i for held in direct.values() for i in held)]))
    ids = {code: make_entity(client, headers, code, **entity_fields)["id"] for code in codes}
    for holder, held in direct.items():
        for investee, share in held.items():
            make_stake(client, headers, ids[holder], ids[investee], share)
    return ids


def ownership(
    client: TestClient, headers: dict[str, str], parent_id: str, as_of: str
) -> dict[str, dict[str, Any]]:
    """GET /ownership, as entity_id -> line."""
    response = client.get(OWNERSHIP, params={"parent_id": parent_id, "as_of": as_of}, headers=headers)
    assert response.status_code == 200, response.text
    return {line["entity_id"]: line for line in response.json()["entities"]}


def locs(response: Any) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["errors"]]


def error_types(response: Any) -> dict[str, str]:
    """field -> rule type for each reported violation."""
    return {str(error["loc"][-1]): error["type"] for error in response.json()["errors"]}
