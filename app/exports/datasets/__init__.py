"""What each export kind contains: its files, their columns, and the rows, read lazily in a fixed order.

Big tables (journal lines, the audit trail) are read with one streaming SELECT (a server-side cursor on
PostgreSQL, `yield_per` batches), ordered by a unique key. On PostgreSQL the database formats the values as
the canonical text itself (`CAST(numeric AS text)` keeps the column's scale, `to_char` gives dates and UTC
timestamps), so a million lines pass through Python as plain strings; elsewhere Python formats them the same
way (`columns.py`). Derived reports come from their features' services (trial balance, intercompany
matching, asset register and roll-forward), called with an actor limited to the export's scope, so each
feature's own visibility rules apply.

The journal's columns follow the AICPA Audit Data Standard's GL_Detail table (snake_case names):
Journal_ID -> journal_id (and the entry's number), JE_Line_Number -> line_number, Business_Unit_Code ->
entity_code, Fiscal_Year, Period, Effective_Date, JE_Header_Description, GL_Account_Number ->
account_number, Amount as debit/credit (functional currency), Amount_Currency -> functional_currency, the
transaction currency, amount and rate, the counterparty's code, JE_Line_Description -> line_description,
Source (and its reference), Entered_By/Entered_Date -> entered_by/entered_at, Approved_By/Approved_Date,
Reversal_Journal_ID -> reversal_of / reversed_by. As in the standard, names live in their own tables
(accounts in the chart export, entities by code in the entities export), which keeps a million-line file
lean.
"""

from app.exports.datasets.assets import asset_tables, period_start
from app.exports.datasets.audit import audit_tables
from app.exports.datasets.base import (
    ExportQuery,
    Extras,
    SqlSource,
    Table,
    companies,
    plan_for_all_rows,
    scoped_actor,
    stream_rows,
)
from app.exports.datasets.books import as_of_date, chart_tables, trial_balance_tables
from app.exports.datasets.consolidation import consolidation_tables
from app.exports.datasets.intercompany import intercompany_tables
from app.exports.datasets.journal import LINE_JOIN, journal_table
from app.exports.datasets.structure import entity_tables, equity_tables
from app.exports.datasets.users import user_tables

__all__ = [
    "LINE_JOIN",
    "ExportQuery",
    "Extras",
    "SqlSource",
    "Table",
    "as_of_date",
    "asset_tables",
    "audit_tables",
    "chart_tables",
    "companies",
    "consolidation_tables",
    "entity_tables",
    "equity_tables",
    "intercompany_tables",
    "journal_table",
    "period_start",
    "plan_for_all_rows",
    "scoped_actor",
    "stream_rows",
    "trial_balance_tables",
    "user_tables",
]
