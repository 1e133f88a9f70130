"""Transfer workflow rules: refusals, maker-checker and the second approval above the threshold."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.assets.domain.accounting import TransferKind
from app.assets.domain.workflow import (
    ApprovalFacts,
    AssetStatus,
    TransferRequestFacts,
    TransferStatus,
    approval_violations,
    approvals_required,
    rejection_violations,
    request_violations,
    status_violations,
    transfer_value,
)

D = Decimal
OK = TransferRequestFacts(
    kind=TransferKind.SALE,
    price=D(280),
    transfer_on=date(2024, 1, 1),
    sender_id="A",
    named_sender_id=None,
    receiver_id="B",
    receiver_exists=True,
    receiver_external=False,
    receiver_in_group=True,
    receiver_active=True,
    asset_disposed_on=None,
    holding_since=date(2021, 1, 1),
    open_transfer_id=None,
)


def _types(facts: TransferRequestFacts) -> list[str]:
    return [v.type for v in request_violations(facts)]


class TestRequest:
    def test_a_valid_request_has_no_violation(self) -> None:
        assert request_violations(OK) == []

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"asset_disposed_on": date(2023, 12, 31)}, "asset-disposed"),
            ({"named_sender_id": "C"}, "asset-not-held-by-sender"),
            ({"sender_id": None}, "asset-not-held-by-sender"),
            ({"holding_since": date(2024, 1, 1)}, "asset-not-held-by-sender"),
            ({"open_transfer_id": "T1"}, "transfer-already-open"),
            ({"receiver_external": True}, "receiver-outside-group"),
            ({"receiver_in_group": False}, "receiver-outside-group"),
            ({"receiver_exists": False}, "receiver-outside-group"),
            ({"receiver_active": False}, "receiver-outside-group"),
            ({"receiver_id": "A"}, "transfer-to-holder"),
            ({"closed_months": [("B", "2024-01")]}, "period-closed"),
            ({"depreciated_after": "2024-02"}, "asset-depreciated-after-date"),
            ({"price": None}, "transfer-price-invalid"),
            ({"kind": TransferKind.FREE_TRANSFER}, "transfer-price-invalid"),
            ({"kind": TransferKind.CAPITAL_CONTRIBUTION, "price": D(0)}, "transfer-price-invalid"),
        ],
    )
    def test_each_refusal_has_its_own_type(self, change: dict[str, object], expected: str) -> None:
        assert _types(replace(OK, **change)) == [expected]  # type: ignore[arg-type]

    def test_a_disposal_later_than_the_transfer_date_does_not_refuse(self) -> None:
        assert _types(replace(OK, asset_disposed_on=date(2024, 1, 2))) == []

    def test_every_violation_is_returned_at_once(self) -> None:
        facts = replace(
            OK,
            asset_disposed_on=date(2020, 1, 1),
            open_transfer_id="T1",
            receiver_external=True,
            closed_months=[("A", "2024-01")],
            price=None,
        )

        assert _types(facts) == [
            "asset-disposed",
            "transfer-already-open",
            "receiver-outside-group",
            "period-closed",
            "transfer-price-invalid",
        ]


class TestApproval:
    FACTS = ApprovalFacts(
        status=TransferStatus.SUBMITTED,
        requester_id="maker",
        approver_id="checker",
        approver_is_controller=True,
        earlier_approver_ids=(),
        required=1,
    )

    def test_a_controller_other_than_the_requester_may_approve(self) -> None:
        assert approval_violations(self.FACTS) == []

    def test_self_approval_is_refused(self) -> None:
        found = approval_violations(replace(self.FACTS, approver_id="maker"))

        assert [v.type for v in found] == ["transfer-self-approval"]

    def test_the_second_approval_must_come_from_another_controller(self) -> None:
        found = approval_violations(replace(self.FACTS, earlier_approver_ids=("checker",), required=2))

        assert [v.type for v in found] == ["transfer-second-approval-required"]
        assert found[0].extra == {"approvals_required": 2}

    def test_only_controllers_and_only_submitted_transfers(self) -> None:
        found = approval_violations(
            replace(self.FACTS, approver_is_controller=False, status=TransferStatus.EXECUTED)
        )

        assert [v.type for v in found] == ["transfer-not-submitted", "transfer-approver-not-controller"]

    def test_rejection_rules(self) -> None:
        found = rejection_violations(
            status=TransferStatus.REJECTED, requester_id="u", rejecter_id="u", rejecter_is_controller=True
        )

        assert [v.type for v in found] == ["transfer-not-submitted", "transfer-self-approval"]

    def test_threshold(self) -> None:
        assert transfer_value(price=None, carrying_amount=D(210)) == D(210)
        assert transfer_value(price=D(280), carrying_amount=D(210)) == D(280)
        assert approvals_required(value=D(1000000), threshold=D(1000000)) == 1
        assert approvals_required(value=D("1000000.01"), threshold=D(1000000)) == 2


def test_status_changes() -> None:
    assert status_violations(current=AssetStatus.IN_USE, new=AssetStatus.IDLE) == []
    assert [v.type for v in status_violations(current=AssetStatus.DISPOSED, new=AssetStatus.IDLE)] == [
        "asset-disposed"
    ]
    assert [v.type for v in status_violations(current=AssetStatus.IDLE, new=AssetStatus.DISPOSED)] == [
        "asset-status-invalid"
    ]
