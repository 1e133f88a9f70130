"""Settings of the asset rules, with environment overrides (prefix `GROUPLEDGER_ASSETS_`).

- `GROUPLEDGER_ASSETS_SECOND_APPROVAL_THRESHOLD` (default 1,000,000.00 in the group's currency): a transfer
  whose value (the price of a sale, else the carrying amount, whichever is larger) is ABOVE this needs a
  second approval by another controller.
- `GROUPLEDGER_ASSETS_DEFAULT_EXPENSE_ROLE` (default `admin_expense`, i.e. 6602 管理费用): the account role
  depreciation is charged to when an asset names no expense account (5101 制造费用 and 6601 销售费用 are
  the usual alternatives, set per asset).

The settings are read at each use, so a changed environment applies to the next request.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SECOND_APPROVAL_THRESHOLD = Decimal("1000000.00")
DEFAULT_EXPENSE_ROLE = "admin_expense"


class AssetSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUPLEDGER_ASSETS_", extra="ignore")

    second_approval_threshold: Decimal = Field(default=SECOND_APPROVAL_THRESHOLD, ge=0, decimal_places=2)
    default_expense_role: str = Field(default=DEFAULT_EXPENSE_ROLE, min_length=1, max_length=50)


def asset_settings() -> AssetSettings:
    return AssetSettings()
