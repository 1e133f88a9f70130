"""Synthetic groups for the benchmarks: deterministic by seed, shaped like the real thing, loaded fast.

A `GroupSpec` says how big; `generate(spec=...)` returns a `SyntheticGroup` of plain dataclasses:

- entities: `companies` companies in the layered structure of `bench.ownership.generate_group` (each layer
  four times the one above, ~3 holders per company, cross-holdings and treasury shares), the first one the
  parent, plus a few outside shareholders (`kind="external"`);
- stakes: those holdings as dated equity stakes;
- accounts: a chart of `accounts` codes: every real code of the group chart (app/ledger/data/cas_chart.csv)
  and, to reach the size, six-digit sub-accounts of its four-digit accounts (postable, as in the chart);
- entries: one posted journal entry per company and month, with a line on every account of the chart (the
  group-level roles aside), intercompany pairs (a receivable in one company against the payable in the
  other, a sale against the purchase, same amount, each naming the other as counterparty) and cash as the
  balancing line, so every entry balances and every pair matches;
- assets: `assets_per_company` fixed assets per company.

Entries are produced lazily (`SyntheticGroup.entries()`), so a million lines never sit in memory at once.
Identifiers are UUIDv7-shaped and increasing, as the server's are, so keyset pagination behaves the same.

Writers: `write_packages_csv` (the reporting packages of every company, one file, for the import scenario) and
`package_csv_bytes`. Loader: `load_group` puts a group into a migrated database with COPY on PostgreSQL
(executemany through the models' tables on SQLite), only into the tables that exist yet.
"""

from __future__ import annotations

import csv
import io
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.ledger.chart_data import ChartAccount, account_for_role, load_group_chart
from bench.ownership import generate_group

#: Roles that belong to the group's own consolidation or period close, never to a company's monthly entry.
GROUP_LEVEL_ROLES = frozenset({"goodwill", "goodwill_impairment", "nci", "current_year_profit", "cta"})
SEGMENTS = ("engines", "chassis", "electrical", "castings", "interiors", "logistics")
ASSET_KINDS = (("machinery", 120), ("vehicles", 48), ("buildings", 240), ("electronics", 36))
CREATED_AT = datetime(2026, 1, 1, tzinfo=UTC)
#: Milliseconds of the first generated id (2026-01-01T00:00:00Z): ids increase from there.
_ID_EPOCH_MS = 1_767_225_600_000


@dataclass(frozen=True)
class GroupSpec:
    """How big a group to make. `intercompany_lines` is the average number of intercompany lines per company
    and month (each pair gives one line to each side)."""

    companies: int
    accounts: int = 300
    months: int = 12
    year: int = 2026
    intercompany_lines: int = 20
    assets_per_company: int = 5
    externals: int = 5
    seed: int = 1


@dataclass(frozen=True)
class Entity:
    id: str
    code: str
    name: str
    name_en: str
    kind: str
    layer: int
    segment: str | None
    established_on: date


@dataclass(frozen=True)
class Stake:
    id: str
    holder_id: str
    investee_id: str
    share: Decimal
    voting_share: Decimal
    valid_from: date


@dataclass(frozen=True)
class Line:
    account_code: str
    debit: Decimal
    credit: Decimal
    counterparty_entity_id: str | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    entity_id: str
    year: int
    month: int
    number: int
    entry_date: date
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Asset:
    id: str
    entity_id: str
    tag: str
    name: str
    category: str
    acquired_on: date
    cost: Decimal
    residual_value: Decimal
    useful_life_months: int
    method: str = "straight_line"


@dataclass(frozen=True)
class _Pair:
    """One intercompany transaction of a month: `first` debits `first_account`, `second` credits
    `second_account`, each naming the other."""

    first: int
    second: int
    first_account: str
    second_account: str
    cents: int


class IdMaker:
    """Deterministic, increasing UUIDv7-shaped ids (the server's are time-ordered too)."""

    def __init__(self, *, seed: int) -> None:
        self._rng = random.Random(seed * 7919 + 17)
        self._tick = 0

    def __call__(self) -> str:
        self._tick += 1
        millis = _ID_EPOCH_MS + self._tick
        rand = self._rng.getrandbits(74)
        value = (millis & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= ((rand >> 62) & 0xFFF) << 64
        value |= 0b10 << 62
        value |= rand & ((1 << 62) - 1)
        return str(uuid.UUID(int=value))


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def build_chart(*, size: int) -> list[ChartAccount]:
    """The real group chart and, up to `size`, six-digit sub-accounts of its four-digit accounts (in code
    order, `01`, `02`, ... skipping codes the chart has). The sub-accounts carry no role, as in the chart.

    Raises:
        ValueError: `size` is smaller than the real chart (every real code is always kept).
    """
    real = load_group_chart()
    if size < len(real):
        raise ValueError(f"the group chart has {len(real)} accounts; a synthetic chart cannot have fewer")
    taken = {account.code for account in real}
    parents = [a for a in real if len(a.code) == 4 and a.role is None]
    extra: list[ChartAccount] = []
    suffix = 1
    while len(real) + len(extra) < size:
        for parent in parents:
            if len(real) + len(extra) >= size:
                break
            code = f"{parent.code}{suffix:02d}"
            if code in taken:
                continue
            taken.add(code)
            extra.append(
                ChartAccount(
                    code=code,
                    name=f"{parent.name}—明细{suffix:02d}",
                    name_en=f"{parent.name_en} - detail {suffix:02d}",
                    type=parent.type,
                    normal_side=parent.normal_side,
                    role=None,
                    statement_line=parent.statement_line,
                )
            )
        suffix += 1
    return sorted([*real, *extra], key=lambda a: a.code)


@dataclass
class SyntheticGroup:
    spec: GroupSpec
    entities: list[Entity]
    stakes: list[Stake]
    accounts: list[ChartAccount]
    assets: list[Asset]
    _pairs: list[list[_Pair]] = field(repr=False)
    _entry_ids: list[list[str]] = field(repr=False)

    @property
    def companies(self) -> list[Entity]:
        return [e for e in self.entities if e.kind == "company"]

    @property
    def parent(self) -> Entity:
        return self.entities[0]

    @property
    def posting_accounts(self) -> list[ChartAccount]:
        """The accounts a company's monthly entry posts to (all but the group-level roles)."""
        return [a for a in self.accounts if a.role not in GROUP_LEVEL_ROLES]

    def as_of(self, *, month: int | None = None) -> date:
        """The last day of `month` (default the last generated month)."""
        return month_end(self.spec.year, month or self.spec.months)

    def entries(self, *, months: Iterable[int] | None = None) -> Iterator[Entry]:
        """Every company's entry for each month, company by company within a month. Deterministic: the same
        spec gives the same entries in the same order, whichever months are asked for."""
        wanted = sorted(set(months)) if months is not None else range(1, self.spec.months + 1)
        companies = self.companies
        postable = self.posting_accounts
        cash = account_for_role(accounts=self.accounts, role="cash").code
        for month in wanted:
            by_company: dict[int, list[Line]] = {}
            for pair in self._pairs[month - 1]:
                amount = _money(pair.cents)
                by_company.setdefault(pair.first, []).append(
                    Line(pair.first_account, amount, Decimal(0), companies[pair.second].id)
                )
                by_company.setdefault(pair.second, []).append(
                    Line(pair.second_account, Decimal(0), amount, companies[pair.first].id)
                )
            for index, company in enumerate(companies):
                rng = random.Random((self.spec.seed * 1_000_003 + index) * 101 + month)
                lines: list[Line] = []
                net = 0
                for account in postable:
                    if account.code == cash:
                        continue
                    cents = rng.randint(10_000, 100_000_000)
                    on_normal = rng.random() < 0.85
                    debit_side = (account.normal_side == "debit") == on_normal
                    if debit_side:
                        lines.append(Line(account.code, _money(cents), Decimal(0)))
                        net += cents
                    else:
                        lines.append(Line(account.code, Decimal(0), _money(cents)))
                        net -= cents
                for line in by_company.get(index, []):
                    lines.append(line)
                    net += int(line.debit.scaleb(2)) - int(line.credit.scaleb(2))
                if net > 0:
                    lines.append(Line(cash, Decimal(0), _money(net)))
                elif net < 0:
                    lines.append(Line(cash, _money(-net), Decimal(0)))
                yield Entry(
                    id=self._entry_ids[month - 1][index],
                    entity_id=company.id,
                    year=self.spec.year,
                    month=month,
                    number=month,
                    entry_date=month_end(self.spec.year, month),
                    lines=tuple(lines),
                )

    def balances(
        self, *, through_month: int | None = None
    ) -> Iterator[tuple[str, dict[tuple[str, str | None], int]]]:
        """Per company (in order): the cumulative debit-positive balance in cents per (account, counterparty)
        at the end of `through_month` (default the last month): what its reporting package shows."""
        last = through_month or self.spec.months
        totals: dict[str, dict[tuple[str, str | None], int]] = {}
        for entry in self.entries(months=range(1, last + 1)):
            book = totals.setdefault(entry.entity_id, {})
            for line in entry.lines:
                key = (line.account_code, line.counterparty_entity_id)
                book[key] = book.get(key, 0) + int(line.debit.scaleb(2)) - int(line.credit.scaleb(2))
        for company in self.companies:
            yield company.id, totals.get(company.id, {})

    def line_count(self) -> int:
        """How many journal lines `entries()` yields, without building them."""
        per_company = len(self.posting_accounts)  # every account, cash as the balancing line
        pair_lines = sum(2 * len(month) for month in self._pairs)
        return per_company * len(self.companies) * self.spec.months + pair_lines


def generate(*, spec: GroupSpec) -> SyntheticGroup:
    """A deterministic group for `spec` (see the module docstring)."""
    if spec.companies < 1 or spec.months < 1 or spec.months > 12:
        raise ValueError("a group needs at least one company and 1..12 months")
    ids = IdMaker(seed=spec.seed)
    rng = random.Random(spec.seed)
    holdings = generate_group(n=spec.companies, seed=spec.seed)
    names = [f"E{i:06d}" for i in range(spec.companies)]
    layer_of: dict[int, int] = {0: 0}
    start, width, layer = 1, 1, 1
    while start < spec.companies:
        width = min(width * 4, spec.companies - start)
        for i in range(start, start + width):
            layer_of[i] = layer
        start += width
        layer += 1
    established = date(spec.year - 10, 1, 1)
    entities = [
        Entity(
            id=ids(),
            code=f"C{i:06d}",
            name=f"合成集团成员{i:06d}有限公司",
            name_en=f"Synthetic Member {i:06d} Co., Ltd.",
            kind="company",
            layer=layer_of[i],
            segment=SEGMENTS[i % len(SEGMENTS)] if i else None,
            established_on=established,
        )
        for i in range(spec.companies)
    ]
    externals = [
        Entity(
            id=ids(),
            code=f"X{i:04d}",
            name=f"外部投资者{i:04d}",
            name_en=f"Outside Investor {i:04d}",
            kind="external",
            layer=-1,
            segment=None,
            established_on=established,
        )
        for i in range(spec.externals)
    ]
    by_name = {name: entities[i].id for i, name in enumerate(names)}
    stakes = [
        Stake(
            id=ids(),
            holder_id=by_name[h.holder],
            investee_id=by_name[h.investee],
            share=Decimal(h.share),
            voting_share=Decimal(h.voting_share),
            valid_from=established,
        )
        for h in holdings
    ]
    held: dict[str, Decimal] = {}
    for stake in stakes:
        held[stake.investee_id] = held.get(stake.investee_id, Decimal(0)) + stake.share
    for i, outsider in enumerate(externals):
        # An outside shareholder takes part of what is left of one top-layer company's capital.
        candidates = [
            e for e in entities[1 : 1 + 4 * (i + 1)] if held.get(e.id, Decimal(0)) <= Decimal("0.9")
        ]
        if not candidates:
            continue
        investee = candidates[rng.randrange(len(candidates))]
        share = Decimal(rng.randint(100, 500)).scaleb(-4)
        stakes.append(Stake(ids(), outsider.id, investee.id, share, share, established))
        held[investee.id] = held.get(investee.id, Decimal(0)) + share
    accounts = build_chart(size=spec.accounts)
    receivable = account_for_role(accounts=accounts, role="receivable").code
    payable = account_for_role(accounts=accounts, role="payable").code
    revenue = account_for_role(accounts=accounts, role="revenue").code
    cost = account_for_role(accounts=accounts, role="cost_of_sales").code
    pairs: list[list[_Pair]] = []
    entry_ids: list[list[str]] = []
    for month in range(1, spec.months + 1):
        pair_rng = random.Random(spec.seed * 31 + month)
        count = spec.companies * spec.intercompany_lines // 2 if spec.companies > 1 else 0
        month_pairs = []
        for _ in range(count):
            first = pair_rng.randrange(spec.companies)
            second = pair_rng.randrange(spec.companies - 1)
            second += second >= first
            cents = pair_rng.randint(100_000, 50_000_000)
            if pair_rng.random() < 0.5:
                # first sold on credit to second: first's receivable against second's payable
                month_pairs.append(_Pair(first, second, receivable, payable, cents))
            else:
                # second sold to first: second's revenue against first's cost of sales
                month_pairs.append(_Pair(first, second, cost, revenue, cents))
        pairs.append(month_pairs)
        entry_ids.append([ids() for _ in range(spec.companies)])
    assets: list[Asset] = []
    asset_rng = random.Random(spec.seed * 53 + 5)
    for company in entities:
        for k in range(spec.assets_per_company):
            category, life = ASSET_KINDS[asset_rng.randrange(len(ASSET_KINDS))]
            cost_cents = asset_rng.randint(1_000_000, 2_000_000_000)
            assets.append(
                Asset(
                    id=ids(),
                    entity_id=company.id,
                    tag=f"{company.code}-FA{k + 1:04d}",
                    name=f"{category} {k + 1}",
                    category=category,
                    acquired_on=date(spec.year - 1 - asset_rng.randrange(3), 1 + asset_rng.randrange(12), 1),
                    cost=_money(cost_cents),
                    residual_value=_money(cost_cents // 20),
                    useful_life_months=life,
                )
            )
    return SyntheticGroup(
        spec=spec,
        entities=[*entities, *externals],
        stakes=stakes,
        accounts=accounts,
        assets=assets,
        _pairs=pairs,
        _entry_ids=entry_ids,
    )


# --- CSV writers ----------------------------------------------------------------------------------

PACKAGE_COLUMNS = ("entity_code", "account_code", "debit", "credit", "counterparty_code")


def _cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def package_rows(*, group: SyntheticGroup, through_month: int | None = None) -> Iterator[tuple[str, ...]]:
    """Every company's reporting package (its trial balance at the month end), as CSV rows in
    PACKAGE_COLUMNS order: balances on their debit or credit side, counterparties by entity code."""
    code_of = {e.id: e.code for e in group.entities}
    for entity_id, book in group.balances(through_month=through_month):
        entity_code = code_of[entity_id]
        for (account, counterparty), cents in sorted(book.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if cents == 0:
                continue
            debit, credit = (_cents_text(cents), "0") if cents > 0 else ("0", _cents_text(-cents))
            yield (entity_code, account, debit, credit, code_of[counterparty] if counterparty else "")


def write_packages_csv(*, group: SyntheticGroup, path: Path, through_month: int | None = None) -> int:
    """All packages in one CSV file (header PACKAGE_COLUMNS); returns the number of lines written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PACKAGE_COLUMNS)
        for row in package_rows(group=group, through_month=through_month):
            writer.writerow(row)
            count += 1
    return count


def package_csv_bytes(*, rows: Sequence[Sequence[str]]) -> bytes:
    """One company's package as the import endpoint takes it: the rows without the entity column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PACKAGE_COLUMNS[1:])
    for row in rows:
        writer.writerow(row[1:])
    return out.getvalue().encode("utf-8")


# --- loader ---------------------------------------------------------------------------------------


class LoaderError(RuntimeError):
    """The database's tables need something the generator does not make (a feature changed its model)."""


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Rows:
    table: str
    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]


def _entity_rows(group: SyntheticGroup) -> _Rows:
    return _Rows(
        "legal_entity",
        (
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "functional_currency",
            "country",
            "segment",
            "established_on",
            "status",
            "created_at",
            "version",
        ),
        [
            (
                e.id,
                e.code,
                e.name,
                e.name_en,
                e.kind,
                "CNY",
                "CN",
                e.segment,
                e.established_on,
                "active",
                CREATED_AT,
                1,
            )
            for e in group.entities
        ],
    )


def _stake_rows(group: SyntheticGroup) -> _Rows:
    return _Rows(
        "equity_stake",
        ("id", "holder_id", "investee_id", "share", "voting_share", "valid_from", "source", "created_at"),
        [
            (s.id, s.holder_id, s.investee_id, s.share, s.voting_share, s.valid_from, "bench", CREATED_AT)
            for s in group.stakes
        ],
    )


def _account_rows(group: SyntheticGroup) -> _Rows:
    return _Rows(
        "account",
        ("code", "name", "name_en", "type", "normal_side", "role", "statement_line", "version"),
        [
            (a.code, a.name, a.name_en, a.type, a.normal_side, a.role, a.statement_line, 1)
            for a in group.accounts
        ],
    )


def _entry_rows(group: SyntheticGroup, entries: Sequence[Entry]) -> _Rows:
    def rows() -> Iterator[tuple[Any, ...]]:
        for entry in entries:
            posted = datetime.combine(entry.entry_date, datetime.min.time(), tzinfo=UTC)
            yield (
                entry.entity_id,
                entry.id,
                entry.year,
                entry.month,
                entry.number,
                entry.entry_date,
                f"Monthly summary {entry.year}-{entry.month:02d}",
                "manual",
                "bench",
                "bench",
                posted,
            )

    return _Rows(
        "journal_entry",
        (
            "entity_id",
            "id",
            "fiscal_year",
            "fiscal_month",
            "number",
            "entry_date",
            "description",
            "source",
            "source_ref",
            "preparer",
            "posted_at",
        ),
        rows(),
    )


def _line_rows(group: SyntheticGroup, entries: Sequence[Entry]) -> _Rows:
    one = Decimal(1)

    def rows() -> Iterator[tuple[Any, ...]]:
        for entry in entries:
            for number, line in enumerate(entry.lines, start=1):
                amount = line.debit or line.credit
                yield (
                    entry.entity_id,
                    entry.id,
                    number,
                    line.account_code,
                    line.debit,
                    line.credit,
                    line.counterparty_entity_id,
                    "CNY",
                    amount,
                    one,
                )

    return _Rows(
        "journal_line",
        (
            "entity_id",
            "entry_id",
            "line_no",
            "account_code",
            "debit",
            "credit",
            "counterparty_entity_id",
            "currency",
            "amount_in_currency",
            "rate",
        ),
        rows(),
    )


def _balance_rows(group: SyntheticGroup, entries: Sequence[Entry]) -> _Rows:
    def rows() -> Iterator[tuple[Any, ...]]:
        for entry in entries:
            kept: dict[tuple[str, str], list[Decimal]] = {}
            for line in entry.lines:
                key = (line.account_code, line.counterparty_entity_id or "")
                sides = kept.setdefault(key, [Decimal(0), Decimal(0)])
                sides[0] += line.debit
                sides[1] += line.credit
            for (account, counterparty), (debit, credit) in kept.items():
                yield (entry.entity_id, account, counterparty, entry.year, entry.month, debit, credit)

    return _Rows(
        "account_balance",
        ("entity_id", "account_code", "counterparty_key", "year", "month", "debit", "credit"),
        rows(),
    )


def _counter_rows(group: SyntheticGroup) -> _Rows:
    return _Rows(
        "entry_counter",
        ("entity_id", "fiscal_year", "last_number"),
        [(c.id, group.spec.year, group.spec.months) for c in group.companies],
    )


def _asset_rows(group: SyntheticGroup) -> _Rows:
    return _Rows(
        "asset",
        (
            "id",
            "entity_id",
            "tag",
            "name",
            "category",
            "acquired_on",
            "cost",
            "residual_value",
            "useful_life_months",
            "method",
            "created_at",
            "version",
        ),
        [
            (
                a.id,
                a.entity_id,
                a.tag,
                a.name,
                a.category,
                a.acquired_on,
                a.cost,
                a.residual_value,
                a.useful_life_months,
                a.method,
                CREATED_AT,
                1,
            )
            for a in group.assets
        ],
    )


#: Parts of a group the loader knows, in foreign-key order.
PARTS = ("entities", "stakes", "accounts", "journal", "balances", "assets")


def _parts(group: SyntheticGroup, wanted: Iterable[str]) -> list[_Rows]:
    chosen = set(wanted)
    unknown = chosen - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; known: {PARTS}")
    # The entries feed three tables: made once (a million lines take a few hundred MB for the load's length).
    entries: list[Entry] = list(group.entries()) if chosen & {"journal", "balances"} else []
    makers: dict[str, list[Callable[[], _Rows]]] = {
        "entities": [lambda: _entity_rows(group)],
        "stakes": [lambda: _stake_rows(group)],
        "accounts": [lambda: _account_rows(group)],
        "journal": [
            lambda: _entry_rows(group, entries),
            lambda: _line_rows(group, entries),
            lambda: _counter_rows(group),
        ],
        "balances": [lambda: _balance_rows(group, entries)],
        "assets": [lambda: _asset_rows(group)],
    }
    return [make() for part in PARTS if part in chosen for make in makers[part]]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format (NULL is \\N; dates, decimals and integers as their text)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _table_columns_pg(conn: Any, table: str) -> dict[str, bool] | None:
    """Column name -> required (NOT NULL without default), or None when the table does not exist."""
    rows = conn.execute(
        "SELECT column_name, is_nullable = 'NO' AND column_default IS NULL FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    ).fetchall()
    return {name: bool(required) for name, required in rows} or None


def _usable_columns(part: _Rows, present: dict[str, bool]) -> list[int]:
    missing = [name for name, required in present.items() if required and name not in part.columns]
    if missing:
        raise LoaderError(f"table {part.table} needs columns the generator does not make: {missing}")
    return [i for i, name in enumerate(part.columns) if name in present]


def load_group(*, url: str, group: SyntheticGroup, parts: Iterable[str] = PARTS) -> LoadReport:
    """Insert `parts` of `group` into the migrated database at `url` (a SQLAlchemy URL).

    Tables a feature has not created yet are skipped and named in the report. Accounts the database already
    holds (a fresh database is seeded with the group chart) are kept; the others are added.

    Raises:
        LoaderError: a table exists but needs a column the generator does not make.
    """
    started = time.perf_counter()
    report = LoadReport()
    chosen = _parts(group, parts)
    if url.startswith("sqlite"):
        _load_sqlite(url=url, parts=chosen, report=report)
    else:
        _load_postgres(url=url, parts=chosen, report=report)
    report.seconds = time.perf_counter() - started
    return report


def _load_postgres(*, url: str, parts: list[_Rows], report: LoadReport) -> None:
    import psycopg
    from psycopg import sql

    from bench.pg import libpq_url

    with psycopg.connect(libpq_url(url)) as conn:
        for part in parts:
            present = _table_columns_pg(conn, part.table)
            if present is None:
                report.skipped.append(part.table)
                continue
            keep = _usable_columns(part, present)
            names = [part.columns[i] for i in keep]
            count = 0
            if part.table == "account":
                statement = sql.SQL(
                    "INSERT INTO account ({}) VALUES ({}) ON CONFLICT (code) DO NOTHING"
                ).format(
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.SQL(", ").join(sql.Placeholder() * len(names)),
                )
                rows = [tuple(row[i] for i in keep) for row in part.rows]
                with conn.cursor() as cur:
                    cur.executemany(statement, rows)
                report.rows[part.table] = len(rows)
                continue
            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(part.table), sql.SQL(", ").join(map(sql.Identifier, names))
            )
            with conn.cursor() as cur, cur.copy(copy) as stream:
                # Text format written by hand: several times faster than write_row's per-value adaptation.
                buffer: list[str] = []
                for row in part.rows:
                    buffer.append("\t".join([_copy_text(row[i]) for i in keep]))
                    count += 1
                    if len(buffer) >= 20_000:
                        stream.write("\n".join(buffer) + "\n")
                        buffer.clear()
                if buffer:
                    stream.write("\n".join(buffer) + "\n")
            report.rows[part.table] = count
        conn.commit()


def _load_sqlite(*, url: str, parts: list[_Rows], report: LoadReport) -> None:
    from sqlalchemy import create_engine, inspect

    import app.models  # noqa: F401  (every table in the metadata)
    from app.core.db import Base

    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        existing = set(inspector.get_table_names())
        with engine.begin() as conn:
            for part in parts:
                table = Base.metadata.tables.get(part.table)
                if part.table not in existing or table is None:
                    report.skipped.append(part.table)
                    continue
                present = {
                    c["name"]: not c["nullable"] and c.get("default") is None
                    for c in inspector.get_columns(part.table)
                }
                keep = _usable_columns(part, present)
                names = [part.columns[i] for i in keep]
                statement = table.insert()
                if part.table == "account":
                    statement = statement.prefix_with("OR IGNORE")
                batch: list[dict[str, Any]] = []
                count = 0
                for row in part.rows:
                    batch.append({name: row[i] for name, i in zip(names, keep, strict=True)})
                    if len(batch) >= 5000:
                        conn.execute(statement, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    conn.execute(statement, batch)
                    count += len(batch)
                report.rows[part.table] = count
    finally:
        engine.dispose()
