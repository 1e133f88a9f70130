"""`consolidate`: one consolidation run, from the companies' books to the group's statements (DOMAIN Part 1
"Consolidation runs", Part 2 §2).

Order (IFRS 10 B86): translate and aggregate the consolidated companies (parent and subsidiaries); group
adjustments (items in transit, policy alignment); per acquisition the fair-value adjustments, the removal of
pre-acquisition results, the investment elimination with goodwill, its impairment and translation;
intercompany balances, trading, other income and dividends; unrealised profit in inventory and fixed
assets; the equity method for associates and joint ventures; the NCI attribution; then statements,
comprehensive income and the workings. Associates' and plain investments' books are not aggregated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.aggregation import Ledger
from app.consolidation.domain.chart import Chart
from app.consolidation.domain.eliminations import AcquisitionSetting, acquisition_journals
from app.consolidation.domain.equity_method import AssociateSetting, associate_journal
from app.consolidation.domain.events import (
    Acquisition,
    AssetTransferProfit,
    Associate,
    GroupAdjustment,
    UnrealizedProfit,
)
from app.consolidation.domain.inputs import AccountInfo, ConsolidationPolicy, EntityBooks, FxRate, ScopeEntry
from app.consolidation.domain.intercompany import Matching, match_intercompany
from app.consolidation.domain.journal import AVERAGE, Draft, Journal, Posted, journal, year_average
from app.consolidation.domain.nci import NciBase, attribution_journal, nci_base
from app.consolidation.domain.numbers import ZERO, exact, to_decimal
from app.consolidation.domain.periods import fiscal_year_end
from app.consolidation.domain.pooling import pooled_pnl
from app.consolidation.domain.reporting import (
    Run,
    comprehensive_income,
    goodwill_workings,
    investment_differences,
)
from app.consolidation.domain.results import ConsolidationResult, JournalLine
from app.consolidation.domain.statements import build_statements
from app.consolidation.domain.translation import Rates, translate_books, translate_journal
from app.consolidation.domain.unrealized import inventory_journals, transfer_journals
from app.consolidation.domain.validation import RunInputs, validate

_INVESTMENT_ROLES = frozenset(
    {"investment_in_subsidiaries", "investment_in_associates", "investment_in_joint_ventures"}
)
#: Stock and long-lived assets a buyer tags with its seller say where a purchase went (the ledger matches
#: sales against them); no balance is owed on them, so the balance matching leaves them out.
# fmt: off
_NON_MONETARY_ROLES = frozenset({
    "inventory", "inventory_impairment", "fixed_asset", "accumulated_depreciation", "fixed_asset_impairment",
    "construction_in_progress", "right_of_use_asset", "intangible", "accumulated_amortisation",
    "intangible_impairment", "manufacturing_overhead",
})
# fmt: on


def _adjustment_journal(
    adj: GroupAdjustment, chart: Chart, currency: str, as_of: date, period_start: date
) -> Journal | None:
    """A group adjustment as a journal of its entity; earlier periods' P&L lines restated in reserves."""
    if adj.as_of != as_of and not (adj.carry_forward and adj.as_of < as_of):
        return None
    restate = adj.as_of < period_start
    year_end = fiscal_year_end(day=adj.as_of, period_start=period_start, as_of=as_of)
    lines = []
    for line in adj.lines:
        amount, account = exact(line.debit) - exact(line.credit), line.account
        if restate and chart.is_pnl(account):
            lines.append(
                Draft(
                    chart.role("retained_earnings"),
                    amount,
                    adj.entity,
                    adj.entity,
                    year_average(year_end),
                    carried_forward=True,
                )
            )
            continue
        rate = AVERAGE if chart.type_of(account) == "equity" else None
        lines.append(Draft(account, amount, adj.entity, adj.entity, rate, line.counterparty))
    return journal(
        reason="group_adjustment",
        source=adj.id,
        layer="ADJ",
        currency=currency,
        lines=lines,
        cta_entity=adj.entity,
        cta_nci_entity=adj.entity,
    )


_NOTHING = Decimal(0)


def _journal_lines(posted: Sequence[Posted], nci_shares: dict[str, Fraction]) -> tuple[JournalLine, ...]:
    result = []
    sharing = frozenset(e for e, share in nci_shares.items() if share > 0)
    for p in posted:
        bearing = p.nci_entity in sharing
        amount = to_decimal(p.amount)  # a credit's Decimal is the debit's negated, exactly (copy_negate)
        result.append(
            JournalLine(
                journal=p.journal,
                account=p.account,
                entity=p.entity,
                debit=amount if p.amount.numerator > 0 else _NOTHING,
                credit=amount.copy_negate() if p.amount.numerator < 0 else _NOTHING,
                reason=p.reason,
                source=p.source,
                layer=p.layer,
                nci_bearing=bearing,
                nci_entity=p.nci_entity if bearing else None,
                counterparty=p.counterparty,
                carried_forward=p.carried_forward,
            )
        )
    return tuple(result)


def consolidate(
    *,
    parent: str,
    as_of: date,
    period_start: date,
    presentation_currency: str,
    accounts: Sequence[AccountInfo],
    books: Sequence[EntityBooks],
    scope: Sequence[ScopeEntry],
    acquisitions: Sequence[Acquisition] = (),
    associates: Sequence[Associate] = (),
    adjustments: Sequence[GroupAdjustment] = (),
    unrealized_profits: Sequence[UnrealizedProfit] = (),
    asset_transfers: Sequence[AssetTransferProfit] = (),
    fx_rates: Sequence[FxRate] = (),
    policy: ConsolidationPolicy | None = None,
    pooled_balances: Mapping[str, Decimal] | None = None,
) -> ConsolidationResult:
    """Consolidate `parent`'s group on `as_of` for the period from `period_start` (see the module docstring).

    Raises ConsolidationInputError (every violation at once) for unusable inputs, MissingAccountRoleError
    when the chart lacks an account an entry needs, MissingExchangeRateError listing every missing rate.
    """
    chart, policy = Chart(accounts), policy or ConsolidationPolicy()
    validate(
        RunInputs(
            parent,
            as_of,
            period_start,
            presentation_currency,
            chart,
            books,
            scope,
            acquisitions,
            associates,
            adjustments,
            unrealized_profits,
            asset_transfers,
            policy,
            pooled_balances or {},
        )
    )
    rates = Rates(fx_rates, presentation_currency, as_of, period_start)
    interest = {s.entity: exact(s.interest_share) for s in scope}
    interest[parent] = Fraction(1)
    members = sorted(s.entity for s in scope if s.method in ("parent", "subsidiary"))
    books_by = {b.entity: b for b in books if b.entity in members}
    currencies = {e: books_by[e].currency for e in members}
    nci_shares = {e: 1 - interest[e] for e in members}
    ledger = Ledger(chart)
    translated = {e: translate_books(books=books_by[e], chart=chart, rates=rates) for e in members}
    for entity in members:
        ledger.add_books(entity, translated[entity].balances, pooled_pnl=pooled_pnl(books_by[entity]))
    ledger.add_pool({a: exact(v) for a, v in (pooled_balances or {}).items()}, chart)

    def post(entries: Sequence[Journal | None]) -> None:
        for entry in entries:
            if entry is not None:
                ledger.post(
                    translate_journal(
                        entry=entry, journal_id=ledger.next_journal_id(), chart=chart, rates=rates
                    )
                )

    post(
        [
            _adjustment_journal(a, chart, currencies[a.entity], as_of, period_start)
            for a in sorted(adjustments, key=lambda a: a.id)
        ]
    )
    settings: list[AcquisitionSetting] = []
    for acq in sorted(acquisitions, key=lambda a: (a.acquired_on, a.id)):
        local = books_by[acq.acquiree].balances
        pnl = {k: chart.sign(k[0]) * exact(v) for k, v in local.items() if chart.is_pnl(k[0])}
        setting = AcquisitionSetting(
            acq,
            currencies[acq.acquiree],
            currencies[acq.acquirer],
            presentation_currency,
            interest[acq.acquirer],
            nci_shares[acq.acquiree],
            pnl,
        )
        settings.append(setting)
        post(acquisition_journals(setting, chart, as_of=as_of, period_start=period_start)[0])
    explicit = [a.investment_account for a in acquisitions] + [a.investment_account for a in associates]
    excluded = chart.codes_with_roles(_INVESTMENT_ROLES | _NON_MONETARY_ROLES) | {
        code for code in explicit if code
    }
    tolerance = exact(policy.intercompany_tolerance)
    matching = match_intercompany(
        Matching(
            ledger, members, presentation_currency, tolerance, policy.difference_account, frozenset(excluded)
        )
    )
    post(matching.journals)
    member_set = frozenset(members)
    post(
        inventory_journals(
            chart=chart,
            records=unrealized_profits,
            members=member_set,
            currencies=currencies,
            as_of=as_of,
            period_start=period_start,
        )
    )
    post(
        transfer_journals(
            chart=chart,
            transfers=asset_transfers,
            currencies=currencies,
            as_of=as_of,
            period_start=period_start,
        )
    )
    associate_workings = []
    for assoc in sorted(associates, key=lambda a: a.id):
        setting_a = AssociateSetting(assoc, currencies[assoc.investor], member_set, unrealized_profits)
        entry, working = associate_journal(setting_a, chart, as_of=as_of, period_start=period_start)
        post([entry])
        associate_workings.append(working)
    nci_account, profit_account = chart.role("nci"), chart.role("current_year_profit")
    bases: list[NciBase] = [
        nci_base(ledger, entity=e, interest=interest[e], nci_account=nci_account)
        for e in members
        if e != parent
    ]
    post(
        [
            attribution_journal(
                b, nci_account=nci_account, profit_account=profit_account, presentation=presentation_currency
            )
            for b in bases
        ]
    )
    run = Run(
        chart=chart,
        rates=rates,
        ledger=ledger,
        settings=settings,
        members=members,
        currencies=currencies,
        nci_shares=nci_shares,
        translated=translated,
        associates=associates,
        transfers=asset_transfers,
        as_of=as_of,
        period_start=period_start,
    )
    gw_workings = goodwill_workings(run)
    nci_profit = sum((b.nci_share * b.profit for b in bases), ZERO)
    statements = build_statements(ledger, nci_profit=nci_profit)
    income = comprehensive_income(run, profit=statements.profit, nci_profit=nci_profit)
    differences = [*matching.differences, *investment_differences(run, tolerance)]
    setting_of: dict[str, AcquisitionSetting] = {}
    for s in settings:
        setting_of.setdefault(s.acquisition.acquiree, s)
    subsidiaries = [run.subsidiary(base, setting_of.get(base.entity)) for base in bases]
    rates.check()
    return ConsolidationResult(
        parent=parent,
        as_of=as_of,
        period_start=period_start,
        presentation_currency=presentation_currency,
        scope=tuple(scope),
        balance_sheet=statements.balance_sheet,
        income_statement=statements.income_statement,
        figures=statements.figures,
        comprehensive_income=income,
        eliminations=_journal_lines(ledger.posted, nci_shares),
        intercompany_differences=tuple(differences),
        consolidated=not differences,
        subsidiaries=tuple(subsidiaries),
        goodwill=tuple(gw_workings),
        associates=tuple(associate_workings),
        translations=tuple(t.working for t in translated.values() if t.working is not None),
        profit_by_entity={e: to_decimal(-ledger.entity_pnl(e)) for e in members},
    )
