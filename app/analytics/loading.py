"""Group analytics read from the other features: which companies, what their books and registers say.

- The population of a period: the group companies (kind `company`) that the actor may see and that existed
  during the period (or ceased on its first day); with `parent_id`, only the parent and the subsidiaries it
  controls on the first or the last day of the period (ownership service). A company merged during the
  period stays listed: its opening balances and its own flows (dividends, depreciation, investment) until
  the merger are its own, while the merger moved its balances and its results of the year into the
  survivor's books (so its closing balances and its profit of the period are zero).
- Each company's books: cumulative movements per account from the ledger's report service at the day before
  the period and at its last day, and the period's gross movements of a few accounts without the
  restructuring entries (`repository`); its fixed-asset register at the period end (assets report service).
- Figures are translated into the presentation currency: closing rates (latest on or before the date) for
  balances, the average rate recorded for the period's last day for flows; a rate is looked up only when an
  amount needs it, and a missing one is a 422 `fx-rate-missing` naming it.

Levels: each company; each product segment (the entity's `segment`, companies without one together); the
group (every listed company). A segment's or the group's figures are the sums of its companies' figures:
aggregated, not consolidated (balances, investments and sales between group companies are not eliminated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy.orm import Session

from app.analytics import repository
from app.analytics.domain import indicators as ind
from app.analytics.domain.concentration import Concentration, concentration
from app.analytics.domain.figures import (
    RESTRUCTURING_SOURCES,
    ChartClasses,
    CompanyBooks,
    Factors,
    Figures,
    Register,
    figures_of,
    total,
)
from app.analytics.domain.trends import Period
from app.analytics.errors import AnalyticsQueryError
from app.assets import report_service as assets_report
from app.core.context import Actor
from app.core.errors import violation
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.ledger import fx_service, report_service
from app.ledger import repository as ledger_repository
from app.ownership import view_service as ownership_views

ZERO = Decimal(0)
ONE = Decimal(1)
ONE_DAY = timedelta(days=1)
GROUP_KEY = "group"
NO_SEGMENT = "(none)"
_MEMBERS = frozenset({"parent", "subsidiary"})
_PAGE = 500
#: concentration indicators, answered per segment only
CONCENTRATION_NAMES: tuple[str, ...] = ("hhi", "cr4", "equivalent_makers")

Level = Literal["company", "segment", "group"]


# ------------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class Company:
    entity_id: str
    code: str
    name: str
    name_en: str | None
    segment: str | None
    currency: str

    @staticmethod
    def of(entity: LegalEntity) -> Company:
        return Company(
            entity.id, entity.code, entity.name, entity.name_en, entity.segment, entity.functional_currency
        )


@dataclass(frozen=True)
class CompanyState:
    """One company's books and register for a period (functional currency)."""

    company: Company
    books: CompanyBooks
    register: Register = field(default_factory=Register)


@dataclass(frozen=True)
class Snapshot:
    """The population of a period with its books: what the figures are computed from."""

    period: Period
    currency: str
    states: tuple[CompanyState, ...]


@dataclass(frozen=True)
class CompanyFigures:
    company: Company
    figures: Figures


@dataclass(frozen=True)
class Row:
    """The figures and ratios of one company, one segment or the group."""

    level: Level
    key: str
    companies: tuple[Company, ...]
    figures: Figures
    ratios: Mapping[str, Decimal | None]

    @property
    def company(self) -> Company | None:
        return self.companies[0] if self.level == "company" else None

    @property
    def segment(self) -> str | None:
        if self.level == "company":
            return self.companies[0].segment
        if self.level == "segment":
            return None if self.key == NO_SEGMENT else self.key
        return None

    @property
    def label(self) -> str:
        return self.companies[0].name if self.level == "company" else self.key


@dataclass(frozen=True)
class SegmentConcentration:
    segment: str | None
    concentration: Concentration
    members: tuple[CompanyFigures, ...]


# ------------------------------------------------------------------------------------------------ loading


def chart_classes(session: Session) -> ChartClasses:
    """The accounts of each figure, from the group chart's types, roles and statement lines."""
    accounts = ledger_repository.all_accounts(session)

    def where(test: Callable[[str | None, str | None], bool]) -> frozenset[str]:
        return frozenset(a.code for a in accounts if test(a.role, a.statement_line))

    return ChartClasses(
        types={a.code: a.type for a in accounts},
        revenue=where(lambda _r, line: line == "is.revenue"),
        cost_of_sales=where(lambda _r, line: line == "is.cost_of_sales"),
        fixed_asset_cost=where(lambda role, _l: role == "fixed_asset"),
        accumulated_depreciation=where(lambda role, _l: role == "accumulated_depreciation"),
        fixed_asset_impairment=where(lambda role, _l: role == "fixed_asset_impairment"),
        construction_in_progress=where(lambda role, _l: role == "construction_in_progress"),
        dividends_payable=where(lambda role, _l: role == "dividends_payable"),
    )


def check_period(*, period_from: date, period_to: date, loc: tuple[str, ...] = ("query", "from")) -> None:
    """Raises AnalyticsQueryError when the period ends before it starts."""
    if period_from > period_to:
        raise AnalyticsQueryError(
            "the period ends before it starts",
            errors=[violation(loc, "must not be after `to`", "period_order")],
        )


def _in_period(entity: LegalEntity, period: Period) -> bool:
    """Existed on some day of the period, or ceased on its first day (its balances open the period)."""
    started = entity.established_on is None or entity.established_on <= period.end
    return started and (entity.ended_on is None or entity.ended_on >= period.start)


def population(session: Session, *, actor: Actor, period: Period, parent_id: str | None) -> list[Company]:
    """The companies of the period (module docstring), in code order.

    Raises:
        EntityNotFoundError: `parent_id` is unknown or not visible to the actor.
        OwnershipQueryError: the parent existed on neither the first nor the last day of the period.
    """
    if parent_id is not None:
        parent = entities_service.get_entity(session, actor=actor, entity_id=parent_id)
        days = [d for d in (period.start, period.end) if parent.active_on(d)] or [period.end]
        found: set[str] = set()
        for day in dict.fromkeys(days):
            view = ownership_views.ownership_as_of(session, actor=actor, parent_id=parent.id, as_of=day)
            found |= {
                line.entity.id
                for line in view.lines
                if line.figures.method in _MEMBERS and line.entity.kind == "company"
            }
        entities = list(entities_service.entities_by_id(session, entity_ids=found).values())
    else:
        entities = []
        after: str | None = None
        while True:
            page = entities_service.list_entities(
                session, actor=actor, limit=_PAGE, after_id=after, kind="company"
            )
            entities += page
            if len(page) < _PAGE:
                break
            after = page[-1].id
    return sorted((Company.of(e) for e in entities if _in_period(e, period)), key=lambda c: c.code)


class _Cumulative:
    """Cumulative debit-positive amounts per account of companies on dates, each read once."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[tuple[str, date], dict[str, Decimal]] = {}

    def on(self, entity_id: str, day: date) -> dict[str, Decimal]:
        key = (entity_id, day)
        if key not in self._cache:
            out: dict[str, Decimal] = {}
            for move in report_service.movements_to(self._session, entity_id=entity_id, as_of=day):
                out[move.account_code] = out.get(move.account_code, ZERO) + move.debit - move.credit
            self._cache[key] = {k: v for k, v in out.items() if v != ZERO}
        return self._cache[key]


class Loader:
    """Snapshots of periods for one request (balances and rates are read once and kept)."""

    def __init__(self, session: Session, *, actor: Actor, currency: str) -> None:
        self.session = session
        self.actor = actor
        self.currency = currency
        self.classes = chart_classes(session)
        self._cumulative = _Cumulative(session)
        self._rates: dict[tuple[str, str, date], Decimal] = {}

    def snapshot(self, *, period: Period, parent_id: str | None, registers: bool = True) -> Snapshot:
        """The period's population and books; without `registers` the fixed-asset registers are not read
        (their carrying amounts stay zero: only the idle share needs them, and they are the slow part)."""
        companies = population(self.session, actor=self.actor, period=period, parent_id=parent_id)
        return self.snapshot_of(period=period, companies=companies, registers=registers)

    def snapshot_of(
        self, *, period: Period, companies: Sequence[Company], registers: bool = True
    ) -> Snapshot:
        ids = [c.entity_id for c in companies]
        gross = repository.gross_movements(
            self.session,
            entity_ids=ids,
            accounts=self.classes.gross_flow_accounts,
            date_from=period.start,
            date_to=period.end,
            excluded_sources=RESTRUCTURING_SOURCES,
        )
        found = self.registers(on=period.end, entity_ids=ids) if registers else {}
        states = tuple(
            CompanyState(
                company=c,
                books=CompanyBooks(
                    opening=self._cumulative.on(c.entity_id, period.start - ONE_DAY),
                    closing=self._cumulative.on(c.entity_id, period.end),
                    own_debits=gross[c.entity_id][0],
                    own_credits=gross[c.entity_id][1],
                ),
                register=found.get(c.entity_id, Register()),
            )
            for c in companies
        )
        return Snapshot(period=period, currency=self.currency, states=states)

    def registers(self, *, on: date, entity_ids: Iterable[str]) -> dict[str, Register]:
        wanted = set(entity_ids)
        if not wanted:
            return {}
        lines = assets_report.idle_assets(self.session, actor=self.actor, as_of=on)
        return {
            line.entity_id: Register(line.total_carrying_amount, line.idle_carrying_amount)
            for line in lines
            if line.entity_id in wanted
        }

    def rate(self, currency: str, kind: str, on: date) -> Decimal:
        """Presentation-currency units per unit of `currency` (raises FxRateMissingError)."""
        key = (currency, kind, on)
        if key not in self._rates:
            self._rates[key] = fx_service.lookup_rate(
                self.session, currency=currency, quote_currency=self.currency, kind=kind, on=on
            ).rate
        return self._rates[key]

    def figures(self, snapshot: Snapshot) -> list[CompanyFigures]:
        return [CompanyFigures(s.company, self.figures_of(s, snapshot.period)) for s in snapshot.states]

    def figures_of(self, state: CompanyState, period: Period) -> Figures:
        """The company's figures in the presentation currency (rates looked up only where amounts need them).

        Raises:
            FxRateMissingError: a needed rate is not recorded.
        """
        plain = figures_of(state.books, classes=self.classes, register=state.register)
        if state.company.currency == self.currency:
            return plain
        currency = state.company.currency
        opening = plain.total_assets_opening != 0 or plain.fixed_assets_net_opening != 0
        closing = any(
            v != 0
            for v in (
                plain.total_assets,
                plain.total_liabilities,
                plain.fixed_assets_net,
                plain.register_carrying_amount,
            )
        )
        flows = any(
            v != 0
            for v in (
                plain.revenue,
                plain.cost_of_sales,
                plain.net_profit,
                plain.dividends_declared,
                plain.depreciation,
                plain.capex,
            )
        )
        factors = Factors(
            opening=self.rate(currency, "closing", period.start - ONE_DAY) if opening else ONE,
            closing=self.rate(currency, "closing", period.end) if closing else ONE,
            average=self.rate(currency, "average", period.end) if flows else ONE,
        )
        return figures_of(state.books, classes=self.classes, register=state.register, factors=factors)


# ------------------------------------------------------------------------------------------------ levels


def _row(level: Level, key: str, members: Sequence[CompanyFigures]) -> Row:
    figures = total(m.figures for m in members)
    return Row(level, key, tuple(m.company for m in members), figures, ind.ratios(figures))


def segment_key(company: Company) -> str:
    return company.segment if company.segment is not None else NO_SEGMENT


def rows(figures: Sequence[CompanyFigures], *, level: Level) -> list[Row]:
    """The rows of `level`: companies in code order, segments in name order, or the one group row."""
    if level == "company":
        return [_row("company", f.company.entity_id, [f]) for f in figures]
    if level == "segment":
        by_segment: dict[str, list[CompanyFigures]] = {}
        for item in figures:
            by_segment.setdefault(segment_key(item.company), []).append(item)
        return [_row("segment", key, members) for key, members in sorted(by_segment.items())]
    return [_row("group", GROUP_KEY, figures)]


def segment_concentration(figures: Sequence[CompanyFigures]) -> list[SegmentConcentration]:
    """Output concentration in every segment (companies without a segment are left out)."""
    by_segment: dict[str, list[CompanyFigures]] = {}
    for item in figures:
        if item.company.segment is not None:
            by_segment.setdefault(item.company.segment, []).append(item)
    out = []
    for segment, members in sorted(by_segment.items()):
        ordered = sorted(members, key=lambda m: (-m.figures.revenue, m.company.code))
        found = concentration({m.company.entity_id: m.figures.revenue for m in ordered})
        out.append(SegmentConcentration(segment, found, tuple(ordered)))
    return out
