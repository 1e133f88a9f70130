"""OWASP API1 (object-level authorization), generated from the route table.

A user limited to company A must get 404 (exactly as for an id that does not exist) for every object of
another entity, on every route that names one, whatever the method; lists show only what touches its
entities; and a body naming another entity is refused as not found. Objects are found through the
collection routes (admin's list minus the limited user's), so a feature's new routes are covered as soon
as they exist.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.core.security import Role
from tests.security.conftest import Seeded
from tests.security.routes import ROUTES, Route, json_body_schema, valid_request

# Path parameters that are not object ids: a valid literal is enough.
LITERALS = {"period": "2026-01"}
MISSING = "01900000-0000-7000-8000-000000000000"
# Routes whose generated request meets a bug reported to the feature's owners before authorization matters.
KNOWN: dict[str, str] = {}


def _concrete(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _list_route(prefix: str) -> Route | None:
    return next((r for r in ROUTES if r.method == "GET" and r.path == prefix), None)


def _ids(body: Any, key: str) -> list[str]:
    items = body.get("items", []) if isinstance(body, dict) else body if isinstance(body, list) else []
    return [str(i[key]) for i in items if isinstance(i, dict) and key in i]


def _hidden(client: TestClient, seeded: Seeded, route: Route, param: str, known: dict[str, str]) -> list[str]:
    """Ids for `param` that the admin can list and the limited user cannot see."""
    if param == "entity_id":
        return [seeded.b]
    prefix = route.path.split("/{" + param + "}")[0]
    listing = _list_route(prefix)
    if listing is None or any(p not in known for p in listing.params):
        return []
    params = {"limit": 1000} if any(p["name"] == "limit" for p in listing.query_params) else {}
    url = _concrete(prefix, known)
    admin = client.get(url, params=params, headers=seeded.admin)
    if admin.status_code != 200:
        return []
    key = next((k for k in (param, "id", param.removesuffix("_id")) if _ids(admin.json(), k)), param)
    everything = _ids(admin.json(), key)
    limited = client.get(url, params=params, headers=seeded.limited)
    visible = set(_ids(limited.json(), key)) if limited.status_code == 200 else set()
    return [i for i in everything if i not in visible]


def _call(client: TestClient, route: Route, url: str, headers: dict[str, str]) -> int:
    query, body = valid_request(route.method, route.path)
    extra = {"If-Match": '"1"'} if route.method in {"PATCH", "PUT", "DELETE"} else {}
    response = client.request(route.method, url, params=query, json=body, headers={**headers, **extra})
    return response.status_code


def test_other_entities_objects_are_not_found_on_every_route(client: TestClient, seeded: Seeded) -> None:
    failures, exercised, unexercised = [], [], []
    for route in ROUTES:
        if not route.params or Role.CONTROLLER not in route.roles:
            continue
        known = {"entity_id": seeded.b, **LITERALS}
        values: dict[str, str] = {}
        for param in route.params:
            if param in LITERALS:
                values[param] = LITERALS[param]
                continue
            hidden = _hidden(client, seeded, route, param, {**known, **values})
            if not hidden:
                break
            values[param] = hidden[0]
        else:
            status = _call(client, route, _concrete(route.path, values), seeded.limited)
            missing = _concrete(
                route.path, {**values, **{p: MISSING for p in route.params if p not in LITERALS}}
            )
            missing_status = _call(client, route, missing, seeded.limited)
            exercised.append(route.label)
            if status != 404 or missing_status != 404:
                failures.append(
                    f"{route.label}: other entity's object -> {status}, missing object -> {missing_status}"
                )
            continue
        unexercised.append(route.label)

    assert failures == []
    entity_routes = {r.label for r in ROUTES if "{entity_id}" in r.path and Role.CONTROLLER in r.roles}
    assert entity_routes <= set(exercised), sorted(entity_routes - set(exercised))
    assert len(exercised) >= 10, (exercised, unexercised)


def _entity_refs(item: dict[str, Any], entity_ids: set[str]) -> set[str]:
    return {v for v in item.values() if isinstance(v, str) and v in entity_ids}


def test_lists_show_only_what_touches_the_users_entities(client: TestClient, seeded: Seeded) -> None:
    failures, checked = [], []
    for route in ROUTES:
        if route.method != "GET" or route.params or Role.CONTROLLER not in route.roles:
            continue
        if any(p.get("required") for p in route.query_params) or not any(
            p["name"] == "limit" for p in route.query_params
        ):
            continue
        admin = client.get(route.path, params={"limit": 1000}, headers=seeded.admin)
        limited = client.get(route.path, params={"limit": 1000}, headers=seeded.limited)
        if admin.status_code != 200:
            continue
        checked.append(route.label)
        items = limited.json()["items"] if limited.status_code == 200 else []
        for item in items:
            refs = _entity_refs(item, seeded.entity_ids)
            if refs and seeded.a not in refs:
                failures.append(f"{route.label}: shows {item.get('id')} of {sorted(refs)}")
        admin_refs = [_entity_refs(i, seeded.entity_ids) for i in admin.json()["items"]]
        if any(refs and seeded.a not in refs for refs in admin_refs) and limited.status_code != 200:
            failures.append(f"{route.label}: {limited.status_code} for the limited user")

    assert failures == []
    assert "GET /api/v1/entities" in checked


def test_a_body_naming_another_entity_is_answered_as_for_a_missing_one(
    client: TestClient, seeded: Seeded
) -> None:
    """No write, and no oracle: naming B answers exactly as naming an entity that does not exist."""
    failures, checked = [], []
    for route in ROUTES:
        if route.method != "POST" or route.params or Role.CONTROLLER not in route.roles:
            continue
        schema = json_body_schema(route)
        if schema is None or "entity_id" not in schema.get("properties", {}) or route.label in KNOWN:
            continue
        query, body = valid_request(route.method, route.path)
        # Every other reference names the user's own company: the only questionable one is `entity_id`.
        own = {name: seeded.a for name in schema["properties"] if name.endswith("_id")}
        answers = []
        for entity_id in (seeded.b, MISSING):
            response = client.post(
                route.path, params=query, json={**body, **own, "entity_id": entity_id}, headers=seeded.limited
            )
            answers.append((response.status_code, response.json().get("type")))
        checked.append(route.label)
        if answers[0] != answers[1] or not 400 <= answers[0][0] < 500:
            failures.append(f"{route.label}: other entity {answers[0]}, missing entity {answers[1]}")

    assert failures == []
    assert checked
