"""Multi-level groups: C-13a (Allen White stage vs direct) and C-13c (vertical group P&L, Millan).

The scope comes from the ownership engine, so the interest shares (0.8 / 0.56, 0.8 / 0.48) are computed.
"""

from datetime import date
from decimal import Decimal

from app.consolidation.domain import Acquisition, Impairment, consolidate, scope_from_ownership
from app.ownership.domain import Holding, compute_ownership
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    ADMIN_EXPENSE,
    CASH,
    IMPAIRMENT_LOSS,
    INVESTMENT_IN_SUBSIDIARIES,
    PAYABLE,
    RETAINED_EARNINGS,
    REVENUE,
    SHARE_CAPITAL,
    D,
    books,
    tenth,
)


def _scope(parent: str, holdings: dict[tuple[str, str], str]):
    ownership = compute_ownership(
        parent=parent, holdings=[Holding(h, i, D(s), D(s)) for (h, i), s in holdings.items()]
    )
    return scope_from_ownership(ownership=ownership)


class TestC13a:
    """P 80% A, A 70% B. Allen White's local method keeps no goodwill: the investment-vs-equity difference
    sits in consolidated reserves. Under IFRS that is the case where goodwill is nil, i.e. where the
    equity at acquisition equals cost / share: A 160 / 0.8 = 200 (its capital), B 100 / 0.7 = 142.857...
    (capital 100 and 42.857 of its reserves). The published figures are then reproduced exactly."""

    p = books(
        "P",
        {
            (INVESTMENT_IN_SUBSIDIARIES, "A"): 160,
            CASH: 640,
            SHARE_CAPITAL: 500,
            RETAINED_EARNINGS: 150,
            REVENUE: 30,
            PAYABLE: 120,
        },
    )
    a = books(
        "A",
        {
            (INVESTMENT_IN_SUBSIDIARIES, "B"): 100,
            CASH: 400,
            SHARE_CAPITAL: 200,
            RETAINED_EARNINGS: 150,
            REVENUE: 30,
            PAYABLE: 120,
        },
    )
    b = books("B", {CASH: 360, SHARE_CAPITAL: 100, RETAINED_EARNINGS: 50, REVENUE: 10, PAYABLE: 200})
    a_buys_b = Acquisition(
        id="AB",
        acquirer="A",
        acquiree="B",
        acquired_on=date(2019, 1, 1),
        share=D("0.7"),
        consideration=D(100),
        equity_at_acquisition={SHARE_CAPITAL: D(100), RETAINED_EARNINGS: D(100) / D("0.7") - 100},
    )
    p_buys_a = Acquisition(
        id="PA",
        acquirer="P",
        acquiree="A",
        acquired_on=date(2019, 1, 1),
        share=D("0.8"),
        consideration=D(160),
        equity_at_acquisition={SHARE_CAPITAL: D(200)},
    )

    def test_stage_1_a_consolidates_b(self):
        result = consolidate(
            parent="A",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[self.a, self.b],
            scope=_scope("A", {("A", "B"): "0.7"}),
            acquisitions=[self.a_buys_b],
        )

        working = result.subsidiaries[0]
        assert tenth(working.parent_share_of_post_acquisition) == 12
        assert tenth(result.figures.non_controlling_interest) == 48
        assert result.figures.total_assets == 760

    def test_stage_2_and_direct_consolidation_of_p(self):
        scope = _scope("P", {("P", "A"): "0.8", ("A", "B"): "0.7"})

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[self.p, self.a, self.b],
            scope=scope,
            acquisitions=[self.p_buys_a, self.a_buys_b],
        )

        by_entity = {w.entity: w for w in result.subsidiaries}
        f = result.figures
        assert {s.entity: s.interest_share for s in scope} == {
            "P": 1,
            "A": Decimal("0.8"),
            "B": Decimal("0.56"),
        }
        assert tenth(by_entity["A"].parent_share_of_post_acquisition) == 144
        assert tenth(by_entity["B"].parent_share_of_post_acquisition) == Decimal("9.6")
        assert tenth(by_entity["A"].non_controlling_interest) == 56
        assert tenth(by_entity["B"].non_controlling_interest) == Decimal("70.4")
        assert tenth(f.non_controlling_interest) == Decimal("126.4")
        assert tenth(f.equity_attributable_to_parent - result.line(SHARE_CAPITAL) - 150 - 30) == Decimal(
            "153.6"
        )
        assert result.line(SHARE_CAPITAL) == 500
        assert result.profit_by_entity["P"] == 30
        assert f.total_liabilities == 440
        assert f.total_assets == 1400
        assert tenth(f.goodwill) == 0


class TestC13c:
    """Filler: acquisitions a year before (capital 200,000 for S1 bought at 180,000 with NCI at fair value
    45,000; capital 100,000 for S2 bought by S1 at 80,000 with NCI 60,000), giving goodwill of 25,000 and
    24,000 to carry the impairments the case implies (12,000 and 16,000, fair-value NCI)."""

    def test_vertical_group_profit_and_its_split(self):
        p = books(
            "P",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S1"): 180000,
                CASH: 640000,
                SHARE_CAPITAL: 500000,
                REVENUE: 720000,
                ADMIN_EXPENSE: 400000,
            },
        )
        s1 = books(
            "S1",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S2"): 80000,
                CASH: 208000,
                SHARE_CAPITAL: 200000,
                REVENUE: 408000,
                ADMIN_EXPENSE: 320000,
            },
        )
        s2 = books("S2", {CASH: 172000, SHARE_CAPITAL: 100000, REVENUE: 192000, ADMIN_EXPENSE: 120000})
        acquisitions = [
            Acquisition(
                id="S1",
                acquirer="P",
                acquiree="S1",
                acquired_on=date(2019, 1, 1),
                share=D("0.8"),
                consideration=D(180000),
                equity_at_acquisition={SHARE_CAPITAL: D(200000)},
                nci_measurement="fair_value",
                nci_fair_value=D(45000),
                goodwill_impairments=(Impairment(date(2020, 12, 31), D(12000)),),
            ),
            Acquisition(
                id="S2",
                acquirer="S1",
                acquiree="S2",
                acquired_on=date(2019, 1, 1),
                share=D("0.6"),
                consideration=D(80000),
                equity_at_acquisition={SHARE_CAPITAL: D(100000)},
                nci_measurement="fair_value",
                nci_fair_value=D(60000),
                goodwill_impairments=(Impairment(date(2020, 12, 31), D(16000)),),
            ),
        ]
        scope = _scope("P", {("P", "S1"): "0.8", ("S1", "S2"): "0.6"})

        result = consolidate(
            parent="P",
            as_of=date(2020, 12, 31),
            period_start=date(2020, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[p, s1, s2],
            scope=scope,
            acquisitions=acquisitions,
        )

        nci = {w.entity: w.nci_share for w in result.subsidiaries}
        profit_nci = {w.entity: w.profit_attributable_to_nci for w in result.subsidiaries}
        assert nci == {"S1": Decimal("0.2"), "S2": Decimal("0.52")}
        assert result.line(REVENUE) == 1320000
        assert result.line(ADMIN_EXPENSE) == 840000
        assert result.line(IMPAIRMENT_LOSS) == 28000
        assert result.figures.profit_for_period == 452000
        assert result.figures.profit_attributable_to_parent == 407680
        assert result.figures.profit_attributable_to_nci == 44320
        assert profit_nci == {"S1": 15200, "S2": 29120}
