"""Goodwill at acquisition: cases C-01a..C-01d (cases.yaml), through `compute_goodwill`."""

from decimal import Decimal

import pytest

from app.consolidation.domain import (
    ConsolidationInputError,
    FairValueAdjustment,
    compute_goodwill,
    fair_value_net_assets,
)
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    CAPITAL_RESERVE,
    PPE,
    PROVISIONS,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
)


class TestComputeGoodwill:
    @pytest.mark.parametrize(
        ("method", "nci_fair_value", "nci", "goodwill"),
        [("proportionate", None, 17000, 10000), ("fair_value", 19000, 19000, 12000)],
    )
    def test_c01a_daniel_craig_both_nci_methods(self, method, nci_fair_value, nci, goodwill):
        fair_value = D(nci_fair_value) if nci_fair_value is not None else None

        result = compute_goodwill(
            consideration=D(78000),
            net_assets=D(85000),
            share=D("0.80"),
            nci_measurement=method,
            nci_fair_value=fair_value,
        )

        assert result.nci_at_acquisition == nci
        assert result.goodwill == goodwill
        assert result.bargain_purchase_gain == 0

    def test_c01b_p_co_s_co_goodwill_attributable_to_nci(self):
        result = compute_goodwill(
            consideration=D(10000),
            net_assets=D(8000),
            share=D("0.90"),
            nci_measurement="fair_value",
            nci_fair_value=D(1000),
        )

        assert result.goodwill == 3000
        assert result.goodwill_attributable_to_nci == 200
        assert result.goodwill_attributable_to_parent == 2800

    def test_c01c_silvio_carmela_net_assets_from_equity(self):
        net_assets = fair_value_net_assets(
            equity_at_acquisition={SHARE_CAPITAL: D(370000), RETAINED_EARNINGS: D(1480000)},
            fair_value_adjustments=(),
            deferred_tax_rate=D(0),
            accounts=ACCOUNTS,
        )

        partial = compute_goodwill(consideration=D(2220000), net_assets=net_assets, share=D("0.80"))
        full = compute_goodwill(
            consideration=D(2220000),
            net_assets=net_assets,
            share=D("0.80"),
            nci_measurement="fair_value",
            nci_fair_value=D(462500),
        )

        assert net_assets == 1850000
        assert partial.goodwill == 740000
        assert full.goodwill == 832500

    def test_c01d_ham_safe(self):
        partial = compute_goodwill(consideration=D(2500000), net_assets=D(2700000), share=D("0.85"))
        full = compute_goodwill(
            consideration=D(2500000),
            net_assets=D(2700000),
            share=D("0.85"),
            nci_measurement="fair_value",
            nci_fair_value=D(450000),
        )

        assert partial.nci_at_acquisition == 405000
        assert partial.goodwill == 205000
        assert full.goodwill == 250000


class TestComputeGoodwillRules:
    def test_bargain_purchase_is_a_gain_not_negative_goodwill(self):
        result = compute_goodwill(consideration=D(500), net_assets=D(730), share=D("0.8"))

        assert result.goodwill == 0
        assert result.bargain_purchase_gain == 84
        assert result.nci_at_acquisition == 146

    def test_indirect_holding_adjustment_uses_the_acquirers_interest(self):
        result = compute_goodwill(
            consideration=D(100), net_assets=D(100), share=D("0.7"), acquirer_interest=D("0.8")
        )

        assert result.nci_share == Decimal("0.44")
        assert result.group_consideration == 80
        assert result.indirect_holding_adjustment == 20
        assert result.goodwill == 24

    def test_step_acquisition_counts_the_previously_held_interest_at_fair_value(self):
        result = compute_goodwill(
            consideration=D(600), net_assets=D(1000), share=D("0.8"), previously_held_fair_value=D(250)
        )

        assert result.goodwill == 50

    def test_fair_value_method_without_fair_value_is_refused(self):
        with pytest.raises(ConsolidationInputError) as caught:
            compute_goodwill(
                consideration=D(1), net_assets=D(1), share=D("0.5"), nci_measurement="fair_value"
            )

        assert caught.value.violations[0].code == "nci-fair-value-missing"

    def test_share_outside_zero_to_one_is_refused(self):
        with pytest.raises(ConsolidationInputError) as caught:
            compute_goodwill(consideration=D(1), net_assets=D(1), share=D("1.2"))

        assert caught.value.violations[0].code == "share-out-of-range"


class TestFairValueNetAssets:
    def test_c21a_revaluation_net_of_deferred_tax(self):
        result = fair_value_net_assets(
            equity_at_acquisition={SHARE_CAPITAL: D(500), RETAINED_EARNINGS: D(300), REVENUE: D(60)},
            fair_value_adjustments=(FairValueAdjustment(PPE, D(500), 120),),
            deferred_tax_rate=D("0.4"),
            accounts=ACCOUNTS,
        )

        assert result == 1160

    def test_c21b_provision_lowers_net_assets_with_a_deferred_tax_asset(self):
        result = fair_value_net_assets(
            equity_at_acquisition={SHARE_CAPITAL: D(500), CAPITAL_RESERVE: D(280), REVENUE: D(20)},
            fair_value_adjustments=(FairValueAdjustment(PROVISIONS, D(100)),),
            deferred_tax_rate=D("0.3"),
            accounts=ACCOUNTS,
        )

        assert result == 730
