"""Books fixtures: a small group (parent, subsidiary, US subsidiary, outside party) and posting helpers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.entities.models import LegalEntity
from tests.conftest import NOW


def make_entity(
    factory: sessionmaker[Session],
    *,
    code: str,
    currency: str = "CNY",
    kind: str = "company",
    established_on: date | None = None,
    ended_on: date | None = None,
) -> str:
    with factory() as session:
        entity = LegalEntity(
            code=f"{code}-{uuid.uuid4().hex[:6]}",
            name=code,
            kind=kind,
            functional_currency=currency,
            created_at=NOW,
            status="active",
            established_on=established_on,
            ended_on=ended_on,
            version=1,
        )
        session.add(entity)
        session.commit()
        return entity.id


@dataclass
class Group:
    parent: str
    sub: str
    us_sub: str
    outsider: str

    def code(self, factory: sessionmaker[Session], entity_id: str) -> str:
        with factory() as session:
            entity = session.get(LegalEntity, entity_id)
            assert entity is not None
            return entity.code


@pytest.fixture
def group(session_factory: sessionmaker[Session]) -> Group:
    return Group(
        parent=make_entity(session_factory, code="PARENT"),
        sub=make_entity(session_factory, code="SUB"),
        us_sub=make_entity(session_factory, code="USSUB", currency="USD"),
        outsider=make_entity(session_factory, code="CUSTOMER", kind="external"),
    )


def line(
    account: str, *, debit: str | None = None, credit: str | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"account_code": account}
    if debit is not None:
        out["debit"] = debit
    if credit is not None:
        out["credit"] = credit
    out.update(extra)
    return out


def post(
    client: TestClient,
    headers: dict[str, str],
    entity_id: str,
    on: str,
    *lines: dict[str, Any],
    description: str = "test entry",
) -> Any:
    return client.post(
        "/api/v1/journal-entries",
        headers=headers,
        json={"entity_id": entity_id, "entry_date": on, "description": description, "lines": list(lines)},
    )


def post_ok(
    client: TestClient, headers: dict[str, str], entity_id: str, on: str, *lines: dict[str, Any]
) -> Any:
    response = post(client, headers, entity_id, on, *lines)
    assert response.status_code == 201, response.text
    return response.json()
