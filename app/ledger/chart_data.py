"""The group chart of accounts and the local-chart mappings, as packaged data.

The group keeps one chart (the Chinese enterprise chart of the 2006 application guidance, plus the accounts
practice added after the 2017-2018 standards and a few group-only accounts), and every subsidiary's
trial balance is mapped to it. The chart is data, not code (LIBRARIES.md): the CSV files in
``app/ledger/data`` are the single source, this module reads and checks them. See
``app/ledger/data/CHART_NOTES.md`` for the choices behind the codes.

Roles mark the accounts the accounting rules post to (``goodwill``, ``nci``, ``cta``...). Each role names
exactly one account, except the generic roles, which classify several (both borrowing accounts are
``loans``). Which balance-sheet or income-statement line an account goes to is its ``statement_line``.

A six-digit code is a sub-account of the four-digit account with the same first four digits; both are
postable, and the parent's role does not pass to the child.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast, get_args

AccountType = Literal["asset", "liability", "equity", "income", "expense"]
NormalSide = Literal["debit", "credit"]

ACCOUNT_TYPES: tuple[AccountType, ...] = get_args(AccountType)
NORMAL_SIDES: tuple[NormalSide, ...] = get_args(NormalSide)

#: The side on which an account of each type normally carries its balance; an account on the other
#: side is a contra account (accumulated depreciation, impairment allowances, treasury shares).
NATURAL_SIDE: dict[AccountType, NormalSide] = {
    "asset": "debit",
    "liability": "credit",
    "equity": "credit",
    "income": "credit",
    "expense": "debit",
}

#: Every role the rules rely on, with the type its account must have. Each appears on exactly one account
#: unless it is in GENERIC_ROLES.
ROLES: dict[str, AccountType] = {
    "cash": "asset",
    "receivable": "asset",
    "other_receivable": "asset",
    "dividends_receivable": "asset",
    "interest_receivable": "asset",
    "bad_debt_allowance": "asset",
    "inventory": "asset",
    "inventory_impairment": "asset",
    "investment_in_subsidiaries": "asset",
    "investment_in_associates": "asset",
    "investment_in_joint_ventures": "asset",
    "investment_impairment": "asset",
    "fixed_asset": "asset",
    "accumulated_depreciation": "asset",
    "fixed_asset_impairment": "asset",
    "fixed_asset_disposal": "asset",
    "construction_in_progress": "asset",
    "right_of_use_asset": "asset",
    "intangible": "asset",
    "accumulated_amortisation": "asset",
    "intangible_impairment": "asset",
    "goodwill": "asset",
    "goodwill_impairment": "asset",
    "deferred_tax_asset": "asset",
    "manufacturing_overhead": "asset",
    "loans": "liability",
    "payable": "liability",
    "other_payable": "liability",
    "taxes_payable": "liability",
    "interest_payable": "liability",
    "dividends_payable": "liability",
    "lease_liability": "liability",
    "deferred_tax_liability": "liability",
    "share_capital": "equity",
    "capital_reserve": "equity",
    "other_comprehensive_income": "equity",
    "cta": "equity",
    "surplus_reserve": "equity",
    "current_year_profit": "equity",
    "retained_earnings": "equity",
    "prior_year_adjustment": "equity",
    "treasury_shares": "equity",
    "nci": "equity",
    "revenue": "income",
    "other_revenue": "income",
    "fair_value_change": "income",
    "investment_income": "income",
    "share_of_profit_of_associates": "income",
    "gain_on_disposal": "income",
    "other_income": "income",
    "non_operating_income": "income",
    "cost_of_sales": "expense",
    "other_cost_of_sales": "expense",
    "taxes_and_surcharges": "expense",
    "selling_expense": "expense",
    "admin_expense": "expense",
    "finance_expense": "expense",
    "asset_impairment_loss": "expense",
    "credit_impairment_loss": "expense",
    "non_operating_expense": "expense",
    "income_tax": "expense",
}

#: Roles that classify several accounts; every other role names exactly one.
GENERIC_ROLES: frozenset[str] = frozenset({"loans"})

_DATA_PACKAGE = "app.ledger.data"
_CHART_FILE = "cas_chart.csv"
_STATEMENT_LINES_FILE = "statement_lines.csv"
_SMALL_ENTERPRISE_FILE = "small_enterprise_chart.csv"
_CHART_COLUMNS = ["code", "name", "name_en", "type", "normal_side", "role", "statement_line"]
_STATEMENT_LINE_COLUMNS = ["key", "section", "name", "name_en"]
_MAPPING_COLUMNS = ["local_code", "local_name", "group_code"]


class ChartDataError(ValueError):
    """The packaged chart data is inconsistent; ``problems`` lists every violation found."""

    def __init__(self, *, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class StatementLine:
    """A line of the balance sheet (``bs.*``) or income statement (``is.*``), CAS 2019 general format."""

    key: str
    section: AccountType
    name: str
    name_en: str


@dataclass(frozen=True)
class ChartAccount:
    """One account of the group chart; ``type`` and ``normal_side`` drive signs in every statement."""

    code: str
    name: str
    name_en: str
    type: AccountType
    normal_side: NormalSide
    role: str | None
    statement_line: str

    @property
    def parent_code(self) -> str | None:
        """The four-digit parent of a six-digit sub-account, else None."""
        return self.code[:4] if len(self.code) > 4 else None

    @property
    def is_contra(self) -> bool:
        """True when the account sits against its type's natural side (allowances, 4201 treasury shares)."""
        return self.normal_side != NATURAL_SIDE[self.type]


@dataclass(frozen=True)
class LocalMapping:
    """One account of a local chart (here the small-enterprise chart) and the group account it maps to."""

    local_code: str
    local_name: str
    group_code: str


def _read_rows(*, filename: str, columns: list[str]) -> list[dict[str, str]]:
    text = resources.files(_DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != columns:
        raise ChartDataError(
            source=filename, problems=[f"columns are {reader.fieldnames}, expected {columns}"]
        )
    rows = list(reader)
    broken = [number for number, row in enumerate(rows, start=2) if None in row or None in row.values()]
    if broken:
        raise ChartDataError(source=filename, problems=[f"wrong number of fields on lines {broken}"])
    return [{key: value.strip() for key, value in row.items()} for row in rows]


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def validate_statement_lines(*, lines: list[StatementLine]) -> list[str]:
    """Every problem in the statement-line list: unique keys, known sections, ``bs.``/``is.`` prefixes."""
    problems = [f"duplicate statement line {key}" for key in _duplicates([line.key for line in lines])]
    for line in lines:
        if line.section not in ACCOUNT_TYPES:
            problems.append(f"{line.key}: unknown section {line.section!r}")
        expected_prefix = "is." if line.section in ("income", "expense") else "bs."
        if not line.key.startswith(expected_prefix):
            problems.append(f"{line.key}: a {line.section} line must start with {expected_prefix!r}")
        if not line.name or not line.name_en:
            problems.append(f"{line.key}: needs both a Chinese and an English name")
    return problems


def validate_group_chart(*, accounts: list[ChartAccount], lines: list[StatementLine]) -> list[str]:
    """Every problem in the group chart, all at once (beancount style) so one fix round suffices.

    Checks: codes of four or six digits, unique, sub-accounts under an existing parent of the same type;
    known types, sides and roles; a role's account has the role's type; each non-generic role exactly once
    and every role present; names in both languages; the statement line exists and belongs to the same
    section as the account's type.
    """
    problems = [f"duplicate account code {code}" for code in _duplicates([a.code for a in accounts])]
    by_code = {account.code: account for account in accounts}
    sections = {line.key: line.section for line in lines}
    for account in accounts:
        label = account.code
        if not (account.code.isascii() and account.code.isdigit() and len(account.code) in (4, 6)):
            problems.append(f"{label}: code must be four or six digits")
        if account.type not in ACCOUNT_TYPES:
            problems.append(f"{label}: unknown type {account.type!r}")
        if account.normal_side not in NORMAL_SIDES:
            problems.append(f"{label}: unknown normal side {account.normal_side!r}")
        if not account.name or not account.name_en:
            problems.append(f"{label}: needs both a Chinese and an English name")
        parent_code = account.parent_code
        if parent_code is not None:
            parent = by_code.get(parent_code)
            if parent is None:
                problems.append(f"{label}: parent account {parent_code} is missing")
            elif parent.type != account.type:
                problems.append(
                    f"{label}: type {account.type} differs from parent {parent_code} ({parent.type})"
                )
        if account.role is not None:
            required_type = ROLES.get(account.role)
            if required_type is None:
                problems.append(f"{label}: unknown role {account.role!r}")
            elif required_type != account.type:
                problems.append(f"{label}: role {account.role} needs a {required_type} account")
        section = sections.get(account.statement_line)
        if section is None:
            problems.append(f"{label}: unknown statement line {account.statement_line!r}")
        elif section != account.type:
            problems.append(f"{label}: {account.type} account on {section} line {account.statement_line}")
    role_counts = Counter(account.role for account in accounts if account.role is not None)
    for role in ROLES:
        count = role_counts[role]
        if count == 0:
            problems.append(f"role {role} is on no account")
        elif count > 1 and role not in GENERIC_ROLES:
            problems.append(f"role {role} is on {count} accounts")
    return problems


def validate_local_map(*, mappings: list[LocalMapping], accounts: list[ChartAccount]) -> list[str]:
    """Every problem in a local-chart mapping: unique local codes, names, targets present in the chart."""
    problems = [f"duplicate local code {code}" for code in _duplicates([m.local_code for m in mappings])]
    group_codes = {account.code for account in accounts}
    for mapping in mappings:
        if not mapping.local_name:
            problems.append(f"{mapping.local_code}: needs a name")
        if mapping.group_code not in group_codes:
            problems.append(f"{mapping.local_code}: group account {mapping.group_code} does not exist")
    return problems


@cache
def _statement_lines() -> tuple[StatementLine, ...]:
    rows = _read_rows(filename=_STATEMENT_LINES_FILE, columns=_STATEMENT_LINE_COLUMNS)
    lines = [
        StatementLine(
            key=row["key"],
            section=cast(AccountType, row["section"]),
            name=row["name"],
            name_en=row["name_en"],
        )
        for row in rows
    ]
    problems = validate_statement_lines(lines=lines)
    if problems:
        raise ChartDataError(source=_STATEMENT_LINES_FILE, problems=problems)
    return tuple(lines)


@cache
def _group_chart() -> tuple[ChartAccount, ...]:
    rows = _read_rows(filename=_CHART_FILE, columns=_CHART_COLUMNS)
    accounts = [
        ChartAccount(
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            type=cast(AccountType, row["type"]),
            normal_side=cast(NormalSide, row["normal_side"]),
            role=row["role"] or None,
            statement_line=row["statement_line"],
        )
        for row in rows
    ]
    problems = validate_group_chart(accounts=accounts, lines=list(_statement_lines()))
    if problems:
        raise ChartDataError(source=_CHART_FILE, problems=problems)
    return tuple(accounts)


@cache
def _small_enterprise_map() -> tuple[LocalMapping, ...]:
    rows = _read_rows(filename=_SMALL_ENTERPRISE_FILE, columns=_MAPPING_COLUMNS)
    mappings = [
        LocalMapping(local_code=row["local_code"], local_name=row["local_name"], group_code=row["group_code"])
        for row in rows
    ]
    problems = validate_local_map(mappings=mappings, accounts=list(_group_chart()))
    if problems:
        raise ChartDataError(source=_SMALL_ENTERPRISE_FILE, problems=problems)
    return tuple(mappings)


def load_statement_lines() -> list[StatementLine]:
    """The statement lines in presentation order (balance sheet, then income statement).

    Raises:
        ChartDataError: the packaged file is inconsistent.
    """
    return list(_statement_lines())


def load_group_chart() -> list[ChartAccount]:
    """The group chart in code order as shipped, checked; seeds the accounts of a fresh database.

    Raises:
        ChartDataError: the packaged files are inconsistent (lists every problem).
    """
    return list(_group_chart())


def load_small_enterprise_map() -> list[LocalMapping]:
    """The small-enterprise chart (小企业会计准则 2011) mapped to group codes, checked against the chart.

    Raises:
        ChartDataError: the packaged files are inconsistent (lists every problem).
    """
    return list(_small_enterprise_map())


def account_for_role(*, accounts: list[ChartAccount], role: str) -> ChartAccount:
    """The one account carrying a non-generic ``role``, for rules that post to it.

    Raises:
        KeyError: no account, or more than one, carries the role (generic roles always raise).
    """
    matches = [account for account in accounts if account.role == role]
    if len(matches) != 1:
        raise KeyError(f"role {role!r} is on {len(matches)} accounts, expected exactly one")
    return matches[0]
