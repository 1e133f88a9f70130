"""Audit events on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    seq: int
    at: datetime
    actor_id: str | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: str
    entity_id: str | None
    before: Any
    after: Any
    request_id: str | None
    prev_hash: str
    hash: str


class ChainCheckRead(BaseModel):
    ok: bool
    checked: int
    first_bad: int | None = None
    first_bad_id: str | None = None
    reason: str | None = None
