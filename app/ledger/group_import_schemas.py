"""HTTP shapes of the group import (`POST /trial-balance-imports`): a summary per company, not every line
(a close moves a million lines; each company's entry is readable at `/journal-entries/{id}`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.wire import DecimalStr
from app.ledger.package_files import MAX_GROUP_ROWS


class GroupPackageRead(BaseModel):
    entity_id: str
    entity_code: str
    lines_read: int
    sha256: str
    posted: bool = Field(description="whether an adjustment entry was posted for this company")
    adjustment_lines: int = Field(description="lines of the adjustment (also on a dry run)")
    entry_id: str | None
    entry_number: int | None


class GroupImportRead(BaseModel):
    as_of: date
    codes: Literal["group", "local"]
    dry_run: bool
    lines_read: int
    sha256: str
    companies: int
    entries_posted: int
    packages: list[GroupPackageRead]


class GroupPackageLineIn(BaseModel):
    """One line of a JSON group file (documentation: lines are validated row by row)."""

    model_config = ConfigDict(extra="forbid")

    entity_code: str = Field(max_length=50, description="the reporting company")
    account_code: str = Field(max_length=40, description="a group code, or a local code with codes=local")
    debit: DecimalStr | None = Field(default=None, description="balance on the debit side, >= 0")
    credit: DecimalStr | None = Field(default=None, description="balance on the credit side, >= 0")
    counterparty_code: str | None = Field(default=None, max_length=50, description="entity code")


def group_request_body() -> dict[str, Any]:
    """The request body of a group import, for OpenAPI: JSON lines or a CSV/XLSX file upload."""
    line = GroupPackageLineIn.model_json_schema()
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
                        "lines": {"type": "array", "maxItems": MAX_GROUP_ROWS, "items": line},
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
                            "description": "CSV (UTF-8 or GB18030) or XLSX; header row entity_code, "
                            "account_code, "
                            "debit, credit, counterparty_code",
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
