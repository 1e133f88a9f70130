"""Injection attempts in every query parameter of every GET route, and in every path parameter: a 4xx, or a
200 that shows no more than an honest miss would (no filter bypassed, no wildcard honoured); never a 500,
never the database's own error text."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Users
from tests.security.routes import PARAM, ROUTES, Route

ATTACKS = [
    "' OR 1=1 --",
    "1; DROP TABLE legal_entity; --",
    "%",
    "_",
    "%' --",
    "\x00",
    "a\x00' OR 1=1",
    "x" * 10_000,
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
]
HONEST_MISS = "zzqx-no-such-value"
LEAKS = re.compile(r"sqlalchemy|psycopg|sqlite3|Traceback|syntax error|\bSELECT\b.*\bFROM\b")
GET_ROUTES = [r for r in ROUTES if r.method == "GET"]
WILDCARDS = {"%", "_", "%' --"}
# Findings reported to their feature's owners, skipped above while they stand and checked on their own (strict
# xfail, which says when one is fixed). `GET /api/v1/accounts ?q=` (name.like(f'%{q}%') without escaping) is
# fixed and now checked in `test_wildcards_in_text_searches_are_literal`.
KNOWN_WILDCARD_FILTERS: dict[tuple[str, str], str] = {}
# Text searches whose LIKE patterns once honoured wildcards: `%` and `_` must match only themselves.
TEXT_SEARCHES = [("GET /api/v1/accounts", "q", "1001"), ("GET /api/v1/entities", "q", "INJA")]
FILLER = "01900000-0000-7000-8000-000000000000"


def _role(route: Route) -> str:
    return "admin" if "admin" in route.roles else str(sorted(route.roles)[0])


def _url(route: Route) -> str:
    return PARAM.sub(FILLER, route.path)


def _count(response: object) -> int | None:
    body = response.json() if getattr(response, "status_code", 0) == 200 else None  # type: ignore[attr-defined]
    return len(body["items"]) if isinstance(body, dict) and isinstance(body.get("items"), list) else None


@pytest.fixture
def some_entities(client: TestClient, users: Users) -> None:
    for code in ("INJA", "INJB"):
        client.post(
            "/api/v1/entities",
            json={"code": code, "name": f"注入{code}", "kind": "company"},
            headers=users.headers("admin"),
        )


@pytest.mark.usefixtures("some_entities")
def test_every_query_parameter_resists_injection(client: TestClient, users: Users) -> None:
    failures, tried = [], 0
    for route in GET_ROUTES:
        headers = users.headers(_role(route))
        for param in route.query_params:
            if param["name"] in {"limit"}:
                continue
            miss = client.get(_url(route), params={param["name"]: HONEST_MISS}, headers=headers)
            for attack in ATTACKS:
                if attack in WILDCARDS and (route.label, param["name"]) in KNOWN_WILDCARD_FILTERS:
                    continue
                tried += 1
                response = client.get(_url(route), params={param["name"]: attack}, headers=headers)
                where = f"{route.label} ?{param['name']}={attack[:20]!r}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}")
                elif LEAKS.search(response.text):
                    failures.append(f"{where}: leaks {LEAKS.search(response.text)}")
                elif (n := _count(response)) is not None and n > (_count(miss) or 0):
                    failures.append(f"{where}: {n} items where an honest miss shows {_count(miss)}")

    assert failures == [], "\n".join(failures)
    assert tried > 100


def test_every_path_parameter_resists_injection(client: TestClient, users: Users) -> None:
    failures = []
    for route in GET_ROUTES:
        if not route.params:
            continue
        for attack in ATTACKS:
            values = {p: quote(attack, safe="") for p in route.params}
            url = route.path
            for name, value in values.items():
                url = url.replace("{" + name + "}", value)
            response = client.get(url, headers=users.headers(_role(route)))
            if response.status_code >= 500 or response.status_code == 200 or LEAKS.search(response.text):
                failures.append(f"{route.label} {attack[:20]!r}: {response.status_code}")

    assert failures == []


@pytest.mark.parametrize(("label", "param", "honest"), TEXT_SEARCHES)
@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "__"])
@pytest.mark.usefixtures("some_entities")
def test_wildcards_in_text_searches_are_literal(
    client: TestClient, users: Users, label: str, param: str, honest: str, wildcard: str
) -> None:
    path = label.split(" ", 1)[1]

    found = client.get(path, params={param: honest}, headers=users.headers("admin"))
    response = client.get(path, params={param: wildcard}, headers=users.headers("admin"))

    assert (_count(found) or 0) >= 1  # the search itself works
    assert response.status_code == 200
    assert _count(response) == 0
