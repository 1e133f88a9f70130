"""The chart, local charts, journal entries and periods on the wire (money as decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.wire import MoneyStr, RateStr
from app.ledger.domain.entries import MAX_LINE_AMOUNT, MAX_RATE

AccountTypeName = Literal["asset", "liability", "equity", "income", "expense"]
SideName = Literal["debit", "credit"]
AccountCode = Annotated[str, Field(pattern=r"^\d{4}(\d{2}){0,2}$", description="4, 6 or 8 digits")]
EntityId = Annotated[str, Field(min_length=1, max_length=36)]
Amount = Annotated[MoneyStr, Field(ge=0, lt=MAX_LINE_AMOUNT)]
Rate = Annotated[RateStr, Field(lt=MAX_RATE, max_digits=19)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
RoleName = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,49}$")]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: AccountCode
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    type: AccountTypeName
    normal_side: SideName | None = Field(default=None, description="defaults to the type's natural side")
    role: RoleName | None = None
    statement_line: str | None = Field(default=None, max_length=80, description="defaults to the parent's")


class AccountUpdate(BaseModel):
    """Only the fields sent change; `role: null` removes the role."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    type: AccountTypeName | None = None
    normal_side: SideName | None = None
    role: RoleName | None = None
    statement_line: str | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("name", "type", "normal_side", "statement_line"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    name_en: str | None
    type: AccountTypeName
    normal_side: SideName
    role: str | None
    statement_line: str | None
    version: int


class LocalAccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    local_code: str = Field(pattern=r"^[A-Za-z0-9._-]{1,40}$")
    local_name: str | None = Field(default=None, max_length=200)
    group_code: AccountCode


class LocalAccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    local_name: str | None = Field(default=None, max_length=200)
    group_code: AccountCode | None = None

    @model_validator(mode="after")
    def _group_code_not_null(self) -> Self:
        if "group_code" in self.model_fields_set and self.group_code is None:
            raise ValueError("group_code cannot be null")
        return self


class LocalAccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    entity_id: str
    local_code: str
    local_name: str | None
    group_code: str
    version: int


class TemplateApply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: Literal["small_enterprise"]


class TemplateConflict(BaseModel):
    local_code: str
    mapped_to: str
    template_group_code: str


class TemplateResultRead(BaseModel):
    template: str
    created: int
    unchanged: int
    conflicts: list[TemplateConflict]


class JournalLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_code: str = Field(min_length=1, max_length=20)
    debit: Amount | None = None
    credit: Amount | None = None
    counterparty_entity_id: EntityId | None = None
    currency: Currency | None = Field(default=None, description="transaction currency; default functional")
    amount_in_currency: Amount | None = Field(default=None, description="required for a foreign currency")
    rate: Rate | None = Field(
        default=None, description="functional units per unit of currency; derived if omitted"
    )
    memo: str | None = Field(default=None, max_length=200)


class JournalEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: EntityId
    entry_date: date
    description: str = Field(min_length=1, max_length=500)
    lines: list[JournalLineIn] = Field(max_length=1000)


class JournalLineRead(BaseModel):
    line_no: int
    account_code: str
    debit: Decimal
    credit: Decimal
    counterparty_entity_id: str | None
    currency: str
    amount_in_currency: Decimal
    rate: Decimal
    memo: str | None


class JournalEntryRead(BaseModel):
    id: str
    entity_id: str
    fiscal_year: int
    number: int
    entry_date: date
    description: str
    source: str
    source_ref: str | None
    reverses_id: str | None
    reversed_by_id: str | None
    preparer: str
    posted_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    total_debit: Decimal
    total_credit: Decimal
    lines: list[JournalLineRead]


class ReverseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entry_date: date
    description: str | None = Field(default=None, min_length=1, max_length=500)


class PeriodAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=500)


class PeriodRead(BaseModel):
    entity_id: str
    period: str = Field(description="yyyy-mm")
    year: int
    month: int
    status: Literal["open", "closed"]
    closed_at: datetime | None
    closed_by: str | None
    reopened_at: datetime | None
    reopened_by: str | None
