"""C-16b, C-16c, C-16d (cases.yaml): combinations under common control, CAS 20, planned by the pure rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain import compute_goodwill
from app.events.domain import (
    Consideration,
    ConsolidationTerms,
    EventPlan,
    NonCashAsset,
    plan_common_control_combination,
)
from tests.unit.events.events_helpers import fig, group, hold, lines_of


class TestC16bFixedAssetAsConsideration:
    """A acquires 70% of B from their parent M, paying with a fixed asset; 万元."""

    def plan(self) -> EventPlan:
        facts = group(
            parent="M",
            holdings=[hold("M", "A", "1"), hold("M", "B", "1")],
            companies=["M", "A", "B"],
            balances={"M": {"151101": "1000"}},
            reserves={"A": ("500", "0")},
        )
        asset = NonCashAsset(
            cost=Fraction(1500),
            accumulated_depreciation=Fraction(300),
            impairment=Fraction(150),
            fair_value=Fraction(1200),
        )
        return plan_common_control_combination(
            acquirer="A",
            acquiree="B",
            seller="M",
            on=date(2019, 5, 1),
            share_amount=Decimal("0.7"),
            capital_amount=None,
            consideration=Consideration(assets=(asset,)),
            registered_capital=None,
            acquirer_registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(
                net_assets=Fraction(1300),
                net_assets_in_controller_statements=Fraction(1300),
                direct_costs=Fraction(20),
            ),
        )

    def test_published_figures(self) -> None:
        plan = self.plan()

        assert plan.ok, plan.violations
        assert fig(plan, "fixed_asset_clearing_book_value") == Decimal("1050.0000")
        assert fig(plan, "initial_investment_cost") == Decimal("910.0000")
        assert fig(plan, "capital_reserve_adjustment") == Decimal("-140.0000")
        assert fig(plan, "admin_expense") == Decimal("20.0000")

    def test_acquirer_books(self) -> None:
        plan = self.plan()

        books = lines_of(plan, "A")

        assert books == {
            "151101": Decimal("910.0000"),
            "1601": Decimal("-1500.0000"),
            "1602": Decimal("300.0000"),
            "1603": Decimal("150.0000"),
            "4002": Decimal("140.0000"),
            "6602": Decimal("20.0000"),
            "1002": Decimal("-20.0000"),
        }
        assert all(e.balanced for e in plan.entries)

    def test_treatment_is_common_control(self) -> None:
        plan = self.plan()

        treatment = dict(plan.treatment)

        assert treatment["combination"] == "under_common_control"
        assert treatment["pnl_from"] == "period_start"
        assert treatment["restate_opening_balance_sheet"] == "true"


class TestC16cSharesIssuedToTheParent:
    """甲 issues 2亿 shares (par 1元) to its parent 乙 for 100% of B, carried at 7.2亿 by 乙."""

    def test_investment_and_share_premium(self) -> None:
        facts = group(
            parent="乙",
            holdings=[hold("乙", "甲", "0.6", capital="600000000"), hold("乙", "B", "1")],
            companies=["乙", "甲", "B"],
            balances={"乙": {"151101": "700000000"}},
        )

        plan = plan_common_control_combination(
            acquirer="甲",
            acquiree="B",
            seller="乙",
            on=date(2018, 5, 10),
            share_amount=Decimal(1),
            capital_amount=None,
            consideration=Consideration(shares_par_value=Fraction(200000000)),
            registered_capital=None,
            acquirer_registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(
                net_assets=Fraction(700000000), net_assets_in_controller_statements=Fraction(720000000)
            ),
        )

        assert plan.ok, plan.violations
        assert fig(plan, "initial_investment_cost") == Decimal("720000000.0000")
        assert lines_of(plan, "甲") == {
            "151101": Decimal("720000000.0000"),
            "4001": Decimal("-200000000.0000"),
            "4002": Decimal("-520000000.0000"),
        }
        after = {(h.holder, h.investee): h for h in plan.holdings_after}
        assert after[("乙", "甲")].share == Decimal("0.666666666667")
        assert after[("乙", "甲")].capital == Decimal("800000000.0000")
        assert after[("甲", "B")].share == Decimal("1")
        seller_lines = {
            (ln.account_code, ln.counterparty_entity_id, ln.net)
            for e in plan.entries_of("乙")
            for ln in e.lines
        }
        assert seller_lines == {
            ("151101", "B", Decimal("-700000000.0000")),
            ("151101", "甲", Decimal("700000000.0000")),
        }


class TestC16dReTransferInsideTheGroup:
    """甲 bought 丙 (80%) from outside for 4,200; a year later its subsidiary 乙 buys it from 甲 for 4,800."""

    def test_goodwill_carried_by_the_controller(self) -> None:
        result = compute_goodwill(consideration=Decimal(4200), net_assets=Decimal(5000), share=Decimal("0.8"))

        assert result.goodwill == Decimal(200)

    def test_initial_cost_and_capital_reserve(self) -> None:
        facts = group(
            parent="甲",
            holdings=[hold("甲", "乙", "1"), hold("甲", "丙", "0.8")],
            companies=["甲", "乙", "丙"],
            balances={"甲": {"151101": "4200"}},
            reserves={"乙": ("100", "800")},
        )

        plan = plan_common_control_combination(
            acquirer="乙",
            acquiree="丙",
            seller="甲",
            on=date(2018, 1, 1),
            share_amount=Decimal("0.8"),
            capital_amount=None,
            consideration=Consideration(cash=Fraction(4800)),
            registered_capital=None,
            acquirer_registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(
                net_assets=Fraction(6000),
                net_assets_in_controller_statements=Fraction(5000 + 1000),
                goodwill_in_controller_statements=Fraction(200),
            ),
        )

        assert plan.ok, plan.violations
        assert fig(plan, "initial_investment_cost") == Decimal("5000.0000")
        assert fig(plan, "capital_reserve_adjustment") == Decimal("200.0000")
        assert lines_of(plan, "乙") == {
            "151101": Decimal("5000.0000"),
            "1002": Decimal("-4800.0000"),
            "4002": Decimal("-200.0000"),
        }
        assert lines_of(plan, "甲") == {
            "151101": Decimal("-4200.0000"),
            "1002": Decimal("4800.0000"),
            "6111": Decimal("-600.0000"),
        }
        assert plan.classification == "unchanged"


class TestReserveCascadeAndRestoration:
    """C-16b's -140 with less capital reserve; the consolidated restoration of retained earnings (C-16e)."""

    def plan(self, capital_reserve: str, surplus: str) -> EventPlan:
        facts = group(
            parent="M",
            holdings=[hold("M", "A", "1"), hold("M", "B", "1")],
            companies=["M", "A", "B"],
            balances={"M": {"151101": "1000"}},
            reserves={"A": (capital_reserve, surplus)},
        )
        return plan_common_control_combination(
            acquirer="A",
            acquiree="B",
            seller="M",
            on=date(2019, 5, 1),
            share_amount=Decimal("0.7"),
            capital_amount=None,
            consideration=Consideration(cash=Fraction(1050)),
            registered_capital=None,
            acquirer_registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(
                net_assets=Fraction(1300),
                net_assets_in_controller_statements=Fraction(1300),
                investee_surplus_reserve=Fraction(100),
                investee_retained_earnings=Fraction(200),
            ),
        )

    def test_capital_reserve_then_surplus_then_retained_earnings(self) -> None:
        plan = self.plan("100", "30")

        assert fig(plan, "acquirer_capital_reserve_change") == Decimal("-100.0000")
        assert fig(plan, "acquirer_surplus_reserve_change") == Decimal("-30.0000")
        assert fig(plan, "acquirer_retained_earnings_change") == Decimal("-10.0000")
        assert fig(plan, "retained_earnings_restored") == 0

    def test_restoration_within_the_capital_reserve_left(self) -> None:
        plan = self.plan("500", "0")

        assert fig(plan, "surplus_reserve_restored") == Decimal("70.0000")
        assert fig(plan, "retained_earnings_restored") == Decimal("140.0000")
        assert lines_of(plan, "A", layer="consolidated") == {
            "4002": Decimal("210.0000"),
            "4101": Decimal("-70.0000"),
            "4104": Decimal("-140.0000"),
        }

    def test_restoration_capped_by_the_capital_reserve(self) -> None:
        plan = self.plan("150", "0")

        assert fig(plan, "surplus_reserve_restored") == Decimal("10.0000")
        assert fig(plan, "retained_earnings_restored") == 0
