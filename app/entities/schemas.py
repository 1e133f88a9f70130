"""Legal entities on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntityKind = Literal["company", "external"]
EntityStatus = Literal["active", "merged", "dissolved"]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
# Long enough to hold a mistyped code so the USCC check (not a length limit) explains what is wrong.
USCC_MAX = 64


class EntityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(
        min_length=1, max_length=50, pattern=CODE_PATTERN, description="the group's own short code"
    )
    name: str = Field(min_length=1, max_length=200, description="registered (Chinese) name")
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    kind: EntityKind
    uscc: str | None = Field(
        default=None, min_length=1, max_length=USCC_MAX, description="unified social credit code (GB 32100)"
    )
    uscc_override_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="admin only: accept a registered code that fails the GB 32100 check (audited)",
    )
    functional_currency: str = Field(default="CNY", pattern=CURRENCY_PATTERN, description="ISO 4217")
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2")
    segment: str | None = Field(
        default=None, min_length=1, max_length=50, description="engines, chassis, electrical, castings, ..."
    )
    established_on: date | None = Field(default=None, description="the entity exists from this date")


class EntityUpdate(BaseModel):
    """Descriptive fields only: code, kind, currency and dates are history and never edited."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    segment: str | None = Field(default=None, min_length=1, max_length=50)
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN)
    uscc: str | None = Field(default=None, min_length=1, max_length=USCC_MAX)
    uscc_override_reason: str | None = Field(default=None, max_length=1000)


class EntityDissolve(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: date = Field(description="the first day the entity no longer exists; its running stakes end that day")


class EntityRead(BaseModel):
    id: str
    code: str
    name: str
    name_en: str | None
    kind: EntityKind
    uscc: str | None
    uscc_override_reason: str | None = Field(
        description="set when an admin accepted a code failing the check"
    )
    functional_currency: str
    country: str | None
    segment: str | None
    established_on: date | None
    status: EntityStatus = Field(description="the current status (history: established_on, ended_on)")
    ended_on: date | None = Field(description="first day the entity no longer exists (merged or dissolved)")
    merged_on: date | None
    merged_into_id: str | None
    dissolved_on: date | None
    created_at: datetime
    version: int
