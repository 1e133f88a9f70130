"""OWASP API4 (unrestricted resource consumption): page sizes, body sizes, nesting, long strings, many lines.

Every limit answers with a 4xx problem quickly; none is a 500 and none is silently served.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.conftest import Users
from tests.security.routes import ROUTES, Route

LIST_ROUTES = [r for r in ROUTES if r.method == "GET" and any(p["name"] == "limit" for p in r.query_params)]
FILLER = "01900000-0000-7000-8000-000000000000"


def _url(route: Route) -> str:
    return route.path.replace("{entity_id}", FILLER)


def _role(route: Route) -> str:
    return "admin" if "admin" in route.roles else str(sorted(route.roles)[0])


def test_there_are_list_routes() -> None:
    assert len(LIST_ROUTES) >= 5


@pytest.mark.parametrize("limit", ["0", "1001", "1000000000000", "-1", "ten"])
def test_page_size_outside_1_to_1000_is_refused_on_every_list(
    client: TestClient, users: Users, limit: str
) -> None:
    failures = []
    for route in LIST_ROUTES:
        response = client.get(_url(route), params={"limit": limit}, headers=users.headers(_role(route)))
        if response.status_code != 422:
            failures.append(f"{route.label}: {response.status_code}")

    assert failures == []


def test_an_oversized_cursor_is_refused(client: TestClient, as_admin: dict[str, str]) -> None:
    response = client.get("/api/v1/entities", params={"cursor": "A" * 10_000}, headers=as_admin)

    assert response.status_code == 422


class TestBodies:
    def test_a_deeply_nested_json_body_is_a_4xx_not_a_500(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        body = '{"code": ' + "[" * 100_000 + "]" * 100_000 + "}"
        started = time.perf_counter()

        response = client.post(
            "/api/v1/entities", content=body, headers={**as_admin, "Content-Type": "application/json"}
        )

        assert response.status_code in (413, 422), response.text[:300]
        assert time.perf_counter() - started < 5

    def test_a_body_over_the_limit_is_a_413(
        self, session_factory: object, settings: Settings, users: Users
    ) -> None:
        small = settings.model_copy(update={"max_body_bytes": 4096})
        app = create_app(settings=small, session_factory=session_factory)  # type: ignore[arg-type]
        with TestClient(app, raise_server_exceptions=False) as client:
            body = '{"code": "BIG", "name": "' + "大" * 5000 + '", "kind": "company"}'

            announced = client.post(
                "/api/v1/entities",
                content=body.encode(),
                headers={**users.headers("admin"), "Content-Type": "application/json"},
            )
            streamed = client.post(
                "/api/v1/entities",
                content=iter([body.encode()[:3000], body.encode()[3000:]]),
                headers={**users.headers("admin"), "Content-Type": "application/json"},
            )

        assert announced.status_code == 413
        assert streamed.status_code == 413
        assert announced.headers["content-type"].startswith("application/problem+json")

    def test_an_upload_over_the_limit_is_a_413(
        self, session_factory: object, settings: Settings, users: Users
    ) -> None:
        small = settings.model_copy(update={"max_body_bytes": 4096})
        app = create_app(settings=small, session_factory=session_factory)  # type: ignore[arg-type]
        with TestClient(app, raise_server_exceptions=False) as client:
            csv = "account_code,debit,credit\n" + "1001,1.00,0\n" * 2000

            response = client.post(
                f"/api/v1/entities/{FILLER}/trial-balance-imports",
                params={"as_of": "2026-06-30"},
                files={"file": ("tb.csv", csv.encode(), "text/csv")},
                headers=users.headers("admin"),
            )

        assert response.status_code == 413

    def test_a_very_long_string_is_refused(self, client: TestClient, as_admin: dict[str, str]) -> None:
        response = client.post(
            "/api/v1/entities",
            json={"code": "LONG", "name": "名" * 100_000, "kind": "company"},
            headers=as_admin,
        )

        assert response.status_code == 422

    def test_too_many_lines_in_one_entry_are_refused(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        lines = [{"account_code": "1001", "debit": "1.00"}] * 1001

        response = client.post(
            "/api/v1/journal-entries",
            json={"entity_id": FILLER, "entry_date": "2026-01-31", "description": "many", "lines": lines},
            headers=as_admin,
        )

        assert response.status_code == 422

    def test_a_huge_number_is_refused(self, client: TestClient, as_admin: dict[str, str]) -> None:
        lines = [
            {"account_code": "1001", "debit": "9" * 5000},
            {"account_code": "6001", "credit": "1e999999"},
        ]

        response = client.post(
            "/api/v1/journal-entries",
            json={"entity_id": FILLER, "entry_date": "2026-01-31", "description": "huge", "lines": lines},
            headers=as_admin,
        )

        assert response.status_code == 422
