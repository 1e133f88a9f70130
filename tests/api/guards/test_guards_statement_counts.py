"""No N+1: the SQL statements a list or report endpoint runs do not grow with the rows it returns.

Each guarded endpoint is called once with 3 rows behind it and once with 12; the statements are counted on
the test engine (`before_cursor_execute`), so the check does not depend on time. The endpoints are data:
a feature adds its list and report endpoints to GUARDS with a seeder that makes N rows through the API.
An endpoint whose route has not landed yet is skipped, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.conftest import Users

FEW, MANY = 3, 12
AS_OF = "2026-06-30"
ENTRY_DATE = "2026-03-15"
_PARAM = re.compile(r"\{[^}]+\}")


class Api:
    """The seeders' way in: POSTs as the admin, failing the test with the problem if one is refused."""

    def __init__(self, client: TestClient, users: Users) -> None:
        self.client = client
        self.users = users
        self.headers = users.headers("admin")
        self.state: dict[str, Any] = {}
        self._codes = 0

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=self.headers)
        assert response.status_code < 300, (
            f"seeding POST {path} failed: {response.status_code} {response.text}"
        )
        result: dict[str, Any] = response.json()
        return result

    def entity(self, prefix: str = "G") -> str:
        self._codes += 1
        code = f"{prefix}{self._codes:04d}"
        return str(
            self.post("/api/v1/entities", {"code": code, "name": f"守卫测试{code}", "kind": "company"})["id"]
        )

    def counted(self, key: str) -> list[Any]:
        made: list[Any] = self.state.setdefault(key, [])
        return made


# --- seeders: each grows its rows to `n` (called with 3, then with 12) ---------------------------------


def seed_entities(api: Api, n: int) -> dict[str, str]:
    made = api.counted("entities")
    while len(made) < n:
        made.append(api.entity())
    return {}


def seed_stakes(api: Api, n: int) -> dict[str, str]:
    parent = api.state.get("parent") or api.state.setdefault("parent", api.entity("P"))
    made = api.counted("stakes")
    while len(made) < n:
        investee = api.entity("S")
        api.post(
            "/api/v1/stakes",
            {"holder_id": parent, "investee_id": investee, "share": "0.6", "valid_from": "2020-01-01"},
        )
        made.append(investee)
    return {"parent": parent}


def seed_method_overrides(api: Api, n: int) -> dict[str, str]:
    params = seed_stakes(api, n)
    made = api.counted("overrides")
    for investee in api.state["stakes"][len(made) : n]:
        api.post(
            "/api/v1/method-overrides",
            {
                "parent_id": params["parent"],
                "entity_id": investee,
                "method": "joint_venture",
                "reason": "joint control by contract",
                "valid_from": "2020-01-01",
            },
        )
        made.append(investee)
    return params


def seed_users(api: Api, n: int) -> dict[str, str]:
    entity = api.state.get("limit_entity") or api.state.setdefault("limit_entity", api.entity("U"))
    made = api.counted("users")
    while len(made) < n:
        made.append(api.users.create(f"guard{len(made):03d}", "viewer", entity_ids=[entity]))
    return {}


def seed_api_keys(api: Api, n: int) -> dict[str, str]:
    made = api.counted("keys")
    owner = api.users.create("guard-key-owner", "auditor") if not made else api.state["key_owner"]
    api.state["key_owner"] = owner
    while len(made) < n:
        made.append(api.post("/api/v1/api-keys", {"user_id": owner, "name": f"key {len(made)}"}))
    return {}


def seed_accounts(api: Api, n: int) -> dict[str, str]:
    made = api.counted("accounts")
    while len(made) < n:
        code = f"1001{10 + len(made):02d}"  # sub-accounts of cash on hand
        api.post("/api/v1/accounts", {"code": code, "name": f"守卫科目{code}", "type": "asset"})
        made.append(code)
    return {}


def _postable_codes(api: Api) -> list[str]:
    if "codes" not in api.state:
        response = api.client.get("/api/v1/accounts", params={"limit": 1000}, headers=api.headers)
        assert response.status_code == 200, response.text
        items = response.json()["items"] if isinstance(response.json(), dict) else response.json()
        api.state["codes"] = [a["code"] for a in items if a["normal_side"] == "debit" and a["code"] != "1002"]
    codes: list[str] = api.state["codes"]
    assert len(codes) >= MANY, "the chart needs at least 12 debit-side accounts for this guard"
    return codes


def seed_journal(api: Api, n: int) -> dict[str, str]:
    """n entries of one company, each on its own account (so its trial balance has n + 1 lines)."""
    entity = api.state.get("book") or api.state.setdefault("book", api.entity("B"))
    codes = _postable_codes(api)
    made = api.counted("entries")
    while len(made) < n:
        code = codes[len(made)]
        made.append(
            api.post(
                "/api/v1/journal-entries",
                {
                    "entity_id": entity,
                    "entry_date": ENTRY_DATE,
                    "description": f"guard {len(made)}",
                    "lines": [
                        {"account_code": code, "debit": "100.00"},
                        {"account_code": "1002", "credit": "100.00"},
                    ],
                },
            )
        )
    return {"entity": entity}


def seed_intercompany(api: Api, n: int) -> dict[str, str]:
    """n companies each owing the hub: a receivable in the hub and a payable in the company, both named."""
    hub = api.state.get("hub") or api.state.setdefault("hub", api.entity("H"))
    made = api.counted("debtors")
    while len(made) < n:
        debtor = api.entity("D")
        api.post(
            "/api/v1/journal-entries",
            {
                "entity_id": hub,
                "entry_date": ENTRY_DATE,
                "description": "sale to a group company",
                "lines": [
                    {"account_code": "1122", "debit": "50.00", "counterparty_entity_id": debtor},
                    {"account_code": "6001", "credit": "50.00", "counterparty_entity_id": debtor},
                ],
            },
        )
        api.post(
            "/api/v1/journal-entries",
            {
                "entity_id": debtor,
                "entry_date": ENTRY_DATE,
                "description": "purchase from a group company",
                "lines": [
                    {"account_code": "6401", "debit": "50.00", "counterparty_entity_id": hub},
                    {"account_code": "2202", "credit": "50.00", "counterparty_entity_id": hub},
                ],
            },
        )
        made.append(debtor)
    return {}


def seed_local_accounts(api: Api, n: int) -> dict[str, str]:
    entity = api.state.get("local") or api.state.setdefault("local", api.entity("L"))
    made = api.counted("local_accounts")
    while len(made) < n:
        local_code = f"L{len(made):04d}"
        api.post(
            f"/api/v1/entities/{entity}/local-accounts", {"local_code": local_code, "group_code": "1002"}
        )
        made.append(local_code)
    return {"entity": entity}


def seed_fx_rates(api: Api, n: int) -> dict[str, str]:
    made = api.counted("rates")
    while len(made) < n:
        on = date(2026, 1, 1) + timedelta(days=len(made))
        api.post(
            "/api/v1/fx-rates",
            {
                "currency": "USD",
                "quote_currency": "CNY",
                "kind": "closing",
                "on": on.isoformat(),
                "rate": "7.1",
            },
        )
        made.append(on)
    return {}


@dataclass(frozen=True)
class Guard:
    """A GET endpoint (path with `{name}` filled from the seeder's answer, query included) and its seeder."""

    path: str
    seed: Callable[[Api, int], dict[str, str]]

    @property
    def route(self) -> str:
        return _PARAM.sub("{}", self.path.split("?", 1)[0])


GUARDS: list[Guard] = [
    Guard("/api/v1/entities", seed_entities),
    Guard("/api/v1/audit-events", seed_entities),
    Guard("/api/v1/users", seed_users),
    Guard("/api/v1/api-keys", seed_api_keys),
    Guard("/api/v1/stakes", seed_stakes),
    Guard("/api/v1/method-overrides", seed_method_overrides),
    Guard(f"/api/v1/ownership?parent_id={{parent}}&as_of={AS_OF}", seed_stakes),
    Guard("/api/v1/ownership/history?parent_id={parent}", seed_stakes),
    Guard("/api/v1/accounts?limit=1000", seed_accounts),
    Guard("/api/v1/journal-entries", seed_journal),
    Guard(f"/api/v1/entities/{{entity}}/trial-balance?as_of={AS_OF}", seed_journal),
    Guard(f"/api/v1/intercompany-matching?as_of={AS_OF}", seed_intercompany),
    Guard("/api/v1/entities/{entity}/local-accounts", seed_local_accounts),
    Guard("/api/v1/fx-rates", seed_fx_rates),
]


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs, in order."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _served(client: TestClient) -> set[str]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return {_PARAM.sub("{}", path) for path, operations in paths.items() if "get" in operations}


class TestStatementCounts:
    def test_the_counter_sees_the_requests_statements(
        self, client: TestClient, engine: Engine, as_admin: dict[str, str]
    ) -> None:
        with counting(engine) as statements:
            response = client.get("/api/v1/users/me", headers=as_admin)

        assert response.status_code == 200
        assert any("app_user" in s for s in statements)

    @pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.path.split("?", 1)[0].removeprefix("/api/v1/"))
    def test_do_not_grow_with_rows(
        self, guard: Guard, client: TestClient, users: Users, engine: Engine
    ) -> None:
        if guard.route not in _served(client):
            pytest.skip(f"GET {guard.route} has not landed yet")
        api = Api(client, users)

        params = guard.seed(api, FEW)
        with counting(engine) as few:
            first = client.get(guard.path.format(**params), headers=api.headers)
        params = guard.seed(api, MANY)
        with counting(engine) as many:
            second = client.get(guard.path.format(**params), headers=api.headers)

        assert first.status_code == 200, first.text
        assert second.status_code == 200, second.text
        assert len(second.content) > len(first.content), "the second call should return more rows"
        extra = "\n".join(many[len(few) :][:5])
        assert len(many) <= len(few), (
            f"{len(few)} statements with {FEW} rows, {len(many)} with {MANY}:\n{extra}"
        )
