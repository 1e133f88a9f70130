"""Builders for asset tests through HTTP: companies, holdings, assets, runs, transfers, trial balances."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Users

API = "/api/v1"


def make_entity(
    client: TestClient, headers: dict[str, str], *, kind: str = "company", code: str | None = None
) -> str:
    body = {
        "code": code or f"E{uuid.uuid4().hex[:8].upper()}",
        "name": f"公司 {uuid.uuid4().hex[:6]}",
        "kind": kind,
        "established_on": "2000-01-01",
    }
    response = client.post(f"{API}/entities", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def make_stake(
    client: TestClient,
    headers: dict[str, str],
    *,
    holder: str,
    investee: str,
    share: str = "1",
    valid_from: str = "2000-01-01",
) -> None:
    body = {"holder_id": holder, "investee_id": investee, "share": share, "valid_from": valid_from}
    response = client.post(f"{API}/stakes", json=body, headers=headers)
    assert response.status_code == 201, response.text


def make_group(
    client: TestClient, headers: dict[str, str], *, subsidiaries: int = 2
) -> tuple[str, list[str]]:
    """A parent holding 100% of each of its subsidiaries."""
    parent = make_entity(client, headers)
    subs = [make_entity(client, headers) for _ in range(subsidiaries)]
    for sub in subs:
        make_stake(client, headers, holder=parent, investee=sub)
    return parent, subs


def make_asset(
    client: TestClient, headers: dict[str, str], *, entity_id: str, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entity_id": entity_id,
        "tag": f"FA-{uuid.uuid4().hex[:10]}",
        "name": "冲压线 stamping line",
        "category": "production_line",
        "acquired_on": "2023-12-10",
        "cost": "1200.00",
        "residual_value": "0",
        "useful_life_months": 120,
        "method": "straight_line",
    }
    body.update(overrides)
    response = client.post(f"{API}/assets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def run(
    client: TestClient,
    headers: dict[str, str],
    *,
    period: str,
    entity_id: str | None = None,
    units: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"period": period}
    if entity_id is not None:
        body["entity_id"] = entity_id
    if units:
        body["units"] = units
    response = client.post(f"{API}/depreciation-runs", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def run_months(client: TestClient, headers: dict[str, str], *, entity_id: str, first: str, last: str) -> None:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    while (year, month) <= end:
        run(client, headers, period=f"{year:04d}-{month:02d}", entity_id=entity_id)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def request_transfer(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("reason", "集团内部资产优化配置")
    return client.post(f"{API}/asset-transfers", json=body, headers=headers)


def approve(client: TestClient, headers: dict[str, str], transfer_id: str) -> Any:
    return client.post(
        f"{API}/asset-transfers/{transfer_id}/approve", json={"comment": "同意"}, headers=headers
    )


def balances(
    client: TestClient, headers: dict[str, str], *, entity_id: str, as_of: str
) -> dict[str, Decimal]:
    """Trial balance per account code (counterparties summed), signed on each account's normal side."""
    response = client.get(
        f"{API}/entities/{entity_id}/trial-balance", params={"as_of": as_of}, headers=headers
    )
    assert response.status_code == 200, response.text
    out: dict[str, Decimal] = {}
    body = response.json()
    assert Decimal(body["totals"]["debit"]) == Decimal(body["totals"]["credit"])
    for line in body["lines"]:
        out[line["account_code"]] = out.get(line["account_code"], Decimal(0)) + Decimal(line["balance"])
    return {code: amount for code, amount in out.items() if amount != 0}


def controllers(users: Users, count: int) -> list[dict[str, str]]:
    names = [f"ctl{i}-{uuid.uuid4().hex[:6]}" for i in range(count)]
    for name in names:
        users.create(name, "controller")
    return [users.headers(n) for n in names]


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]
