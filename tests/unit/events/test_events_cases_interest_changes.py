"""C-19a, C-19b, C-19c, C-19e (derived IFRS/CAS figures), C-20b, C-20c (derived_ifrs) by the pure rules."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from app.consolidation.domain import compute_goodwill
from app.events.domain import (
    CapitalMovement,
    ConsolidationTerms,
    EventPlan,
    GroupFacts,
    nci_at_date,
    plan_capital_change,
    plan_share_transfer,
)
from tests.unit.events.events_helpers import fig, group, hold, lines_of

ON = date(2010, 10, 1)


def whole(value: Decimal) -> Decimal:
    """A figure as published in $000 (no decimals)."""
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def transfer(
    facts: GroupFacts,
    *,
    investee: str,
    seller: str | None,
    buyer: str | None,
    share: str,
    consideration: str,
    terms: ConsolidationTerms,
) -> EventPlan:
    return plan_share_transfer(
        kind="share_transfer",
        investee=investee,
        seller=seller,
        buyer=buyer,
        on=ON,
        share_amount=Decimal(share),
        capital_amount=None,
        consideration=Decimal(consideration),
        registered_capital=None,
        facts=facts,
        terms=terms,
    )


class TestC19aPurchaseOfNciUnderIfrs:
    """RBE raises its DCA holding from 70% to 90% for 540 on 1 October 2010, $000."""

    def test_nci_at_the_transaction_date(self) -> None:
        share_of_tci = Fraction(30, 100) * 600 * Fraction(9, 12)

        nci = nci_at_date(
            opening=Fraction(650), share_of_comprehensive_income=share_of_tci, dividends=Fraction(30)
        )

        assert nci == 755
        assert share_of_tci + Fraction(10, 100) * 600 * Fraction(3, 12) == 150

    def test_transfer_to_parent_equity(self) -> None:
        facts = group(
            parent="RBE",
            holdings=[hold("RBE", "DCA", "0.7")],
            companies=["RBE", "DCA"],
            balances={"RBE": {"151101": "2000"}},
        )

        plan = transfer(
            facts,
            investee="DCA",
            seller=None,
            buyer="RBE",
            share="0.2",
            consideration="540",
            terms=ConsolidationTerms(
                standard="ifrs", net_assets=Fraction(3000), nci_carrying_amount=Fraction(755)
            ),
        )

        assert plan.ok, plan.violations
        assert plan.classification == "equity_transaction"
        assert whole(-fig(plan, "nci_change")) == 503
        assert whole(fig(plan, "adjustment_to_parent_equity")) == -37
        closing_nci = fig(plan, "nci_after") + Decimal("0.1") * 600 * Decimal(3) / 12
        assert whole(closing_nci) == 267
        closing_parent = 3350 + 1350 + 2600 - 200 + fig(plan, "adjustment_to_parent_equity")
        assert whole(closing_parent) == 7063
        assert whole(closing_parent + closing_nci) == 7330
        assert lines_of(plan, "RBE") == {"151101": Decimal("540.0000"), "1002": Decimal("-540.0000")}


class TestC19bForumAnswers:
    def test_sale_80_to_60_proportionate(self) -> None:
        facts = group(
            parent="JL",
            holdings=[hold("JL", "DP", "0.8")],
            companies=["JL", "DP"],
            balances={"JL": {"151101": "12000"}},
        )

        plan = transfer(
            facts,
            investee="DP",
            seller="JL",
            buyer=None,
            share="0.2",
            consideration="4400",
            terms=ConsolidationTerms(standard="ifrs", net_assets=Fraction(18900)),
        )

        assert plan.ok, plan.violations
        assert fig(plan, "nci_change") == Decimal("3780.0000")
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("620.0000")
        assert fig(plan, "profit_or_loss") == 0

    def test_purchase_60_to_80_on_nci_carrying_amount(self) -> None:
        facts = group(
            parent="Blt",
            holdings=[hold("Blt", "S", "0.6")],
            companies=["Blt", "S"],
            balances={"Blt": {"151101": "1"}},
        )
        nci = Fraction(127000) + Fraction(30000) * Fraction(6, 12) * Fraction(40, 100)

        plan = transfer(
            facts,
            investee="S",
            seller=None,
            buyer="Blt",
            share="0.2",
            consideration="135000",
            terms=ConsolidationTerms(standard="ifrs", net_assets=Fraction(0), nci_carrying_amount=nci),
        )

        assert fig(plan, "nci_change") == Decimal("-66500.0000")
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("-68500.0000")


class TestC19cCasPurchaseOfNci:
    """5% more for 15 when the net assets continuously measured from acquisition are 220; 万元."""

    def test_capital_reserve_and_consolidated_entry(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "S", "0.6")],
            companies=["P", "S"],
            balances={"P": {"151101": "100"}},
            reserves={"P": ("10", "50")},
        )

        plan = transfer(
            facts,
            investee="S",
            seller=None,
            buyer="P",
            share="0.05",
            consideration="15",
            terms=ConsolidationTerms(standard="cas", net_assets=Fraction(220)),
        )

        assert plan.ok, plan.violations
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("-4.0000")
        assert fig(plan, "capital_reserve_change") == Decimal("-4.0000")
        assert fig(plan, "retained_earnings_change") == 0
        assert lines_of(plan, "P", layer="consolidated") == {
            "4301": Decimal("11.0000"),
            "4002": Decimal("4.0000"),
            "1002": Decimal("-15.0000"),
        }
        assert lines_of(plan, "P") == {"151101": Decimal("15.0000"), "1002": Decimal("-15.0000")}

    def test_capital_reserve_runs_out_then_surplus_reserve(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "S", "0.6")],
            companies=["P", "S"],
            balances={"P": {"151101": "100"}},
            reserves={"P": ("1", "2")},
        )

        plan = transfer(
            facts,
            investee="S",
            seller=None,
            buyer="P",
            share="0.05",
            consideration="15",
            terms=ConsolidationTerms(net_assets=Fraction(220)),
        )

        assert fig(plan, "capital_reserve_change") == Decimal("-1.0000")
        assert fig(plan, "surplus_reserve_change") == Decimal("-2.0000")
        assert fig(plan, "retained_earnings_change") == Decimal("-1.0000")


class TestC19eCapitalIncreasesAndPercentageChanges:
    """Allen White Part 3 2.2: P holds 80% of A, A 60% of B (B's net assets 1,950 at the start of year 2).
    Under IFRS 10 / CAS 33 the local-GAAP 'badwill' and 'goodwill' are equity: +36 and -248 for the group,
    +45 and -310 in A's own consolidated statements (at 100%)."""

    def facts(self) -> GroupFacts:
        return group(
            parent="P",
            holdings=[
                hold("P", "A", "0.8"),
                hold("A", "B", "0.6", capital="900"),
                hold("O", "B", "0.4", capital="600"),
            ],
            companies=["P", "A", "B"],
            externals=("O",),
            balances={"A": {"151101": "600"}},
        )

    def test_s2_pro_rata_increase_changes_nothing(self) -> None:
        plan = plan_capital_change(
            kind="capital_increase",
            investee="B",
            on=ON,
            movements=[
                CapitalMovement("A", Decimal(300), Decimal(300)),
                CapitalMovement("O", Decimal(200), Decimal(200)),
            ],
            registered_capital=None,
            facts=self.facts(),
            terms=ConsolidationTerms(net_assets=Fraction(1950)),
        )

        assert plan.ok, plan.violations
        assert plan.classification == "unchanged"
        assert lines_of(plan, "A") == {"151101": Decimal("300.0000"), "1002": Decimal("-300.0000")}

    def test_s3_a_takes_the_whole_increase(self) -> None:
        plan = plan_capital_change(
            kind="capital_increase",
            investee="B",
            on=ON,
            movements=[CapitalMovement("A", Decimal(500), Decimal(500))],
            registered_capital=None,
            facts=self.facts(),
            terms=ConsolidationTerms(net_assets=Fraction(1950)),
        )

        assert plan.ok, plan.violations
        assert plan.classification == "equity_transaction"
        assert fig(plan, "interest_after") == Decimal("0.56")
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("36.0000")
        assert fig(plan, "holder_capital_reserve_adjustment") == Decimal("45.0000")
        assert fig(plan, "profit_or_loss") == 0
        assert lines_of(plan, "B") == {"1002": Decimal("500.0000"), "4001": Decimal("-500.0000")}
        after = {h.holder: h.share for h in plan.holdings_after}
        assert after == {"A": Decimal("0.7"), "O": Decimal("0.3")}

    def test_s4_a_buys_20_percent_for_700(self) -> None:
        plan = plan_share_transfer(
            kind="share_transfer",
            investee="B",
            seller="O",
            buyer="A",
            on=ON,
            share_amount=Decimal("0.2"),
            capital_amount=None,
            consideration=Decimal(700),
            registered_capital=None,
            facts=self.facts(),
            terms=ConsolidationTerms(net_assets=Fraction(1950)),
        )

        assert plan.ok, plan.violations
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("-248.0000")
        assert fig(plan, "holder_capital_reserve_adjustment") == Decimal("-310.0000")


class TestC20bLossOfControl:
    """Kutchen sells its whole 80% of Niche for 50; goodwill 4.8 less impairment 2; $m."""

    def test_group_gain(self) -> None:
        goodwill = compute_goodwill(consideration=Decimal(40), net_assets=Decimal(44), share=Decimal("0.8"))
        facts = group(
            parent="K",
            holdings=[hold("K", "N", "0.8")],
            companies=["K", "N"],
            balances={"K": {"151101": "40"}},
        )

        plan = transfer(
            facts,
            investee="N",
            seller="K",
            buyer=None,
            share="0.8",
            consideration="50",
            terms=ConsolidationTerms(
                standard="ifrs", net_assets=Fraction(60), goodwill=Fraction(goodwill.goodwill) - 2
            ),
        )

        assert goodwill.goodwill == Decimal("4.8")
        assert plan.ok, plan.violations
        assert plan.classification == "loss_of_control"
        assert fig(plan, "goodwill_derecognised") == Decimal("2.8000")
        assert fig(plan, "nci_derecognised") == Decimal("12.0000")
        assert fig(plan, "gain_on_loss_of_control") == Decimal("-0.8000")
        assert lines_of(plan, "K") == {
            "151101": Decimal("-40.0000"),
            "1002": Decimal("50.0000"),
            "6111": Decimal("-10.0000"),
        }
        assert dict(plan.treatment)["pnl_to"] == "disposal_date"

    def test_retained_interest_needs_its_fair_value(self) -> None:
        facts = group(
            parent="K",
            holdings=[hold("K", "N", "0.8")],
            companies=["K", "N"],
            balances={"K": {"151101": "40"}},
        )

        plan = transfer(
            facts,
            investee="N",
            seller="K",
            buyer=None,
            share="0.5",
            consideration="30",
            terms=ConsolidationTerms(net_assets=Fraction(60)),
        )

        assert [v.type for v in plan.violations] == ["retained_fair_value_missing"]


class TestC20cSaleWithoutLossOfControl:
    """Allen White 8.14: P sells 20% of A (80% -> 60%) for 500; A's net assets 1,850. IFRS figures."""

    def test_derived_ifrs(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "A", "0.8")],
            companies=["P", "A"],
            balances={"P": {"151101": "1200"}},
        )

        plan = transfer(
            facts,
            investee="A",
            seller="P",
            buyer=None,
            share="0.2",
            consideration="500",
            terms=ConsolidationTerms(standard="ifrs", net_assets=Fraction(1850), goodwill=Fraction(400)),
        )

        assert plan.ok, plan.violations
        assert fig(plan, "profit_or_loss") == 0
        assert fig(plan, "nci_change") == Decimal("370.0000")
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("130.0000")
        assert fig(plan, "goodwill_change") == 0
        assert fig(plan, "gain_in_books:P") == Decimal("200.0000")


class TestStepAcquisition:
    """P holds 30% of X (an associate carried at 300) and buys 40% more for 500: control is gained; the 30%
    is remeasured to its fair value of 400 (gain 100) and enters goodwill: 500 + 400 + 30% x 1,000 - 1,000."""

    def test_remeasured_interest_enters_goodwill(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "X", "0.3"), hold("O", "X", "0.7")],
            companies=["P", "X"],
            externals=("O",),
            balances={"P": {"151102": "300"}},
        )

        plan = plan_share_transfer(
            kind="share_transfer",
            investee="X",
            seller="O",
            buyer="P",
            on=ON,
            share_amount=Decimal("0.4"),
            capital_amount=None,
            consideration=Decimal(500),
            registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(net_assets=Fraction(1000), previously_held_fair_value=Fraction(400)),
        )

        assert plan.ok, plan.violations
        assert plan.classification == "gain_of_control"
        assert fig(plan, "remeasurement_gain") == Decimal("100.0000")
        assert fig(plan, "goodwill") == Decimal("200.0000")
        assert fig(plan, "nci_at_acquisition") == Decimal("300.0000")
        assert lines_of(plan, "P", layer="consolidated") == {
            "151101": Decimal("100.0000"),
            "6111": Decimal("-100.0000"),
        }
        assert lines_of(plan, "P") == {
            "151101": Decimal("800.0000"),
            "151102": Decimal("-300.0000"),
            "1002": Decimal("-500.0000"),
        }
        assert dict(plan.treatment)["pnl_from"] == "acquisition_date"

    def test_fair_value_of_the_earlier_interest_is_required(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "X", "0.3"), hold("O", "X", "0.7")],
            companies=["P", "X"],
            externals=("O",),
            balances={"P": {"151102": "300"}},
        )

        plan = plan_share_transfer(
            kind="share_transfer",
            investee="X",
            seller="O",
            buyer="P",
            on=ON,
            share_amount=Decimal("0.4"),
            capital_amount=None,
            consideration=Decimal(500),
            registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(net_assets=Fraction(1000)),
        )

        assert [v.type for v in plan.violations] == ["previously_held_fair_value_missing"]


class TestDilutionByOthers:
    """Outsider O subscribes 500 of new capital for 600 in S (P 800 of 1,000): P is diluted from 80% to
    53.33%, net assets 1,000 -> 1,600: Δ capital reserve = 0.5333 x 1,600 - 0.8 x 1,000 = +53.33 (§4.2)."""

    def test_deemed_disposal_is_an_equity_transaction(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "S", "0.8", capital="800"), hold("O", "S", "0.2", capital="200")],
            companies=["P", "S"],
            externals=("O",),
        )

        plan = plan_capital_change(
            kind="capital_increase",
            investee="S",
            on=ON,
            movements=[CapitalMovement("O", Decimal(500), Decimal(600))],
            registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(net_assets=Fraction(1000)),
        )

        assert plan.ok, plan.violations
        assert plan.classification == "equity_transaction"
        assert fig(plan, "adjustment_to_parent_equity") == Decimal("53.3333")
        assert fig(plan, "nci_change") == Decimal("546.6667")
        assert lines_of(plan, "S") == {
            "1002": Decimal("600.0000"),
            "4001": Decimal("-500.0000"),
            "4002": Decimal("-100.0000"),
        }


class TestLossOfControlWithRetainedAssociate:
    """P sells 50% of S (80% -> 30%, an associate) for 150: net assets 200, goodwill 20, NCI 40, retained
    30% at fair value 90, translation reserve 10 (P's part 8 recycled): gain 150 + 90 + 40 - 220 + 8 = 68."""

    def test_gain_and_reclassified_investment(self) -> None:
        facts = group(
            parent="P",
            holdings=[hold("P", "S", "0.8"), hold("O", "S", "0.2")],
            companies=["P", "S"],
            externals=("O",),
            balances={"P": {"151101": "160"}},
        )

        plan = plan_share_transfer(
            kind="disposal",
            investee="S",
            seller="P",
            buyer=None,
            on=ON,
            share_amount=Decimal("0.5"),
            capital_amount=None,
            consideration=Decimal(150),
            registered_capital=None,
            facts=facts,
            terms=ConsolidationTerms(
                net_assets=Fraction(200),
                goodwill=Fraction(20),
                retained_interest_fair_value=Fraction(90),
                cta=Fraction(10),
            ),
        )

        assert plan.ok, plan.violations
        assert plan.classification == "loss_of_control"
        assert fig(plan, "cta_recycled") == Decimal("8.0000")
        assert fig(plan, "gain_on_loss_of_control") == Decimal("68.0000")
        assert lines_of(plan, "P") == {
            "151101": Decimal("-160.0000"),
            "151102": Decimal("60.0000"),
            "1002": Decimal("150.0000"),
            "6111": Decimal("-50.0000"),
        }
        assert plan.methods[0].method_after == "associate"
