"""A small group seeded through the API as the admin: companies A (the limited user's), B and C (not its),
and, for each feature whose routes exist, objects belonging to B (and some to A)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Users
from tests.security.routes import ROUTES

API = "/api/v1"


def has_route(method: str, path: str) -> bool:
    return any(r.method == method and r.path == API + path for r in ROUTES)


@dataclass
class Seeded:
    a: str
    b: str
    c: str
    admin: dict[str, str]
    limited: dict[str, str]
    entity_ids: set[str]
    objects: dict[str, list[str]] = field(default_factory=dict)


def _post(client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(API + path, json=body, headers=headers)
    assert response.status_code in (200, 201), f"seeding POST {path}: {response.status_code} {response.text}"
    result: dict[str, Any] = response.json()
    return result


def _entry(entity_id: str) -> dict[str, Any]:
    return {
        "entity_id": entity_id,
        "entry_date": "2026-03-15",
        "description": "security seed",
        "lines": [{"account_code": "1001", "debit": "100.00"}, {"account_code": "6001", "credit": "100.00"}],
    }


@pytest.fixture
def seeded(client: TestClient, users: Users) -> Seeded:
    admin = users.headers("admin")
    tag = uuid.uuid4().hex[:6].upper()
    ids = [
        _post(
            client, admin, "/entities", {"code": f"SEC{tag}{n}", "name": f"安全测试{n}", "kind": "company"}
        )["id"]
        for n in "ABC"
    ]
    a, b, c = ids
    users.create("limited", "controller", entity_ids=[a])
    seeded = Seeded(a=a, b=b, c=c, admin=admin, limited=users.headers("limited"), entity_ids=set(ids))
    if has_route("POST", "/stakes"):
        stake = {"investee_id": c, "share": "0.6", "valid_from": "2020-01-01"}
        seeded.objects["stakes"] = [
            _post(client, admin, "/stakes", {**stake, "holder_id": b})["id"],
            _post(client, admin, "/stakes", {**stake, "holder_id": a, "share": "0.3"})["id"],
        ]
    if has_route("POST", "/method-overrides"):
        body = {
            "parent_id": b,
            "entity_id": c,
            "method": "joint_venture",
            "reason": "seed",
            "valid_from": "2020-01-01",
        }
        seeded.objects["overrides"] = [_post(client, admin, "/method-overrides", body)["id"]]
    if has_route("POST", "/journal-entries"):
        seeded.objects["entries"] = [
            _post(client, admin, "/journal-entries", _entry(b))["id"],
            _post(client, admin, "/journal-entries", _entry(a))["id"],
        ]
    if has_route("POST", "/entities/{entity_id}/local-accounts"):
        _post(client, admin, f"/entities/{b}/local-accounts", {"local_code": "L1001", "group_code": "1001"})
    if has_route("POST", "/entities/{entity_id}/periods/{period}/close"):
        _post(client, admin, f"/entities/{b}/periods/2026-01/close", {})
    return seeded
