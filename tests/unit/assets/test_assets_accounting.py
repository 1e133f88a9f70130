"""Entries of transfers inside the group, disposals and impairment, with the C-09 figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.assets.domain.accounting import (
    AssetAccounts,
    DisposalKind,
    Holding,
    Line,
    Relation,
    TransferKind,
    acquisition_lines,
    balanced,
    depreciation_lines,
    disposal_accounting,
    impairment_lines,
    transfer_accounting,
)

D = Decimal
ACCOUNTS = AssetAccounts(
    fixed_asset="1601",
    accumulated_depreciation="1602",
    impairment_allowance="1603",
    disposal_clearing="1606",
    gain_on_disposal="6115",
    non_operating_income="6301",
    non_operating_expense="6711",
    intercompany_receivable="1221",
    intercompany_payable="2241",
    capital_reserve="4002",
    paid_in_capital="4001",
    investment_in_subsidiary="151101",
    equity_investment="1511",
    impairment_loss="6701",
    cash="1002",
)
C09_HOLDING = Holding(cost=D(300), accumulated_depreciation=D(90), impairment=D(0))


def _net(lines: tuple[Line, ...] | list[Line]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for line in lines:
        out[line.account_code] = out.get(line.account_code, D(0)) + line.debit - line.credit
    return {code: amount for code, amount in out.items() if amount != 0}


def _transfer(
    kind: TransferKind, price: str | None, relation: Relation = Relation.OTHER, holding: Holding = C09_HOLDING
):  # type: ignore[no-untyped-def]
    return transfer_accounting(
        kind=kind,
        relation=relation,
        holding=holding,
        price=None if price is None else D(price),
        sender_id="A",
        receiver_id="B",
        accounts=ACCOUNTS,
    )


class TestSale:
    def test_c09_seller_books_gain_70_and_a_receivable_through_1606(self) -> None:
        result = _transfer(TransferKind.SALE, "280")

        assert result.gain == D(70)
        assert result.carrying_amount == D(210)
        assert list(result.sender_lines) == [
            Line("1606", debit=D(210)),
            Line("1602", debit=D(90)),
            Line("1601", credit=D(300)),
            Line("1221", debit=D(280), counterparty_entity_id="B"),
            Line("1606", credit=D(280)),
            Line("1606", debit=D(70)),
            Line("6115", credit=D(70), counterparty_entity_id="B"),
        ]
        assert _net(result.sender_lines) == {"1602": D(90), "1601": D(-300), "1221": D(280), "6115": D(-70)}

    def test_c09_buyer_books_the_asset_at_the_price_and_a_payable(self) -> None:
        result = _transfer(TransferKind.SALE, "280")

        assert list(result.receiver_lines) == [
            Line("1601", debit=D(280)),
            Line("2241", credit=D(280), counterparty_entity_id="A"),
        ]
        assert (result.receiver_cost, result.receiver_opening_accumulated) == (D(280), D(0))
        assert not result.continues_schedule

    def test_a_sale_below_carrying_amount_is_a_loss(self) -> None:
        result = _transfer(TransferKind.SALE, "200")

        assert result.gain == D(-10)
        assert _net(result.sender_lines)["6115"] == D(10)
        assert balanced(result.sender_lines)

    def test_a_sale_needs_a_price(self) -> None:
        with pytest.raises(ValueError, match="price"):
            _transfer(TransferKind.SALE, None)


class TestFreeTransfer:
    def test_between_sisters_capital_reserve_on_both_sides(self) -> None:
        holding = Holding(cost=D(300), accumulated_depreciation=D(90), impairment=D(20))

        result = _transfer(TransferKind.FREE_TRANSFER, None, holding=holding)

        assert result.gain == D(0)
        assert _net(result.sender_lines) == {"1602": D(90), "1603": D(20), "1601": D(-300), "4002": D(190)}
        assert _net(result.receiver_lines) == {
            "1601": D(300),
            "1602": D(-90),
            "1603": D(-20),
            "4002": D(-190),
        }
        assert result.continues_schedule
        assert (
            result.receiver_cost,
            result.receiver_opening_accumulated,
            result.receiver_opening_impairment,
        ) == (
            D(300),
            D(90),
            D(20),
        )

    def test_parent_to_subsidiary_raises_the_parents_investment(self) -> None:
        result = _transfer(TransferKind.FREE_TRANSFER, None, Relation.SENDER_HOLDS_RECEIVER)

        assert _net(result.sender_lines)["151101"] == D(210)
        assert _net(result.receiver_lines)["4002"] == D(-210)

    def test_subsidiary_to_parent_reduces_the_parents_investment(self) -> None:
        result = _transfer(TransferKind.FREE_TRANSFER, None, Relation.RECEIVER_HOLDS_SENDER)

        assert _net(result.sender_lines)["4002"] == D(210)
        assert _net(result.receiver_lines)["151101"] == D(-210)
        assert [x.counterparty_entity_id for x in result.receiver_lines if x.account_code == "151101"] == [
            "A"
        ]


class TestCapitalContribution:
    def test_registered_capital_below_carrying_amount_goes_partly_to_capital_reserve(self) -> None:
        result = _transfer(TransferKind.CAPITAL_CONTRIBUTION, "150", Relation.SENDER_HOLDS_RECEIVER)

        assert _net(result.sender_lines) == {"1602": D(90), "1601": D(-300), "151101": D(210)}
        assert _net(result.receiver_lines) == {
            "1601": D(300),
            "1602": D(-90),
            "4001": D(-150),
            "4002": D(-60),
        }

    def test_registered_capital_above_carrying_amount_reduces_capital_reserve(self) -> None:
        result = _transfer(TransferKind.CAPITAL_CONTRIBUTION, "250")

        assert _net(result.sender_lines)["1511"] == D(210)
        assert _net(result.receiver_lines)["4001"] == D(-250)
        assert _net(result.receiver_lines)["4002"] == D(40)

    def test_without_a_registered_amount_all_of_it_is_paid_in_capital(self) -> None:
        result = _transfer(TransferKind.CAPITAL_CONTRIBUTION, None)

        assert _net(result.receiver_lines)["4001"] == D(-210)
        assert "4002" not in _net(result.receiver_lines)


@pytest.mark.parametrize(
    ("kind", "price", "relation"),
    [
        (k, p, r)
        for k, p in [
            (TransferKind.SALE, "280"),
            (TransferKind.SALE, "1"),
            (TransferKind.FREE_TRANSFER, None),
            (TransferKind.CAPITAL_CONTRIBUTION, "100"),
        ]
        for r in Relation
    ],
)
def test_both_sides_of_every_transfer_balance(
    kind: TransferKind, price: str | None, relation: Relation
) -> None:
    result = _transfer(kind, price, relation)

    assert balanced(result.sender_lines)
    assert balanced(result.receiver_lines)
    assert all((x.debit > 0) != (x.credit > 0) for x in result.sender_lines + result.receiver_lines)


class TestDisposal:
    def test_c09_buyer_sells_to_a_third_party_for_260_gain_60(self) -> None:
        holding = Holding(cost=D(280), accumulated_depreciation=D(80), impairment=D(0))

        result = disposal_accounting(
            kind=DisposalKind.SALE,
            holding=holding,
            proceeds=D(260),
            costs=D(0),
            proceeds_account="1002",
            costs_account="1002",
            counterparty_entity_id=None,
            accounts=ACCOUNTS,
        )

        assert result.gain == D(60)
        assert _net(result.lines) == {"1602": D(80), "1601": D(-280), "1002": D(260), "6115": D(-60)}
        assert balanced(result.lines)

    def test_scrapping_at_a_loss_with_costs_is_a_non_operating_expense(self) -> None:
        holding = Holding(cost=D(1000), accumulated_depreciation=D(900), impairment=D(50))

        result = disposal_accounting(
            kind=DisposalKind.SCRAP,
            holding=holding,
            proceeds=D(20),
            costs=D(5),
            proceeds_account="1002",
            costs_account="1002",
            counterparty_entity_id=None,
            accounts=ACCOUNTS,
        )

        assert result.gain == D(-35)
        assert _net(result.lines) == {
            "1602": D(900),
            "1603": D(50),
            "1601": D(-1000),
            "1002": D(15),
            "6711": D(35),
        }

    def test_scrapping_at_a_gain_is_non_operating_income(self) -> None:
        holding = Holding(cost=D(100), accumulated_depreciation=D(100), impairment=D(0))

        result = disposal_accounting(
            kind=DisposalKind.SCRAP,
            holding=holding,
            proceeds=D(8),
            costs=D(0),
            proceeds_account="1221",
            costs_account="1002",
            counterparty_entity_id="X",
            accounts=ACCOUNTS,
        )

        assert _net(result.lines) == {"1602": D(100), "1601": D(-100), "1221": D(8), "6301": D(-8)}
        assert [x.counterparty_entity_id for x in result.lines if x.account_code == "1221"] == ["X"]


def test_acquisition_depreciation_and_impairment_entries() -> None:
    bought = acquisition_lines(
        accounts=ACCOUNTS, cost=D(500), credit_account="2202", counterparty_entity_id="S"
    )
    monthly = depreciation_lines(
        accounts=ACCOUNTS, charges=[("6602", D("3.33")), ("5101", D(10)), ("6602", D("1.67"))]
    )
    impaired = impairment_lines(accounts=ACCOUNTS, amount=D(30))

    assert bought == [Line("1601", debit=D(500)), Line("2202", credit=D(500), counterparty_entity_id="S")]
    assert monthly == [Line("5101", debit=D(10)), Line("6602", debit=D(5)), Line("1602", credit=D(15))]
    assert impaired == [Line("6701", debit=D(30)), Line("1603", credit=D(30))]
