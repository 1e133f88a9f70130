"""SAF-T 2.0-style XML of one company's ledger and assets, written as a stream, and its validation.

The document follows the element names, order and namespace of the OECD Standard Audit File for Tax 2.00
(`urn:OECD:StandardAuditFile-Taxation/2.00`) for the parts GroupLedger keeps: the header (the company, its
functional currency, the selection dates), `MasterFiles/GeneralLedgerAccounts` (accounts with opening and
closing balances), `MasterFiles/Assets` (each asset held at the start or the end, with cost, accumulated
depreciation and book values) and `GeneralLedgerEntries` (one `Journal` per entry source, one `Transaction`
per entry, one `Line` per journal line with its amount in the functional currency and, for another
currency, the transaction currency, amount and rate). Amounts carry 4 decimal places.

National SAF-T variants differ, so no schema is bundled: the user supplies the XSD (operator setting or the
CLI's `--schema`), and the export is validated against it with lxml while reading the file as a stream (no
network, no entity expansion, constant memory). A file that does not validate fails the export with the
validator's messages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from lxml import etree
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app import __version__
from app.assets import report_service as asset_reports
from app.core.context import Actor
from app.entities.models import LegalEntity
from app.exports import datasets
from app.exports.columns import Column, Kind, money_text
from app.exports.datasets import ExportQuery
from app.ledger.models import Account, JournalEntry, JournalLine
from app.ledger.report_service import current_balances

NS = "urn:OECD:StandardAuditFile-Taxation/2.00"
NSMAP: Any = {None: NS}
MAX_ERRORS = 20


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _leaf(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, _q(name)).text = text


@dataclass(frozen=True)
class SaftFile:
    path: Path
    size: int
    sha256: str
    lines: int
    debit: Decimal
    credit: Decimal


LINE_COLUMNS = (
    Column("source"),
    Column("fiscal_year", Kind.INT),
    Column("number", Kind.INT),
    Column("period", Kind.INT),
    Column("entry_date", Kind.DATE),
    Column("description"),
    Column("preparer"),
    Column("posted_at", Kind.TIMESTAMP),
    Column("reverses_id"),
    Column("line_no", Kind.INT),
    Column("account_code"),
    Column("memo"),
    Column("debit", Kind.MONEY),
    Column("credit", Kind.MONEY),
    Column("currency"),
    Column("amount_in_currency", Kind.MONEY),
    Column("rate", Kind.RATIO),
)


def _net_by_account(session: Session, *, entity_id: str, as_of: date) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for (code, _cp), amount in current_balances(session, entity_id=entity_id, as_of=as_of).items():
        out[code] = out.get(code, Decimal(0)) + amount
    return out


def _balance(parent: etree._Element, prefix: str, net: Decimal) -> None:
    side = "Debit" if net >= 0 else "Credit"
    _leaf(parent, f"{prefix}{side}Balance", money_text(abs(net)))


def write_company(
    session: Session,
    *,
    actor: Actor,
    entity: LegalEntity,
    query: ExportQuery,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
) -> SaftFile:
    """Write the SAF-T document of `entity` for `query`'s period (`from` .. `to`, both inclusive)."""
    start, end = datasets.period_start(query), datasets.as_of_date(query)
    eve = start - timedelta(days=1)
    period = [
        JournalEntry.entity_id == entity.id,
        JournalEntry.entry_date >= start,
        JournalEntry.entry_date <= end,
    ]
    line_join = datasets.LINE_JOIN
    n_entries, n_lines, debit, credit = session.execute(
        select(
            func.count(distinct(JournalEntry.id)),
            func.count(),
            func.coalesce(func.sum(JournalLine.debit), 0),
            func.coalesce(func.sum(JournalLine.credit), 0),
        )
        .select_from(JournalLine)
        .join(JournalEntry, line_join)
        .where(*period)
    ).one()
    total_debit, total_credit = Decimal(debit), Decimal(credit)
    opening = _net_by_account(session, entity_id=entity.id, as_of=eve)
    closing = _net_by_account(session, entity_id=entity.id, as_of=end)
    used = set(
        session.execute(
            select(JournalLine.account_code).join(JournalEntry, line_join).where(*period).distinct()
        ).scalars()
    )
    codes = sorted(used | {c for c, v in opening.items() if v} | {c for c, v in closing.items() if v})
    names = dict(session.execute(select(Account.code, Account.name)).all())
    types = dict(session.execute(select(Account.code, Account.type)).all())
    entity_actor = datasets.scoped_actor(actor, frozenset({entity.id}))
    held_before = {
        r.asset.id: r
        for r in asset_reports.asset_register(session, actor=entity_actor, as_of=eve, entity_id=entity.id)
    }
    held_after = {
        r.asset.id: r
        for r in asset_reports.asset_register(session, actor=entity_actor, as_of=end, entity_id=entity.id)
    }
    written = 0
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("AuditFile"), nsmap=NSMAP):
            xf.write(_header(entity, start, end), pretty_print=True)
            with xf.element(_q("MasterFiles")):
                accounts = etree.Element(_q("GeneralLedgerAccounts"), nsmap=NSMAP)
                for code in codes:
                    node = etree.SubElement(accounts, _q("Account"))
                    _leaf(node, "AccountID", code)
                    _leaf(node, "AccountDescription", names.get(code, code))
                    _leaf(node, "AccountType", types.get(code))
                    _balance(node, "Opening", opening.get(code, Decimal(0)))
                    _balance(node, "Closing", closing.get(code, Decimal(0)))
                xf.write(accounts, pretty_print=True)
                assets = etree.Element(_q("Assets"), nsmap=NSMAP)
                for asset_id in sorted(
                    held_before.keys() | held_after.keys(), key=lambda a: _tag(a, held_before, held_after)
                ):
                    assets.append(_asset(held_before.get(asset_id), held_after.get(asset_id), start, end))
                xf.write(assets, pretty_print=True)
            with xf.element(_q("GeneralLedgerEntries")):
                for name, text in (
                    ("NumberOfEntries", str(n_entries)),
                    ("TotalDebit", money_text(total_debit) or "0.0000"),
                    ("TotalCredit", money_text(total_credit) or "0.0000"),
                ):
                    xf.write(_text(name, text), pretty_print=True)
                for journal, transactions in _journals(session, entity_id=entity.id, start=start, end=end):
                    with xf.element(_q("Journal")):
                        xf.write(_text("JournalID", journal))
                        xf.write(_text("Description", journal))
                        xf.write(_text("Type", journal))
                        for transaction, count in transactions:
                            xf.write(transaction, pretty_print=True)
                            written += count
                            if on_progress is not None:
                                on_progress(count)
    size, sha = _digest(path)
    if written != n_lines:
        raise RuntimeError(f"SAF-T of {entity.code}: {written} lines written, {n_lines} counted")
    return SaftFile(path=path, size=size, sha256=sha, lines=written, debit=total_debit, credit=total_credit)


def _tag(asset_id: str, *registers: dict[str, asset_reports.RegisterLine]) -> str:
    for register in registers:
        if asset_id in register:
            return register[asset_id].asset.tag
    return asset_id


def _text(name: str, text: str) -> etree._Element:
    node = etree.Element(_q(name), nsmap=NSMAP)
    node.text = text
    return node


def _header(entity: LegalEntity, start: date, end: date) -> etree._Element:
    header = etree.Element(_q("Header"), nsmap=NSMAP)
    _leaf(header, "AuditFileVersion", "2.00")
    _leaf(header, "AuditFileCountry", entity.country or "CN")
    _leaf(header, "AuditFileDateCreated", end.isoformat())
    _leaf(header, "SoftwareCompanyName", "GroupLedger")
    _leaf(header, "SoftwareID", "GroupLedger")
    _leaf(header, "SoftwareVersion", __version__)
    company = etree.SubElement(header, _q("Company"))
    _leaf(company, "RegistrationNumber", entity.uscc or entity.code)
    _leaf(company, "Name", entity.name)
    _leaf(header, "DefaultCurrencyCode", entity.functional_currency)
    criteria = etree.SubElement(header, _q("SelectionCriteria"))
    _leaf(criteria, "SelectionStartDate", start.isoformat())
    _leaf(criteria, "SelectionEndDate", end.isoformat())
    _leaf(header, "TaxAccountingBasis", "A")
    return header


def _asset(
    before: asset_reports.RegisterLine | None,
    after: asset_reports.RegisterLine | None,
    start: date,
    end: date,
) -> etree._Element:
    line = after or before
    assert line is not None
    asset = etree.Element(_q("Asset"), nsmap=NSMAP)
    _leaf(asset, "AssetID", line.asset.tag)
    _leaf(asset, "Description", line.asset.name)
    _leaf(asset, "DateOfAcquisition", line.asset.acquired_on.isoformat())
    _leaf(asset, "StartUpDate", line.asset.acquired_on.isoformat())
    valuation = etree.SubElement(etree.SubElement(asset, _q("Valuations")), _q("Valuation"))
    _leaf(valuation, "AssetValuationType", "book")
    _leaf(valuation, "ValidFrom", start.isoformat())
    _leaf(valuation, "ValidTo", end.isoformat())
    zero = Decimal(0)
    _leaf(
        valuation, "AcquisitionAndProductionCostsBegin", money_text(before.position.cost if before else zero)
    )
    _leaf(valuation, "AcquisitionAndProductionCostsEnd", money_text(after.position.cost if after else zero))
    _leaf(valuation, "BookValueBegin", money_text(before.position.carrying_amount if before else zero))
    _leaf(valuation, "DepreciationMethod", line.asset.method)
    _leaf(
        valuation,
        "AccumulatedDepreciation",
        money_text(after.position.accumulated_depreciation if after else zero),
    )
    _leaf(valuation, "BookValueEnd", money_text(after.position.carrying_amount if after else zero))
    return asset


def _journals(
    session: Session, *, entity_id: str, start: date, end: date
) -> Iterator[tuple[str, Iterator[tuple[etree._Element, int]]]]:
    """(source, its transactions) in source order; each transaction with its number of lines."""
    exprs: list[Any] = [
        JournalEntry.source,
        JournalEntry.fiscal_year,
        JournalEntry.number,
        JournalEntry.fiscal_month,
        JournalEntry.entry_date,
        JournalEntry.description,
        JournalEntry.preparer,
        JournalEntry.posted_at,
        JournalEntry.reverses_id,
        JournalLine.line_no,
        JournalLine.account_code,
        JournalLine.memo,
        JournalLine.debit,
        JournalLine.credit,
        JournalLine.currency,
        JournalLine.amount_in_currency,
        JournalLine.rate,
    ]
    sql = datasets.SqlSource(
        spec=tuple(zip(LINE_COLUMNS, exprs, strict=True)),
        source=lambda s: (
            s.select_from(JournalLine)
            .join(JournalEntry, datasets.LINE_JOIN)
            .where(
                JournalEntry.entity_id == entity_id,
                JournalEntry.entry_date >= start,
                JournalEntry.entry_date <= end,
            )
        ),
        order_by=(JournalEntry.source, JournalEntry.fiscal_year, JournalEntry.number, JournalLine.line_no),
    )
    rows = datasets.stream_rows(session, sql)
    peeked = _Peekable(rows)
    functional = session.execute(
        select(LegalEntity.functional_currency).where(LegalEntity.id == entity_id)
    ).scalar_one()
    while peeked.has_next():
        source = str(peeked.peek()[0])
        yield source, _transactions(peeked, source, functional)


class _Peekable:
    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next: Any = None
        self._has = False
        self._advance()

    def _advance(self) -> None:
        try:
            self._next, self._has = next(self._rows), True
        except StopIteration:
            self._next, self._has = None, False

    def has_next(self) -> bool:
        return self._has

    def peek(self) -> Any:
        return self._next

    def pop(self) -> Any:
        value = self._next
        self._advance()
        return value


def _transactions(rows: _Peekable, source: str, functional: str) -> Iterator[tuple[etree._Element, int]]:
    while rows.has_next() and rows.peek()[0] == source:
        first = rows.peek()
        key = (first[1], first[2])
        transaction = etree.Element(_q("Transaction"), nsmap=NSMAP)
        _leaf(transaction, "TransactionID", f"{first[1]}-{first[2]:06d}")
        _leaf(transaction, "Period", str(first[3]))
        _leaf(transaction, "PeriodYear", str(first[1]))
        _leaf(transaction, "TransactionDate", first[4])
        _leaf(transaction, "SourceID", first[6])
        _leaf(transaction, "TransactionType", "reversal" if first[8] else "normal")
        _leaf(transaction, "Description", first[5])
        _leaf(transaction, "SystemEntryDate", str(first[7])[:10])
        _leaf(transaction, "GLPostingDate", first[4])
        count = 0
        while rows.has_next() and rows.peek()[0] == source and (rows.peek()[1], rows.peek()[2]) == key:
            row = rows.pop()
            count += 1
            line = etree.SubElement(transaction, _q("Line"))
            _leaf(line, "RecordID", str(row[9]))
            _leaf(line, "AccountID", row[10])
            _leaf(line, "Description", row[11] or row[5])
            debit = Decimal(row[12]) != 0
            amount = etree.SubElement(line, _q("DebitAmount" if debit else "CreditAmount"))
            _leaf(amount, "Amount", row[12] if debit else row[13])
            if row[14] != functional:
                _leaf(amount, "CurrencyCode", row[14])
                _leaf(amount, "CurrencyAmount", row[15].lstrip("-"))
                _leaf(amount, "ExchangeRate", row[16])
            _leaf(line, "SystemEntryTime", row[7])
        yield transaction, count


def _digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def load_schema(path: Path) -> etree.XMLSchema:
    """The user's XSD (its local includes and imports resolved beside it; no network, no entities).

    Raises:
        ValueError: the file is not a readable XML Schema.
    """
    try:
        return etree.XMLSchema(etree.parse(str(path), _safe_parser()))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise ValueError(f"the SAF-T schema {path} cannot be used: {exc}") from exc


def validate(path: Path, schema: etree.XMLSchema) -> list[str]:
    """The validator's messages for the document at `path` (empty: valid), reading it as a stream."""
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), schema=schema, resolve_entities=False, no_network=True, huge_tree=True
        ):
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        messages = [f"line {e.line}: {e.message}" for e in list(cast(Any, exc.error_log))[:MAX_ERRORS]]
        return messages or [str(exc)]
    return []
