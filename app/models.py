"""Imports every table so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from app.audit.models import AuditChainHead, AuditEvent
from app.core.db import Base
from app.core.idempotency import IdempotencyRecord
from app.entities.models import LegalEntity
from app.ledger.models import (
    Account,
    AccountBalance,
    EntryCounter,
    FiscalPeriod,
    FxRate,
    JournalEntry,
    JournalLine,
    LocalAccountMap,
)
from app.ownership.models import EquityStake, MethodOverride
from app.users.models import ApiKey, LoginThrottle, User, UserEntity

__all__ = [
    "Account",
    "AccountBalance",
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "EntryCounter",
    "EquityStake",
    "FiscalPeriod",
    "FxRate",
    "IdempotencyRecord",
    "JournalEntry",
    "JournalLine",
    "LegalEntity",
    "LocalAccountMap",
    "LoginThrottle",
    "MethodOverride",
    "User",
    "UserEntity",
]
