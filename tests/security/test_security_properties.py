"""OWASP API3 (object property level authorization), generated from the OpenAPI document.

Every JSON input forbids unknown fields (a 422 naming the field), and no input model offers the fields the
server owns (ids, status, version, approver, timestamps): a client cannot set them, not even by guessing.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Users
from tests.security.routes import PARAM, ROUTES, Route, json_body_schema, resolve_schema, valid_request

SERVER_OWNED = {
    "id",
    "version",
    "status",
    "approved_by",
    "approved_at",
    "approver_id",
    "requested_by",
    "preparer",
    "preparer_id",
    "created_at",
    "updated_at",
    "posted_at",
    "number",
    "reversed_by_id",
    "closed_at",
    "closed_by",
    "input_hash",
    "result_hash",
}
# Inputs where API.md makes one of those names the client's: an asset's (operating) status is the user's.
ALLOWED = {("POST", "/api/v1/assets"): {"status"}, ("PATCH", "/api/v1/assets/{asset_id}"): {"status"}}
BODY_ROUTES = [r for r in ROUTES if r.method in {"POST", "PATCH", "PUT"} and json_body_schema(r) is not None]
# Findings reported to their feature's owners; strict, so the test says when one is fixed.
KNOWN_OPEN_OBJECTS: dict[str, str] = {}


def _known(routes: list[Route], findings: dict[str, str]) -> list[object]:
    return [
        pytest.param(r, id=r.label, marks=pytest.mark.xfail(strict=True, reason=findings[r.label]))
        if r.label in findings
        else pytest.param(r, id=r.label)
        for r in routes
    ]


def _object_schemas(schema: dict[str, object], seen: set[int] | None = None) -> list[dict[str, object]]:
    """The schema and every object schema nested in it (items, properties, anyOf members)."""
    seen = seen if seen is not None else set()
    schema = resolve_schema(schema)
    if id(schema) in seen:
        return []
    seen.add(id(schema))
    out = [schema] if schema.get("type") == "object" or "properties" in schema else []
    children: list[object] = []
    children += list(dict(schema.get("properties", {})).values())  # type: ignore[call-overload]
    children += list(schema.get("anyOf", [])) + list(schema.get("oneOf", []))  # type: ignore[call-overload]
    if isinstance(schema.get("items"), dict):
        children.append(schema["items"])
    for child in children:
        if isinstance(child, dict):
            out += _object_schemas(child, seen)
    return out


def test_there_are_body_routes_to_check() -> None:
    assert len(BODY_ROUTES) >= 5


@pytest.mark.parametrize("route", _known(BODY_ROUTES, KNOWN_OPEN_OBJECTS))
def test_every_input_object_forbids_unknown_fields(route: Route) -> None:
    schema = json_body_schema(route)
    assert schema is not None

    open_objects = [
        s.get("title", "?") for s in _object_schemas(schema) if s.get("additionalProperties") is not False
    ]

    assert open_objects == []


@pytest.mark.parametrize("route", BODY_ROUTES, ids=[r.label for r in BODY_ROUTES])
def test_no_input_offers_a_server_owned_field(route: Route) -> None:
    schema = json_body_schema(route)
    assert schema is not None
    allowed = ALLOWED.get((route.method, route.path), set())

    offered = {
        name
        for s in _object_schemas(schema)
        for name in dict(s.get("properties", {}))  # type: ignore[call-overload]
    } & (SERVER_OWNED - allowed)

    assert offered == set()


def test_unknown_and_server_owned_fields_are_refused_on_every_route(client: TestClient, users: Users) -> None:
    failures = []
    for route in BODY_ROUTES:
        role = "admin" if "admin" in route.roles else sorted(route.roles)[0]
        query, body = valid_request(route.method, route.path)
        if not isinstance(body, dict):
            continue
        url = PARAM.sub("01900000-0000-7000-8000-000000000000", route.path).replace(
            "/periods/01900000-0000-7000-8000-000000000000", "/periods/2026-01"
        )
        for extra in ("unexpected_field", "version", "status", "id", "approved_by"):
            if extra in (json_body_schema(route) or {}).get("properties", {}):
                continue
            response = client.request(
                route.method,
                url,
                params=query,
                json={**body, extra: "x"},
                headers={**users.headers(role), "If-Match": '"1"'},
            )
            named = any(extra in e.get("loc", []) for e in response.json().get("errors") or [])
            if response.status_code != 422 or not named:
                failures.append(f"{route.label} +{extra}: {response.status_code} {response.text[:160]}")

    assert failures == []
