"""Non-controlling interests (IFRS 10 B94; DOMAIN §1.8, §8 W2/W4).

For each subsidiary X with NCI share n = 1 - interest share (direct and indirect together):

    NCI(X) = NCI at acquisition - indirect holding adjustments X makes as a holder
           + n x post-acquisition change in X's adjusted equity

The post-acquisition change is X's own equity and results plus every consolidation line that shares with
X's NCI (its fair-value adjustments and their depreciation, the equity at acquisition removed, upstream
unrealised profit, goodwill impairment and retranslation under the fair-value method, its translation
reserve...). The attribution journal moves n of each equity account of X into the NCI account and n of X's
profit out of the current-year profit, so the consolidated reserves and the translation reserve show the
group's share only (Allen White 6.5) and a deficit is allowed (B94). The rake formulas of Allen White give
the same totals (C-13a: 56 + 70.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from app.consolidation.domain.aggregation import Ledger
from app.consolidation.domain.journal import Draft, Journal, journal
from app.consolidation.domain.numbers import ZERO, to_decimal, total
from app.consolidation.domain.results import SubsidiaryWorking


@dataclass(frozen=True)
class NciBase:
    """What one subsidiary's NCI shares in: credit-positive equity by account and the period's profit."""

    entity: str
    interest: Fraction
    equity: Mapping[str, Fraction]
    profit: Fraction

    @property
    def nci_share(self) -> Fraction:
        return 1 - self.interest

    @property
    def post_acquisition(self) -> Fraction:
        return total(self.equity.values()) + self.profit


def nci_base(ledger: Ledger, *, entity: str, interest: Fraction, nci_account: str) -> NciBase:
    equity, pnl = ledger.nci_base(entity, exclude=frozenset({nci_account}))
    return NciBase(entity, interest, {a: -v for a, v in equity.items() if v}, -pnl)


def attribution_journal(
    base: NciBase, *, nci_account: str, profit_account: str, presentation: str
) -> Journal | None:
    """Dr n x each equity account and n x profit (via the current-year profit account), Cr NCI."""
    n = base.nci_share
    if n == 0:
        return None
    lines = [Draft(account, n * amount, base.entity) for account, amount in sorted(base.equity.items())]
    lines.append(Draft(profit_account, n * base.profit, base.entity))
    lines.append(Draft(nci_account, -n * base.post_acquisition, base.entity))
    return journal(reason="nci_share", source=base.entity, layer="ELIM", currency=presentation, lines=lines)


def subsidiary_working(
    base: NciBase,
    *,
    ledger: Ledger,
    nci_account: str,
    acquisition: str | None,
    net_assets_at_acquisition: Fraction,
    nci_at_acquisition: Fraction,
    indirect_holding_adjustment: Fraction,
) -> SubsidiaryWorking:
    """W2/W4 of one subsidiary once the attribution journal is posted."""
    nci = -sum((p.amount for p in ledger.booked_in(base.entity) if p.account == nci_account), ZERO)
    return SubsidiaryWorking(
        entity=base.entity,
        acquisition=acquisition,
        interest_share=to_decimal(base.interest),
        nci_share=to_decimal(base.nci_share),
        net_assets_at_acquisition=to_decimal(net_assets_at_acquisition),
        net_assets_at_reporting_date=to_decimal(net_assets_at_acquisition + base.post_acquisition),
        post_acquisition=to_decimal(base.post_acquisition),
        parent_share_of_post_acquisition=to_decimal(base.interest * base.post_acquisition),
        nci_at_acquisition=to_decimal(nci_at_acquisition),
        indirect_holding_adjustment=to_decimal(indirect_holding_adjustment),
        non_controlling_interest=to_decimal(nci),
        profit_for_period=to_decimal(base.profit),
        profit_attributable_to_nci=to_decimal(base.nci_share * base.profit),
    )
