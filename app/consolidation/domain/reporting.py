"""The workings and the comprehensive income of a run, once every journal is posted.

Exchange differences of the period (OCI, IAS 21.39(c)) are the closing translation reserve less the opening
one: for each foreign company its books' reserve less `EntityBooks.opening_cta`; for the journals that live at
the closing rate (fair-value adjustments, goodwill and its impairment, a foreign acquirer's investment,
intragroup asset transfers) the reserve they carry now less the one they carried at the period start,
recomputed as of the day before with that day's rates. Other journals' translation differences (unrealised
profit in inventory, equity method) arise in the period. The NCI takes its share of each (IAS 21.41).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from app.consolidation.domain.aggregation import Ledger
from app.consolidation.domain.chart import Chart
from app.consolidation.domain.eliminations import AcquisitionSetting, acquisition_journals, compute
from app.consolidation.domain.events import AssetTransferProfit, Associate
from app.consolidation.domain.goodwill import GoodwillExact
from app.consolidation.domain.journal import AVERAGE, CLOSING, Journal, historical
from app.consolidation.domain.nci import NciBase, subsidiary_working
from app.consolidation.domain.numbers import ZERO, exact, to_decimal
from app.consolidation.domain.periods import ONE_DAY, add_months
from app.consolidation.domain.results import (
    ComprehensiveIncome,
    GoodwillWorking,
    IntercompanyDifference,
    SubsidiaryWorking,
)
from app.consolidation.domain.translation import Rates, TranslatedBooks, translate_journal
from app.consolidation.domain.unrealized import transfer_journals

ReserveKey = tuple[str, str | None, str | None]
_GOODWILL_REASONS = frozenset({"goodwill_translation", "goodwill_impairment"})


@dataclass
class Run:
    """The state of a finished run that the workings read."""

    chart: Chart
    rates: Rates
    ledger: Ledger
    settings: Sequence[AcquisitionSetting]
    members: Sequence[str]
    currencies: Mapping[str, str]
    nci_shares: Mapping[str, Fraction]
    translated: Mapping[str, TranslatedBooks]
    associates: Sequence[Associate]
    transfers: Sequence[AssetTransferProfit]
    as_of: date
    period_start: date
    _goodwill: dict[str, GoodwillExact] = field(default_factory=dict)
    _opening: dict[ReserveKey, Fraction] | None = None
    _held: dict[str, list[AcquisitionSetting]] | None = None

    def _held_by(self) -> dict[str, list[AcquisitionSetting]]:
        """The settings by acquirer, in their order."""
        if self._held is None:
            self._held = {}
            for s in self.settings:
                self._held.setdefault(s.acquisition.acquirer, []).append(s)
        return self._held

    def goodwill(self, setting: AcquisitionSetting) -> GoodwillExact:
        key = setting.acquisition.id
        if key not in self._goodwill:
            self._goodwill[key] = compute(setting, self.chart)
        return self._goodwill[key]

    def historical_rate(self, setting: AcquisitionSetting) -> Fraction:
        return self.rates.rate(setting.acquiree_currency, historical(setting.acquisition.acquired_on))

    def closing_reserve(self) -> dict[ReserveKey, Fraction]:
        result: dict[ReserveKey, Fraction] = {}
        for p in self.ledger.posted:
            if p.translation:
                key = (p.reason, p.source, p.nci_entity)
                result[key] = result.get(key, ZERO) - p.amount
        return result

    def opening_reserve(self) -> dict[ReserveKey, Fraction]:
        if self._opening is None:
            self._opening = self._compute_opening()
        return self._opening

    def _compute_opening(self) -> dict[ReserveKey, Fraction]:
        as_of, start = self.period_start - ONE_DAY, add_months(self.period_start, -12)
        rates = self.rates.at_opening()
        entries: list[Journal] = []
        for s in self.settings:
            if s.acquisition.acquired_on <= as_of and s.acquiree_currency != self.rates.presentation:
                entries += acquisition_journals(s, self.chart, as_of=as_of, period_start=start, opening=True)[
                    0
                ]
        foreign = [t for t in self.transfers if self.currencies[t.buyer] != self.rates.presentation]
        entries += transfer_journals(
            chart=self.chart, transfers=foreign, currencies=self.currencies, as_of=as_of, period_start=start
        )
        result: dict[ReserveKey, Fraction] = {}
        for entry in entries:
            for p in translate_journal(entry=entry, journal_id="opening", chart=self.chart, rates=rates):
                if p.translation:
                    key = (p.reason, p.source, p.nci_entity)
                    result[key] = result.get(key, ZERO) - p.amount
        return result

    def subsidiary(self, base: NciBase, setting: AcquisitionSetting | None) -> SubsidiaryWorking:
        """W2/W4 of one subsidiary: its acquisition figures at the acquisition rate, its indirect holding
        adjustments as a holder."""
        net_assets = nci_at_acquisition = ZERO
        if setting is not None:
            gw, rate = self.goodwill(setting), self.historical_rate(setting)
            net_assets, nci_at_acquisition = gw.net_assets * rate, gw.nci_at_acquisition * rate
        held = self._held_by().get(base.entity, [])
        adjustment = sum(
            (self.goodwill(s).indirect_holding_adjustment * self.historical_rate(s) for s in held), ZERO
        )
        return subsidiary_working(
            base,
            ledger=self.ledger,
            nci_account=self.chart.role("nci"),
            acquisition=setting.acquisition.id if setting is not None else None,
            net_assets_at_acquisition=net_assets,
            nci_at_acquisition=nci_at_acquisition,
            indirect_holding_adjustment=adjustment,
        )


def goodwill_workings(run: Run) -> list[GoodwillWorking]:
    """W3 per acquisition, with the period's exchange difference on the goodwill of a foreign operation."""
    closing, workings = run.closing_reserve(), []
    for s in run.settings:
        acq, currency = s.acquisition, s.acquiree_currency
        gw = run.goodwill(s)
        impaired = sum((exact(i.amount) for i in acq.goodwill_impairments if i.on <= run.as_of), ZERO)
        impaired_before = sum(
            (exact(i.amount) for i in acq.goodwill_impairments if i.on < run.period_start), ZERO
        )
        opening: Fraction | None = None
        exchange = ZERO
        if gw.goodwill and acq.acquired_on < run.period_start:
            opening = (gw.goodwill - impaired_before) * run.rates.at_opening().rate(currency, CLOSING)
        if currency != run.rates.presentation:
            before = run.opening_reserve()
            keys = {k for k in (*closing, *before) if k[0] in _GOODWILL_REASONS and k[1] == acq.id}
            exchange = sum((closing.get(k, ZERO) - before.get(k, ZERO) for k in keys), ZERO)
        workings.append(
            GoodwillWorking(
                acquisition=acq.id,
                acquiree=acq.acquiree,
                currency=currency,
                computation=gw.result(),
                impairment_to_date=to_decimal(impaired),
                at_acquisition=to_decimal(gw.goodwill * run.historical_rate(s)),
                opening_carrying_amount=to_decimal(opening) if opening is not None else None,
                carrying_amount=to_decimal((gw.goodwill - impaired) * run.rates.rate(currency, CLOSING)),
                exchange_difference_for_period=to_decimal(exchange),
            )
        )
    return workings


def comprehensive_income(run: Run, *, profit: Fraction, nci_profit: Fraction) -> ComprehensiveIncome:
    """Profit, OCI by source and the split between the parent's owners and the NCI."""
    nci = run.nci_shares
    companies = sum((run.translated[e].oci for e in run.members), ZERO)
    nci_part = nci_profit + sum((nci[e] * run.translated[e].oci for e in run.members), ZERO)
    associates = ZERO
    for a in run.associates:
        if a.books_method == "cost":
            amount = (
                exact(a.share) * exact(a.oci_for_period) * run.rates.rate(run.currencies[a.investor], AVERAGE)
            )
            associates += amount
            nci_part += nci.get(a.investor, ZERO) * amount
    exchange = ZERO
    for e in run.members:
        exchange += run.translated[e].exchange_difference
        nci_part += nci[e] * run.translated[e].exchange_difference
    closing, opening = run.closing_reserve(), run.opening_reserve()
    for key in {*closing, *opening}:
        movement = closing.get(key, ZERO) - opening.get(key, ZERO)
        exchange += movement
        owner = key[2]
        nci_part += nci.get(owner, ZERO) * movement if owner is not None else ZERO
    oci = companies + associates + exchange
    return ComprehensiveIncome(
        profit_for_period=to_decimal(profit),
        other_comprehensive_income=to_decimal(oci),
        companies_oci=to_decimal(companies),
        share_of_associates_oci=to_decimal(associates),
        exchange_differences=to_decimal(exchange),
        total_comprehensive_income=to_decimal(profit + oci),
        attributable_to_parent=to_decimal(profit + oci - nci_part),
        attributable_to_nci=to_decimal(nci_part),
    )


def investment_differences(run: Run, tolerance: Fraction) -> list[IntercompanyDifference]:
    """An acquirer's investment tagged with its subsidiary that the elimination did not clear."""
    result = []
    for s in run.settings:
        acq = s.acquisition
        account = acq.investment_account or run.chart.role("investment_in_subsidiaries")
        key = (account, acq.acquiree)
        own = run.ledger.own.get(acq.acquirer, {}).get(key)
        if own is None:
            continue
        left = run.ledger.entity_balances(acq.acquirer).get(key, ZERO)
        if abs(left) > tolerance:
            result.append(
                IntercompanyDifference(
                    "investment",
                    acq.acquirer,
                    acq.acquiree,
                    to_decimal(own),
                    to_decimal(left - own),
                    to_decimal(left),
                )
            )
    return result
