"""Fair-value adjustments with deferred tax: C-21a (goodwill), C-21b (bargain purchase); Allen White 8.12-13.

Both cases are `gaap: local`; the tests check the `derived_ifrs` figures and the published ones that IFRS
keeps. The results of A are one income line (the source gives results, not their detail); its
pre-acquisition part is given in the equity at acquisition.
"""

from datetime import date

from app.consolidation.domain import Acquisition, FairValueAdjustment, consolidate
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    ACCUMULATED_DEPRECIATION,
    ADMIN_EXPENSE,
    CAPITAL_RESERVE,
    CASH,
    DEFERRED_TAX_ASSET,
    DEFERRED_TAX_LIABILITY,
    INCOME_TAX,
    INVESTMENT_IN_SUBSIDIARIES,
    NON_OPERATING_INCOME,
    PAYABLE,
    PPE,
    PROVISIONS,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
    books,
    parent_entry,
    subsidiary,
)


def _run(parent_books, sub_books, acquisition):
    return consolidate(
        parent="P",
        as_of=date(2020, 12, 31),
        period_start=date(2020, 1, 1),
        presentation_currency="CNY",
        accounts=ACCOUNTS,
        books=[parent_books, sub_books],
        scope=[parent_entry("P"), subsidiary("A", "0.8")],
        acquisitions=[acquisition],
    )


def _journal(result, reason: str) -> dict[str, object]:
    lines: dict[str, object] = {}
    for e in result.eliminations:
        if e.reason == reason:
            lines[e.account] = lines.get(e.account, 0) + e.debit - e.credit
    return lines


class TestC21a:
    parent = books(
        "P",
        {
            (INVESTMENT_IN_SUBSIDIARIES, "A"): 1200,
            CASH: 1800,
            PAYABLE: 600,
            SHARE_CAPITAL: 2000,
            RETAINED_EARNINGS: 300,
            REVENUE: 100,
        },
    )
    sub = books(
        "A",
        {
            PPE: 1000,
            ACCUMULATED_DEPRECIATION: -300,
            CASH: 1300,
            PAYABLE: 1100,
            SHARE_CAPITAL: 500,
            RETAINED_EARNINGS: 300,
            REVENUE: 100,
        },
    )
    acquisition = Acquisition(
        id="PA",
        acquirer="P",
        acquiree="A",
        acquired_on=date(2020, 7, 1),
        share=D("0.8"),
        consideration=D(1200),
        equity_at_acquisition={SHARE_CAPITAL: D(500), RETAINED_EARNINGS: D(300), REVENUE: D(60)},
        fair_value_adjustments=(FairValueAdjustment(PPE, D(500), useful_life_months=120),),
        deferred_tax_rate=D("0.40"),
    )

    def test_revaluation_goodwill_and_nci(self):
        result = _run(self.parent, self.sub, self.acquisition)

        uplift, working = _journal(result, "fair_value_adjustment"), result.subsidiaries[0]
        goodwill = result.goodwill[0].computation
        assert uplift == {PPE: 500, DEFERRED_TAX_LIABILITY: -200, CAPITAL_RESERVE: -300}
        assert goodwill.net_assets * D("0.8") == 928
        assert goodwill.goodwill == 272
        assert _journal(result, "fair_value_depreciation") == {
            ADMIN_EXPENSE: 25,
            ACCUMULATED_DEPRECIATION: -25,
            DEFERRED_TAX_LIABILITY: 10,
            INCOME_TAX: -10,
        }
        assert working.parent_share_of_post_acquisition == 20
        assert result.figures.non_controlling_interest == 237

    def test_ifrs_statements_keep_goodwill_unamortised(self):
        result = _run(self.parent, self.sub, self.acquisition)

        f = result.figures
        assert f.goodwill == 272
        assert f.total_assets == 4513 + 34
        assert result.line(PPE) == 1500
        assert result.line(ACCUMULATED_DEPRECIATION) == -325
        assert result.line(DEFERRED_TAX_LIABILITY) == 190
        assert result.line(CASH) == 3100
        assert result.line(PAYABLE) == 1700
        assert result.profit_by_entity["P"] == 100
        assert f.profit_attributable_to_parent == 120
        assert f.profit_attributable_to_nci == 5
        assert f.equity_attributable_to_parent == 2000 + 300 + 100 + 20


class TestC21b:
    def test_bargain_purchase_gain_in_profit(self):
        # Filler: A's assets are cash equal to its equity; P holds the investment and cash against capital.
        parent = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "A"): 500, CASH: 500, SHARE_CAPITAL: 1000})
        sub = books("A", {CASH: 830, SHARE_CAPITAL: 500, RETAINED_EARNINGS: 280, REVENUE: 50})
        acquisition = Acquisition(
            id="PA",
            acquirer="P",
            acquiree="A",
            acquired_on=date(2020, 7, 1),
            share=D("0.8"),
            consideration=D(500),
            equity_at_acquisition={SHARE_CAPITAL: D(500), RETAINED_EARNINGS: D(280), REVENUE: D(20)},
            fair_value_adjustments=(FairValueAdjustment(PROVISIONS, D(100)),),
            deferred_tax_rate=D("0.30"),
        )

        result = _run(parent, sub, acquisition)

        assert _journal(result, "fair_value_adjustment") == {
            PROVISIONS: -100,
            DEFERRED_TAX_ASSET: 30,
            CAPITAL_RESERVE: 70,
        }
        assert result.goodwill[0].computation.bargain_purchase_gain == 84
        assert result.line(NON_OPERATING_INCOME) == 84
        assert result.figures.goodwill == 0
        assert result.subsidiaries[0].parent_share_of_post_acquisition == 24
        assert result.figures.non_controlling_interest == 152
        assert result.figures.profit_attributable_to_parent == 84 + 24
