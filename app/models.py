"""Imports every table so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from app.audit.models import AuditChainHead, AuditEvent
from app.core.db import Base
from app.core.idempotency import IdempotencyRecord
from app.entities.models import LegalEntity
from app.ownership.models import EquityStake, MethodOverride
from app.users.models import ApiKey, LoginThrottle, User, UserEntity

__all__ = [
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "EquityStake",
    "IdempotencyRecord",
    "LegalEntity",
    "LoginThrottle",
    "MethodOverride",
    "User",
    "UserEntity",
]
