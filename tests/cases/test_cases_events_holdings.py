"""C-19a, C-19b, C-19c, C-19e (IFRS/CAS figures), C-20b, C-20c (derived_ifrs) end to end through the API.

Each case builds the companies, stakes and books with POSTs, commits the change of holding through
/api/v1/share-transfers, /disposals or /capital-increases, and checks the answer's figures (classified by
control before and after), the parties' books and the holdings afterwards. Figures published in $000 are
compared rounded to units (ROUND_HALF_UP).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from fastapi.testclient import TestClient

from tests.api.events.events_api_helpers import Group, books_of, call, figures

TRANSFERS = "/api/v1/share-transfers"
DISPOSALS = "/api/v1/disposals"
INCREASES = "/api/v1/capital-increases"


def whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def parent_and_sub(
    client: TestClient, headers: dict[str, str], *, share: str, investment: int, equity: int
) -> Group:
    """P holding `share` of S (cost `investment`), the rest held by an outside shareholder O; S's books
    carry net assets of `equity`."""
    g = Group(client, headers)
    g.entities("P", "S")
    g.entity("O", kind="external")
    g.stake("P", "S", share)
    g.stake("O", "S", str(1 - Decimal(share)))
    g.post(
        "P", "2001-01-02", ("151101", investment, 0, "S"), ("1002", 10**6, 0), ("4001", 0, 10**6 + investment)
    )
    if equity:
        g.post("S", "2001-01-02", ("1002", equity, 0), ("4001", 0, equity))
    return g


class TestC19aRbePurchaseOfNci:
    """RBE buys 20% more of DCA (70% -> 90%) for 540 on 1 October 2010; NCI then 755 (IFRS)."""

    def test_published_answer(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = parent_and_sub(client, as_admin, share="0.7", investment=2000, equity=2500)
        body = {
            "investee_id": g["S"],
            "seller_id": g["O"],
            "buyer_id": g["P"],
            "transfer_on": "2010-10-01",
            "share": "0.2",
            "consideration": "540",
            "standard": "ifrs",
            "nci_carrying_amount": "755",
        }

        answer = call(client, as_admin, TRANSFERS, body, status=201)

        found = figures(answer)
        assert answer["classification"] == "equity_transaction"
        assert whole(-found["nci_change"]) == 503
        assert whole(found["adjustment_to_parent_equity"]) == -37
        assert found["profit_or_loss"] == 0
        assert whole(found["nci_after"] + Decimal("0.1") * 600 * 3 / 12) == 267
        assert whole(3350 + 1350 + 2600 - 200 + found["adjustment_to_parent_equity"]) == 7063
        assert g.balances("P", "2010-10-31")[("151101", "S")] == Decimal("2540")
        assert g.stakes("2010-10-01")[("P", "S")]["share"] == "0.9"
        assert g.stakes("2010-10-01")[("O", "S")]["share"] == "0.1"


class TestC19bForumAnswers:
    def test_sale_80_to_60_net_assets_from_the_books(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        g = parent_and_sub(client, as_admin, share="0.8", investment=12000, equity=18900)
        body = {
            "holder_id": g["P"],
            "investee_id": g["S"],
            "disposed_on": "2010-07-01",
            "share": "0.2",
            "consideration": "4400",
            "standard": "ifrs",
        }

        answer = call(client, as_admin, DISPOSALS, body, status=201)

        found = figures(answer)
        assert found["net_assets_before"] == Decimal("18900")
        assert found["nci_change"] == Decimal("3780")
        assert found["adjustment_to_parent_equity"] == Decimal("620")
        assert books_of(answer, g["P"]) == {
            "1002": Decimal("4400"),
            "151101": Decimal("-3000"),
            "6111": Decimal("-1400"),
        }

    def test_purchase_60_to_80(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = parent_and_sub(client, as_admin, share="0.6", investment=200000, equity=0)
        nci = Decimal(127000) + Decimal(30000) * 6 / 12 * Decimal("0.4")
        body = {
            "investee_id": g["S"],
            "seller_id": g["O"],
            "buyer_id": g["P"],
            "transfer_on": "2010-07-01",
            "share": "0.2",
            "consideration": "135000",
            "standard": "ifrs",
            "nci_carrying_amount": str(nci),
        }

        answer = call(client, as_admin, TRANSFERS, body, status=201)

        assert figures(answer)["nci_change"] == Decimal("-66500")
        assert figures(answer)["adjustment_to_parent_equity"] == Decimal("-68500")


class TestC19cCasPurchaseOfNci:
    """5% more for 15 when the net assets continuously measured are 220; capital reserve 10. 万元."""

    def test_consolidated_entry(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = parent_and_sub(client, as_admin, share="0.6", investment=100, equity=220)
        g.post("P", "2014-06-01", ("1002", 10, 0), ("4002", 0, 10))
        body = {
            "investee_id": g["S"],
            "seller_id": g["O"],
            "buyer_id": g["P"],
            "transfer_on": "2015-01-01",
            "share": "0.05",
            "consideration": "15",
        }

        answer = call(client, as_admin, TRANSFERS, body, status=201)

        assert figures(answer)["capital_reserve_change"] == Decimal("-4")
        assert figures(answer)["retained_earnings_change"] == 0
        assert books_of(answer, g["P"], layer="consolidated") == {
            "4301": Decimal("11"),
            "4002": Decimal("4"),
            "1002": Decimal("-15"),
        }
        assert g.balances("P", "2015-01-31")[("151101", "S")] == Decimal("115")


class TestC19eAllenWhiteUnderIfrs:
    """P 80% of A, A 60% of B (net assets 1,950 at the start of year 2). IFRS 10 / CAS 33: the local-GAAP
    'badwill' of 36 and 'goodwill' of 248 are equity (45 and 310 in A's statements at 100%)."""

    def group(self, client: TestClient, headers: dict[str, str]) -> Group:
        g = Group(client, headers)
        g.entities("P", "A", "B")
        g.entity("O", kind="external")
        g.stake("P", "A", "0.8")
        g.stake("A", "B", "0.6", capital="900")
        g.stake("O", "B", "0.4", capital="600")
        g.post("A", "2001-01-01", ("151101", 600, 0, "B"), ("1002", 2000, 0), ("4001", 0, 2600))
        g.post("B", "2001-01-01", ("1002", 1950, 0), ("4001", 0, 1500), ("4104", 0, 450))
        return g

    def test_s3_a_takes_the_whole_increase(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = self.group(client, as_admin)
        body = {
            "investee_id": g["B"],
            "increased_on": "2002-01-01",
            "subscriptions": [{"holder_id": g["A"], "capital_amount": "500", "contribution": "500"}],
        }

        answer = call(client, as_admin, INCREASES, body, status=201)

        found = figures(answer)
        assert found["adjustment_to_parent_equity"] == Decimal("36")
        assert found["holder_capital_reserve_adjustment"] == Decimal("45")
        assert found["profit_or_loss"] == 0
        stakes = g.stakes("2002-01-01")
        assert stakes[("A", "B")]["share"] == "0.7"
        assert stakes[("O", "B")]["share"] == "0.3"
        assert g.balances("B", "2002-01-31")[("4001", None)] == Decimal("-2000")

    def test_s4_a_buys_20_percent_for_700(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = self.group(client, as_admin)
        body = {
            "investee_id": g["B"],
            "seller_id": g["O"],
            "buyer_id": g["A"],
            "transfer_on": "2002-01-01",
            "capital_amount": "300",
            "consideration": "700",
        }

        answer = call(client, as_admin, TRANSFERS, body, status=201)

        assert figures(answer)["adjustment_to_parent_equity"] == Decimal("-248")
        assert figures(answer)["holder_capital_reserve_adjustment"] == Decimal("-310")
        assert g.stakes("2002-01-01")[("A", "B")]["share"] == "0.8"


class TestC20bKutchenSellsNiche:
    """Kutchen sells its 80% of Niche for 50: net assets 60, goodwill 4.8 less impairment 2. $m, DERIVED."""

    def test_group_loss(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = parent_and_sub(client, as_admin, share="0.8", investment=40, equity=60)
        body = {
            "holder_id": g["P"],
            "investee_id": g["S"],
            "disposed_on": "2020-06-30",
            "share": "0.8",
            "consideration": "50",
            "standard": "ifrs",
            "goodwill": "2.8",
        }

        answer = call(client, as_admin, DISPOSALS, body, status=201)

        found = figures(answer)
        assert answer["classification"] == "loss_of_control"
        assert found["nci_derecognised"] == Decimal("12")
        assert found["goodwill_derecognised"] == Decimal("2.8")
        assert found["gain_on_loss_of_control"] == Decimal("-0.8")
        assert answer["treatment"]["pnl_to"] == "disposal_date"
        assert ("P", "S") not in g.stakes("2020-06-30")


class TestC20cSaleOfTwentyPercent:
    """Allen White 8.14: P sells 20% of A (80% -> 60%) for 500 on 1 July year 2; A's net assets 1,850
    (including the land revaluation of 200 made on consolidation). IFRS: no gain, NCI +370, equity +130."""

    def test_derived_ifrs(self, client: TestClient, as_admin: dict[str, str]) -> None:
        g = parent_and_sub(client, as_admin, share="0.8", investment=1200, equity=1650)
        body = {
            "holder_id": g["P"],
            "investee_id": g["S"],
            "disposed_on": "2002-07-01",
            "share": "0.2",
            "consideration": "500",
            "standard": "ifrs",
            "net_assets": "1850",
            "goodwill": "400",
        }

        answer = call(client, as_admin, DISPOSALS, body, status=201)

        found = figures(answer)
        assert found["profit_or_loss"] == 0
        assert found["nci_change"] == Decimal("370")
        assert found["adjustment_to_parent_equity"] == Decimal("130")
        assert found["goodwill_change"] == 0
        assert g.balances("P", "2002-07-31")[("6111", None)] == Decimal("-200")
