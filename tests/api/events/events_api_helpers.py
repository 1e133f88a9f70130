"""Builders for the group-event API tests: entities, stakes and books made through HTTP."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

ENTITIES = "/api/v1/entities"
STAKES = "/api/v1/stakes"
ENTRIES = "/api/v1/journal-entries"
_COUNTER = itertools.count(1)

Line = tuple[str, str | int, str | int] | tuple[str, str | int, str | int, str | None]


class Group:
    """A group built through the API; entity codes are made unique per test (a suffix), ids kept by code."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.suffix = f"-{next(_COUNTER)}"
        self.ids: dict[str, str] = {}

    def __getitem__(self, code: str) -> str:
        return self.ids[code]

    def code_of(self, entity_id: str) -> str:
        return next(code for code, i in self.ids.items() if i == entity_id)

    def entity(self, code: str, *, kind: str = "company", established_on: str = "2000-01-01") -> str:
        body = {
            "code": code + self.suffix,
            "name": f"{code}有限公司",
            "kind": kind,
            "functional_currency": "CNY",
            "established_on": established_on,
        }
        response = self.client.post(ENTITIES, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        self.ids[code] = response.json()["id"]
        return self.ids[code]

    def entities(self, *codes: str, kind: str = "company") -> None:
        for code in codes:
            self.entity(code, kind=kind)

    def stake(
        self,
        holder: str,
        investee: str,
        share: str,
        *,
        capital: str | None = None,
        valid_from: str = "2001-01-01",
    ) -> None:
        body: dict[str, Any] = {
            "holder_id": self[holder],
            "investee_id": self[investee],
            "share": share,
            "valid_from": valid_from,
        }
        if capital is not None:
            body["capital_subscribed"] = capital
        response = self.client.post(STAKES, json=body, headers=self.headers)
        assert response.status_code == 201, response.text

    def post(self, entity: str, on: str, *lines: Line) -> None:
        """Post one entry: each line is (account, debit, credit[, counterparty code])."""
        body_lines = []
        for line in lines:
            code, debit, credit = line[0], line[1], line[2]
            counterparty = line[3] if len(line) > 3 else None
            item: dict[str, Any] = {"account_code": code}
            if Decimal(str(debit)):
                item["debit"] = str(debit)
            if Decimal(str(credit)):
                item["credit"] = str(credit)
            if counterparty is not None:
                item["counterparty_entity_id"] = self[counterparty]
            body_lines.append(item)
        body = {"entity_id": self[entity], "entry_date": on, "description": "opening", "lines": body_lines}
        response = self.client.post(ENTRIES, json=body, headers=self.headers)
        assert response.status_code == 201, response.text

    def balances(self, entity: str, as_of: str) -> dict[tuple[str, str | None], Decimal]:
        """Debit-positive balances by (account, counterparty code) on `as_of`."""
        response = self.client.get(
            f"{ENTITIES}/{self[entity]}/trial-balance", params={"as_of": as_of}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        out: dict[tuple[str, str | None], Decimal] = {}
        for line in response.json()["lines"]:
            cp = line.get("counterparty_entity_id")
            key = (line["account_code"], self.code_of(cp) if cp else None)
            out[key] = out.get(key, Decimal(0)) + Decimal(line["debit"]) - Decimal(line["credit"])
        return {k: v for k, v in out.items() if v}

    def stakes(self, as_of: str) -> dict[tuple[str, str], dict[str, Any]]:
        response = self.client.get(STAKES, params={"as_of": as_of, "limit": 1000}, headers=self.headers)
        assert response.status_code == 200, response.text
        known = set(self.ids.values())
        return {
            (self.code_of(s["holder_id"]), self.code_of(s["investee_id"])): s
            for s in response.json()["items"]
            if s["holder_id"] in known and s["investee_id"] in known
        }


def call(client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any], *, status: int) -> Any:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def figures(document: dict[str, Any]) -> dict[str, Decimal]:
    return {name: Decimal(value) for name, value in document["figures"].items()}


def books_of(document: dict[str, Any], entity_id: str, *, layer: str = "books") -> dict[str, Decimal]:
    """Debit-positive net per account of the planned entries of one entity."""
    out: dict[str, Decimal] = {}
    for entry in document["entries"]:
        if entry["entity_id"] == entity_id and entry["layer"] == layer:
            for line in entry["lines"]:
                out[line["account_code"]] = (
                    out.get(line["account_code"], Decimal(0))
                    + Decimal(line["debit"])
                    - Decimal(line["credit"])
                )
    return {k: v for k, v in out.items() if v}


def without_ids(document: dict[str, Any]) -> dict[str, Any]:
    """The plan part of an answer (what a preview and its commit must share)."""
    return {
        k: v
        for k, v in document.items()
        if k not in ("id", "status", "created_entity_id", "created_at", "created_by")
    }
