"""C-16b, C-16c, C-16d (cases.yaml) end to end through the HTTP API: combinations under common control.

Each case builds the parties, their stakes and their books with POSTs, commits the combination through
POST /api/v1/common-control-combinations and checks the published figures in the answer, the acquirer's
books (trial balance) and the holdings afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from tests.api.events.events_api_helpers import Group, call, figures

PATH = "/api/v1/common-control-combinations"


class TestC16bFixedAssetConsideration:
    """A acquires 70% of B from their parent M, paying with a fixed asset (cost 1,500, depreciation 300,
    impairment 150, fair value 1,200); B is carried at 1,300 in M's consolidated statements; fees 20. 万元."""

    def test_published_answer(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = Group(client, as_admin)
        g.entities("M", "A", "B")
        g.stake("M", "A", "1")
        g.stake("M", "B", "1")
        g.post(
            "A",
            "2019-01-02",
            ("1002", 2000, 0),
            ("1601", 1500, 0),
            ("1602", 0, 300),
            ("1603", 0, 150),
            ("4001", 0, 2550),
            ("4002", 0, 500),
        )
        g.post("B", "2019-01-02", ("1002", 1300, 0), ("4001", 0, 1000), ("4104", 0, 300))
        g.post("M", "2019-01-02", ("151101", 1000, 0, "B"), ("151101", 2550, 0, "A"), ("4001", 0, 3550))
        body = {
            "acquirer_id": g["A"],
            "acquiree_id": g["B"],
            "seller_id": g["M"],
            "combined_on": "2019-05-01",
            "share": "0.7",
            "consideration": {
                "fixed_assets": [
                    {
                        "cost": "1500",
                        "accumulated_depreciation": "300",
                        "impairment": "150",
                        "fair_value": "1200",
                    }
                ]
            },
            "net_assets_in_controller_statements": "1300",
            "direct_costs": "20",
        }

        answer = call(client, as_admin, PATH, body, status=201)

        found = figures(answer)
        assert found["fixed_asset_clearing_book_value"] == Decimal("1050")
        assert found["initial_investment_cost"] == Decimal("910")
        assert found["capital_reserve_adjustment"] == Decimal("-140")
        assert found["admin_expense"] == Decimal("20")
        assert answer["treatment"]["combination"] == "under_common_control"
        books = g.balances("A", "2019-05-31")
        assert books == {
            ("1002", None): Decimal("1980"),
            ("151101", "B"): Decimal("910"),
            ("4001", None): Decimal("-2550"),
            ("4002", None): Decimal("-360"),
            ("6602", None): Decimal("20"),
        }
        stakes = g.stakes("2019-05-01")
        assert stakes[("A", "B")]["share"] == "0.7"
        assert stakes[("M", "B")]["share"] == "0.3"


class TestC16cSharesIssued:
    """甲 issues 2亿 shares (par 1元) to its parent 乙 for 100% of B; B is 7亿 in its own books, 8亿 at fair
    value and 7.2亿 in 乙's consolidated statements: the investment is 7.2亿, the premium 5.2亿."""

    def test_measurement_basis(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = Group(client, as_admin)
        g.entities("YI", "JIA", "B")
        g.stake("YI", "JIA", "0.6", capital="600000000")
        g.stake("YI", "B", "1")
        g.post("B", "2018-01-02", ("1002", 700000000, 0), ("4001", 0, 700000000))
        g.post("JIA", "2018-01-02", ("1002", 1000000000, 0), ("4001", 0, 1000000000))
        g.post(
            "YI",
            "2018-01-02",
            ("151101", 700000000, 0, "B"),
            ("151101", 600000000, 0, "JIA"),
            ("4001", 0, 1300000000),
        )
        body = {
            "acquirer_id": g["JIA"],
            "acquiree_id": g["B"],
            "seller_id": g["YI"],
            "combined_on": "2018-05-10",
            "share": "1",
            "consideration": {"shares_par_value": "200000000"},
            "net_assets_in_controller_statements": "720000000",
        }

        answer = call(client, as_admin, PATH, body, status=201)

        assert figures(answer)["initial_investment_cost"] == Decimal("720000000")
        books = g.balances("JIA", "2018-05-31")
        assert books[("151101", "B")] == Decimal("720000000")
        assert books[("4001", None)] == Decimal("-1200000000")
        assert books[("4002", None)] == Decimal("-520000000")
        stakes = g.stakes("2018-05-10")
        assert stakes[("YI", "JIA")]["share"] == "0.666666666667"
        assert Decimal(stakes[("YI", "JIA")]["capital_subscribed"]) == Decimal("800000000")
        assert stakes[("JIA", "B")]["share"] == "1"
        assert ("YI", "B") not in stakes


class TestC16dReTransfer:
    """甲 bought 80% of 丙 from outside (4,200 for net assets at fair value of 5,000: goodwill 200); a year
    later (丙 earned 1,000) its subsidiary 乙 buys the 80% from 甲 for 4,800. 万元, DERIVED."""

    def test_initial_cost_and_capital_reserve(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = Group(client, as_admin)
        g.entities("JIA", "YI", "BING")
        g.entity("WAI", kind="external")
        g.stake("JIA", "YI", "1")
        g.stake("JIA", "BING", "0.8")
        g.stake("WAI", "BING", "0.2")
        g.post("JIA", "2017-01-01", ("151101", 4200, 0, "BING"), ("1002", 800, 0), ("4001", 0, 5000))
        g.post("YI", "2017-01-01", ("1002", 6000, 0), ("4001", 0, 5100), ("4002", 0, 100), ("4101", 0, 800))
        g.post("BING", "2017-01-01", ("1002", 6000, 0), ("4001", 0, 5000), ("4104", 0, 1000))
        body = {
            "acquirer_id": g["YI"],
            "acquiree_id": g["BING"],
            "seller_id": g["JIA"],
            "combined_on": "2018-01-01",
            "share": "0.8",
            "consideration": {"cash": "4800"},
            "net_assets_in_controller_statements": "6000",
            "goodwill_in_controller_statements": "200",
        }

        answer = call(client, as_admin, PATH, body, status=201)

        found = figures(answer)
        assert found["initial_investment_cost"] == Decimal("5000")
        assert found["capital_reserve_adjustment"] == Decimal("200")
        assert g.balances("YI", "2018-01-31")[("4002", None)] == Decimal("-300")
        assert g.balances("YI", "2018-01-31")[("151101", "BING")] == Decimal("5000")
        assert g.balances("JIA", "2018-01-31")[("6111", None)] == Decimal("-600")
        assert g.stakes("2018-01-01")[("YI", "BING")]["share"] == "0.8"
