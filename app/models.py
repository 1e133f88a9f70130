"""Imports every table so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from app.assets.models import (
    AssetBook,
    AssetDisposal,
    AssetImpairment,
    AssetStatusChange,
    AssetTransfer,
    AssetUsage,
    DepreciationPosting,
    DepreciationRun,
    FixedAsset,
    TransferApproval,
    UnrealizedAssetProfit,
)
from app.audit.models import AuditChainHead, AuditEvent
from app.consolidation.models import (
    Acquisition,
    AcquisitionEquity,
    ConsolidationAdjustment,
    ConsolidationAdjustmentLine,
    ConsolidationRun,
    FairValueAdjustment,
    FairValueMovement,
    GoodwillImpairment,
    UnrealizedInventoryProfit,
)
from app.core.db import Base
from app.core.idempotency import IdempotencyRecord
from app.entities.models import LegalEntity
from app.events.models import GroupEvent, GroupEventEntity
from app.exports.models import ExportJob
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
    "Acquisition",
    "AcquisitionEquity",
    "ApiKey",
    "AssetBook",
    "AssetDisposal",
    "AssetImpairment",
    "AssetStatusChange",
    "AssetTransfer",
    "AssetUsage",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "ConsolidationAdjustment",
    "ConsolidationAdjustmentLine",
    "ConsolidationRun",
    "DepreciationPosting",
    "DepreciationRun",
    "EntryCounter",
    "EquityStake",
    "ExportJob",
    "FairValueAdjustment",
    "FairValueMovement",
    "FiscalPeriod",
    "FixedAsset",
    "FxRate",
    "GoodwillImpairment",
    "GroupEvent",
    "GroupEventEntity",
    "IdempotencyRecord",
    "JournalEntry",
    "JournalLine",
    "LegalEntity",
    "LocalAccountMap",
    "LoginThrottle",
    "MethodOverride",
    "TransferApproval",
    "UnrealizedAssetProfit",
    "UnrealizedInventoryProfit",
    "User",
    "UserEntity",
]
