"""Single-subsidiary statements of financial position: C-02, C-04, C-05a, C-05b, C-06, C-10b (cases.yaml).

Where a case gives only some balances, the rest of a company's books is a filler that balances them (named
in each test); no published figure depends on it.
"""

from datetime import date

from app.consolidation.domain import Acquisition, consolidate
from tests.unit.consolidation.consolidation_builders import (
    ACCOUNTS,
    CASH,
    GOODWILL,
    INVESTMENT_IN_SUBSIDIARIES,
    PAYABLE,
    PPE,
    RETAINED_EARNINGS,
    SHARE_CAPITAL,
    D,
    books,
    parent_entry,
    subsidiary,
)


def _run(*, parent_books, sub_books, acquisition, interest, as_of, period_start):
    return consolidate(
        parent="P",
        as_of=as_of,
        period_start=period_start,
        presentation_currency="CNY",
        accounts=ACCOUNTS,
        books=[parent_books, sub_books],
        scope=[parent_entry("P"), subsidiary("S", interest)],
        acquisitions=[acquisition],
    )


class TestSingleSubsidiaryCases:
    def test_c02_p_co_75_percent_of_s_co_fair_value_nci(self):
        parent_books = books(
            "P",
            {
                PPE: 50000,
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 60000,
                CASH: 45000,
                SHARE_CAPITAL: 80000,
                RETAINED_EARNINGS: 55000,
                PAYABLE: 20000,
            },
        )
        sub_books = books(
            "S", {PPE: 35000, CASH: 40000, SHARE_CAPITAL: 40000, RETAINED_EARNINGS: 15000, PAYABLE: 20000}
        )
        acquisition = Acquisition(
            id="A1",
            acquirer="P",
            acquiree="S",
            acquired_on=date(2001, 1, 1),
            share=D("0.75"),
            consideration=D(60000),
            equity_at_acquisition={SHARE_CAPITAL: D(40000), RETAINED_EARNINGS: D(5000)},
            nci_measurement="fair_value",
            nci_fair_value=D(15000),
        )

        result = _run(
            parent_books=parent_books,
            sub_books=sub_books,
            acquisition=acquisition,
            interest="0.75",
            as_of=date(2001, 12, 31),
            period_start=date(2001, 1, 1),
        )

        f = result.figures
        assert result.line(PPE) == 85000
        assert f.goodwill == 30000
        assert result.line(PPE) + result.line(GOODWILL) == 115000
        assert result.line(CASH) == 85000
        assert f.total_assets == 200000
        assert result.line(SHARE_CAPITAL) == 80000
        assert f.retained_earnings == 62500
        assert f.equity_attributable_to_parent == 142500
        assert f.non_controlling_interest == 17500
        assert f.total_equity == 160000
        assert f.total_liabilities == 40000
        assert result.consolidated

    def test_c04_p_acquires_80_percent_on_the_reporting_date(self):
        parent_books = books(
            "P",
            {
                PPE: 1650,
                CASH: 250,
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 1100,
                SHARE_CAPITAL: 1500,
                RETAINED_EARNINGS: 900,
                PAYABLE: 600,
            },
        )
        # Filler: the case gives S's net assets (900) only; they are held as share capital.
        sub_books = books("S", {PPE: 750, CASH: 650, PAYABLE: 500, SHARE_CAPITAL: 900})
        acquisition = Acquisition(
            id="A1",
            acquirer="P",
            acquiree="S",
            acquired_on=date(2001, 3, 31),
            share=D("0.8"),
            consideration=D(1100),
            equity_at_acquisition={SHARE_CAPITAL: D(900)},
        )

        result = _run(
            parent_books=parent_books,
            sub_books=sub_books,
            acquisition=acquisition,
            interest="0.8",
            as_of=date(2001, 3, 31),
            period_start=date(2000, 4, 1),
        )

        f = result.figures
        assert f.goodwill == 380
        assert result.line(PPE) == 2400
        assert result.line(CASH) == 900
        assert f.total_assets == 3680
        assert result.line(SHARE_CAPITAL) == 1500
        assert f.retained_earnings == 900
        assert f.non_controlling_interest == 180
        assert f.total_liabilities == 1100

    def test_c05a_lion(self):
        parent_books = books(
            "P",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 300,
                PPE: 500,
                CASH: 150,
                SHARE_CAPITAL: 650,
                RETAINED_EARNINGS: 160,
                PAYABLE: 140,
            },
        )
        sub_books = books(
            "S", {PPE: 400, CASH: 100, SHARE_CAPITAL: 100, RETAINED_EARNINGS: 200, PAYABLE: 200}
        )
        acquisition = Acquisition(
            id="A1",
            acquirer="P",
            acquiree="S",
            acquired_on=date(2000, 1, 1),
            share=D("0.75"),
            consideration=D(300),
            equity_at_acquisition={SHARE_CAPITAL: D(100), RETAINED_EARNINGS: D(60)},
            nci_measurement="fair_value",
            nci_fair_value=D(100),
        )

        result = _run(
            parent_books=parent_books,
            sub_books=sub_books,
            acquisition=acquisition,
            interest="0.75",
            as_of=date(2003, 12, 31),
            period_start=date(2003, 1, 1),
        )

        f, working = result.figures, result.subsidiaries[0]
        assert working.net_assets_at_acquisition == 160
        assert working.net_assets_at_reporting_date == 300
        assert working.post_acquisition == 140
        assert f.goodwill == 240
        assert f.non_controlling_interest == 135
        assert f.retained_earnings == 265
        assert result.line(PPE) == 900
        assert result.line(CASH) == 250
        assert f.total_assets == 1390
        assert f.total_equity == 1050
        assert f.total_liabilities == 340

    def test_c05b_tiger(self):
        # Filler: the parent's books are the investment and the cash that balance its capital; S's net assets
        # are capital 300 (its net assets at acquisition) and post-acquisition reserves 200.
        parent_books = books("P", {(INVESTMENT_IN_SUBSIDIARIES, "S"): 900, CASH: 100, SHARE_CAPITAL: 1000})
        sub_books = books("S", {CASH: 500, SHARE_CAPITAL: 300, RETAINED_EARNINGS: 200})
        acquisition = Acquisition(
            id="A1",
            acquirer="P",
            acquiree="S",
            acquired_on=date(2000, 1, 1),
            share=D("0.6"),
            consideration=D(900),
            equity_at_acquisition={SHARE_CAPITAL: D(300)},
            nci_measurement="fair_value",
            nci_fair_value=D(50),
        )

        result = _run(
            parent_books=parent_books,
            sub_books=sub_books,
            acquisition=acquisition,
            interest="0.6",
            as_of=date(2003, 12, 31),
            period_start=date(2003, 1, 1),
        )

        assert result.figures.goodwill == 650
        assert result.figures.non_controlling_interest == 130
        assert result.subsidiaries[0].parent_share_of_post_acquisition == 120

    def test_c06_peter_paul_nci_at_fair_value_three_years_on(self):
        # Filler: Peter's other net assets (cash 36,000) balance its retained earnings; no capital given.
        parent_books = books(
            "Peter", {(INVESTMENT_IN_SUBSIDIARIES, "Paul"): 120000, CASH: 36000, RETAINED_EARNINGS: 156000}
        )
        sub_books = books("Paul", {CASH: 196800, SHARE_CAPITAL: 120000, RETAINED_EARNINGS: 76800})
        acquisition = Acquisition(
            id="A1",
            acquirer="Peter",
            acquiree="Paul",
            acquired_on=date(2009, 1, 1),
            share=D("0.7"),
            consideration=D(120000),
            equity_at_acquisition={SHARE_CAPITAL: D(120000), RETAINED_EARNINGS: D(36000)},
            nci_measurement="fair_value",
            nci_fair_value=D(96000),
        )

        result = consolidate(
            parent="Peter",
            as_of=date(2011, 12, 31),
            period_start=date(2011, 1, 1),
            presentation_currency="CNY",
            accounts=ACCOUNTS,
            books=[parent_books, sub_books],
            scope=[parent_entry("Peter"), subsidiary("Paul", "0.7")],
            acquisitions=[acquisition],
        )

        assert result.figures.non_controlling_interest == 108240
        assert result.figures.goodwill == 60000
        assert result.figures.retained_earnings == 184560

    def test_c10b_wholly_owned_bought_during_the_year(self):
        # Filler: parent capital 1,000,000 and cash balancing its books; S holds its equity as cash.
        parent_books = books(
            "P",
            {
                (INVESTMENT_IN_SUBSIDIARIES, "S"): 1000000,
                CASH: 1153000,
                SHARE_CAPITAL: 1000000,
                RETAINED_EARNINGS: 1153000,
            },
        )
        sub_books = books("S", {CASH: 955000, SHARE_CAPITAL: 200000, RETAINED_EARNINGS: 755000})
        acquisition = Acquisition(
            id="A1",
            acquirer="P",
            acquiree="S",
            acquired_on=date(2019, 10, 1),
            share=D(1),
            consideration=D(1000000),
            equity_at_acquisition={SHARE_CAPITAL: D(200000), RETAINED_EARNINGS: D(510000)},
        )

        result = _run(
            parent_books=parent_books,
            sub_books=sub_books,
            acquisition=acquisition,
            interest="1",
            as_of=date(2020, 6, 30),
            period_start=date(2019, 7, 1),
        )

        assert result.figures.goodwill == 290000
        assert result.figures.retained_earnings == 1398000
        assert result.figures.non_controlling_interest == 0
