"""Trial balances, reporting-package imports, exchange rates and intercompany matching on the wire."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.wire import DecimalStr
from app.ledger.schemas import Currency, JournalEntryRead, Rate

RateKind = Literal["closing", "average", "historical"]


class TrialBalanceLineRead(BaseModel):
    account_code: str
    name: str | None = None
    type: str | None = None
    counterparty_entity_id: str | None
    debit: Decimal
    credit: Decimal
    balance: Decimal = Field(description="signed on the account's normal side")


class Totals(BaseModel):
    debit: Decimal
    credit: Decimal


class TrialBalanceRead(BaseModel):
    entity_id: str
    as_of: date
    currency: str
    lines: list[TrialBalanceLineRead]
    totals: Totals


class PackageLineIn(BaseModel):
    """One line of a JSON reporting package (documentation: lines are validated row by row)."""

    model_config = ConfigDict(extra="forbid")

    account_code: str = Field(max_length=40, description="a group code, or a local code with codes=local")
    debit: DecimalStr | None = Field(default=None, description="balance on the debit side, >= 0")
    credit: DecimalStr | None = Field(default=None, description="balance on the credit side, >= 0")
    counterparty_code: str | None = Field(default=None, max_length=50, description="entity code")


def package_request_body() -> dict[str, Any]:
    """The request body of an import, for OpenAPI: a JSON package or a CSV/XLSX file upload."""
    line = PackageLineIn.model_json_schema()
    line.pop("title", None)
    codes = {"type": "string", "enum": ["group", "local"], "default": "group"}
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["as_of", "lines"],
                    "additionalProperties": False,
                    "properties": {
                        "as_of": {"type": "string", "format": "date"},
                        "codes": codes,
                        "lines": {"type": "array", "maxItems": 100_000, "items": line},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (UTF-8 or GB18030) or XLSX; header row account_code, debit, "
                            "credit, counterparty_code",
                        },
                        "as_of": {
                            "type": "string",
                            "format": "date",
                            "description": "or the as_of query parameter",
                        },
                        "codes": codes,
                    },
                }
            },
        },
    }


class AdjustmentLineRead(BaseModel):
    account_code: str
    counterparty_entity_id: str | None
    debit: Decimal
    credit: Decimal


class ImportRead(BaseModel):
    entity_id: str
    as_of: date
    codes: Literal["group", "local"]
    dry_run: bool
    lines_read: int
    sha256: str
    posted: bool = Field(description="whether an adjustment entry was posted")
    adjustment: list[AdjustmentLineRead] = Field(description="the entry's lines (also on a dry run)")
    entry: JournalEntryRead | None


class FxRateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: Currency
    quote_currency: Currency
    kind: RateKind
    on: date
    rate: Rate = Field(description="units of quote_currency for 1 currency")


class FxRateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    currency: str
    quote_currency: str
    kind: RateKind
    on: date
    rate: Decimal
    created_by: str


class FxLookupRead(BaseModel):
    currency: str
    quote_currency: str
    kind: RateKind
    on: date
    rate_on: date = Field(description="the date the rate was recorded for")
    rate: Decimal
    inverted: bool = Field(description="computed as 1 / the stored rate of the opposite pair")


class PairRead(BaseModel):
    rule: str
    entity_id: str
    counterparty_entity_id: str
    entity_amount: Decimal
    counterparty_amount: Decimal
    difference: Decimal
    within_tolerance: bool


class IntercompanyRead(BaseModel):
    as_of: date
    tolerance: Decimal
    currency: str
    matched: bool = Field(description="no difference above the tolerance")
    pairs: list[PairRead]
    differences: list[PairRead]


class BalanceMismatchRead(BaseModel):
    entity_id: str
    account_code: str
    counterparty_entity_id: str | None
    year: int
    month: int
    kept_debit: Decimal
    kept_credit: Decimal
    line_debit: Decimal
    line_credit: Decimal


class BalanceCheckRead(BaseModel):
    ok: bool
    entities_checked: int
    months_checked: int
    mismatches: list[BalanceMismatchRead]
