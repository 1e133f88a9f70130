"""Every route the app has declares its roles: anonymous gets 401, a role not allowed gets 403."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.security import Role
from app.main import create_app
from app.users.auth import Authorize
from tests.conftest import Users

PUBLIC = {("POST", "/api/v1/auth/token")}


def _authorize_of(route: APIRoute) -> Authorize | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Authorize):
            return dep.call
        stack.extend(dep.dependencies)
    return None


def _api_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """Every (method, full path, route) under /api/v1 (included routers are nested: flatten them)."""
    out = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path.startswith("/api/v1"):
            for method in sorted(context.methods or ()):
                if (method, context.path) not in PUBLIC:
                    out.append((method, context.path, route))
    return out


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-7000-8000-000000000000", path).replace(
        "/periods/00000000-0000-7000-8000-000000000000", "/periods/2026-01"
    )


STATIC_APP = create_app(settings=Settings(env="test", database_url="sqlite://", secret_key="x" * 40))  # type: ignore[arg-type]
ROUTES = _api_routes(STATIC_APP)


def test_every_api_route_declares_its_roles() -> None:
    missing = [f"{m} {p}" for m, p, r in ROUTES if _authorize_of(r) is None]

    assert missing == []
    assert len(ROUTES) >= 10


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ROUTES])
def test_anonymous_callers_get_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, _concrete(path), json={})

    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_roles_not_allowed_get_403(client: TestClient, users: Users) -> None:
    failures = []
    for method, path, route in ROUTES:
        authorize = _authorize_of(route)
        assert authorize is not None
        for role in sorted(set(Role) - authorize.roles):
            response = client.request(method, _concrete(path), json={}, headers=users.headers(role.value))
            if response.status_code != 403:
                failures.append(f"{role} {method} {path} -> {response.status_code}")

    assert failures == []


def test_allowed_roles_are_not_refused_as_forbidden(client: TestClient, users: Users) -> None:
    failures = []
    for method, path, route in ROUTES:
        authorize = _authorize_of(route)
        assert authorize is not None
        role = sorted(authorize.roles)[0]
        response = client.request(method, _concrete(path), json={}, headers=users.headers(role.value))
        if response.status_code in (401, 403) or response.status_code >= 500:
            failures.append(f"{role} {method} {path} -> {response.status_code}")

    assert failures == []


def test_operation_ids_are_unique_and_readable() -> None:
    ids = [r.operation_id or r.name for _, _, r in ROUTES]

    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)
    schema = STATIC_APP.openapi()
    operation_ids = [
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids))
