"""The published ownership cases C-14a, C-14b, C-14d and C-14e (shared/cases/cases.yaml), figure by figure."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import pytest

from app.ownership.domain import (
    ASSOCIATE,
    JOINT_VENTURE,
    SUBSIDIARY,
    Holding,
    MethodOverride,
    compute_ownership,
    interest_matrix_row,
    ultimate_owner_view,
)


def holding(holder: str, investee: str, share: str) -> Holding:
    """Capital and votes alike, as in the published cases."""
    return Holding(holder=holder, investee=investee, share=Decimal(share), voting_share=Decimal(share))


def chain(shares: list[str]) -> list[Holding]:
    """P holds shares[0] of S1, S1 holds shares[1] of S2, ..."""
    names = ["P", *[f"S{i}" for i in range(1, len(shares) + 1)]]
    return [holding(names[i], names[i + 1], share) for i, share in enumerate(shares)]


C14A = [
    holding("P", "A", "0.8"),
    holding("P", "B", "0.6"),
    holding("P", "C", "0.1"),
    holding("A", "C", "0.4"),
    holding("B", "A", "0.1"),
    holding("B", "C", "0.2"),
]

C14B = [
    holding("P", "C1", "0.75"),
    holding("P", "C2", "0.80"),
    holding("P", "C3", "0.30"),
    holding("P", "C4", "0.35"),
    holding("C1", "C4", "0.25"),
    holding("C3", "C2", "0.07"),
    holding("C2", "C5", "0.35"),
    holding("C4", "C5", "0.25"),
]


class TestC14aPathSumVersusMatrix:
    @pytest.mark.parametrize(("entity", "expected"), [("A", "0.86"), ("B", "0.60"), ("C", "0.564")])
    def test_interest_from_the_parent_is_the_path_sum(self, entity: str, expected: str) -> None:
        result = compute_ownership(parent="P", holdings=C14A)

        figures = result.get(entity)

        assert figures.interest_share == Decimal(expected)
        assert figures.exact is True

    def test_exact_figures_print_with_ten_places(self) -> None:
        result = compute_ownership(parent="P", holdings=C14A)

        printed = str(result.get("C").interest_share)

        assert printed == "0.5640000000"

    @pytest.mark.parametrize(
        ("row", "expected"),
        [
            ("P", {"P": "1", "A": "0.86", "B": "0.6", "C": "0.564"}),
            ("A", {"A": "1", "C": "0.4"}),
            ("B", {"B": "1", "A": "0.1", "C": "0.24"}),
        ],
    )
    def test_rows_of_the_leontief_inverse(self, row: str, expected: dict[str, str]) -> None:
        values = interest_matrix_row(parent=row, holdings=C14A)

        assert values == {name: Decimal(v) for name, v in expected.items()}

    def test_the_four_paths_to_c_add_up_to_the_interest(self) -> None:
        paths = [
            Decimal("0.10"),
            Decimal("0.8") * Decimal("0.4"),
            Decimal("0.6") * Decimal("0.1") * Decimal("0.4"),
        ]
        paths.append(Decimal("0.6") * Decimal("0.2"))

        result = compute_ownership(parent="P", holdings=C14A)

        assert sum(paths) == result.get("C").interest_share == Decimal("0.564")


class TestC14bControlVersusInterest:
    @pytest.mark.parametrize(
        ("entity", "control", "method", "interest"),
        [
            ("C1", "0.75", SUBSIDIARY, "0.75"),
            ("C2", "0.80", SUBSIDIARY, "0.821"),
            ("C3", "0.30", ASSOCIATE, "0.30"),
            ("C4", "0.60", SUBSIDIARY, "0.5375"),
            ("C5", "0.60", SUBSIDIARY, "0.421725"),
        ],
    )
    def test_published_table(self, entity: str, control: str, method: str, interest: str) -> None:
        result = compute_ownership(parent="P", holdings=C14B)

        figures = result.get(entity)

        assert figures.control_share == Decimal(control)
        assert figures.method == method
        assert figures.computed_method == method
        assert figures.interest_share == Decimal(interest)

    def test_c5_is_consolidated_with_57_8275_percent_nci(self) -> None:
        result = compute_ownership(parent="P", holdings=C14B)

        c5 = result.get("C5")

        assert c5.nci_share == Decimal("0.578275")
        assert (
            sum([Decimal("0.0875"), Decimal("0.046875"), Decimal("0.28"), Decimal("0.00735")])
            == c5.interest_share
        )

    def test_the_associates_seven_percent_counts_for_interest_not_for_control(self) -> None:
        result = compute_ownership(parent="P", holdings=C14B)

        c2 = result.get("C2")

        assert (c2.control_share, c2.interest_share) == (Decimal("0.80"), Decimal("0.821"))
        assert (c2.nci_direct, c2.nci_indirect) == (Decimal("0.13"), Decimal("0.049"))


class TestC14dTwoCompaniesOwningHalfOfEachOther:
    HOLDINGS: ClassVar[list[Holding]] = [
        holding("UserA", "CompanyA", "0.5"),
        holding("CompanyB", "CompanyA", "0.5"),
        holding("CompanyA", "CompanyB", "0.5"),
        holding("UserB", "CompanyB", "0.5"),
    ]

    @pytest.mark.parametrize(
        ("owner", "company", "expected"),
        [
            ("UserA", "CompanyA", "0.6666"),
            ("UserB", "CompanyA", "0.3333"),
            ("UserA", "CompanyB", "0.3333"),
            ("UserB", "CompanyB", "0.6667"),
        ],
    )
    def test_ultimate_owners_to_four_decimals(self, owner: str, company: str, expected: str) -> None:
        view = ultimate_owner_view(holdings=self.HOLDINGS, group_owner="UserA", detail_for=["UserA", "UserB"])

        share = dict(view.get(company).by_owner)[owner]

        assert abs(share - Decimal(expected)) < Decimal("0.0001")

    def test_user_a_is_the_group_and_owns_two_thirds_of_company_a(self) -> None:
        view = ultimate_owner_view(holdings=self.HOLDINGS, group_owner="UserA")

        company_a = view.get("CompanyA")

        assert company_a.group == Decimal("0.6666666667")
        assert company_a.outside == Decimal("0.3333333333")
        assert company_a.group + company_a.outside == 1
        assert company_a.exact is False

    def test_the_accounting_view_agrees_with_the_ultimate_view_when_nobody_holds_the_parent(self) -> None:
        result = compute_ownership(parent="UserA", holdings=self.HOLDINGS)

        assert result.get("CompanyA").interest_share == Decimal("0.6666666667")
        assert result.cycles == (("CompanyA", "CompanyB"),)


class TestC14eSimpleChains:
    @pytest.mark.parametrize(
        ("shares", "interest", "nci"),
        [
            (["0.80", "0.70", "0.90"], "0.504", "0.496"),
            (["0.80", "0.60"], "0.48", "0.52"),
            (["0.70", "0.60"], "0.42", "0.58"),
            (["0.60", "0.70"], "0.42", "0.58"),
            (["0.80", "0.70"], "0.56", "0.44"),
        ],
    )
    def test_interest_and_nci_of_the_last_company(self, shares: list[str], interest: str, nci: str) -> None:
        result = compute_ownership(parent="P", holdings=chain(shares))

        last = result.get(f"S{len(shares)}")

        assert (last.interest_share, last.nci_share) == (Decimal(interest), Decimal(nci))

    @pytest.mark.parametrize(
        ("shares", "direct", "indirect"),
        [
            (["0.80", "0.60"], "0.40", "0.12"),
            (["0.70", "0.60"], "0.40", "0.18"),
            (["0.60", "0.70"], "0.30", "0.28"),
            (["0.80", "0.70"], "0.30", "0.14"),
        ],
    )
    def test_nci_split_into_direct_and_indirect(self, shares: list[str], direct: str, indirect: str) -> None:
        result = compute_ownership(parent="P", holdings=chain(shares))

        last = result.get("S2")

        assert (last.nci_direct, last.nci_indirect) == (Decimal(direct), Decimal(indirect))

    def test_sap_group_share_of_a_chain(self) -> None:
        result = compute_ownership(parent="P", holdings=chain(["0.80", "0.75"]))

        assert result.get("S2").group_share == Decimal("0.60")

    def test_allen_white_9_6(self) -> None:
        holdings = [holding("P", "A", "0.80"), holding("P", "B", "0.60"), holding("B", "A", "0.20")]

        result = compute_ownership(parent="P", holdings=holdings)

        assert result.get("A").interest_share == Decimal("0.92")

    def test_ias_28_27_ignores_holdings_of_associates_and_joint_ventures(self) -> None:
        holdings = [
            holding("A", "B", "1"),
            holding("B", "Z", "0.25"),
            holding("A", "C", "0.30"),
            holding("A", "D", "0.50"),
            holding("C", "Z", "0.10"),
            holding("D", "Z", "0.10"),
        ]
        overrides = [MethodOverride(entity="D", method=JOINT_VENTURE, reason="joint control by contract")]

        result = compute_ownership(parent="A", holdings=holdings, overrides=overrides)

        z = result.get("Z")
        assert (z.group_share, z.group_holding) == (Decimal("0.25"), Decimal("0.25"))
        assert (z.method, z.control_share) == (ASSOCIATE, Decimal("0.25"))
        assert z.interest_share == Decimal("0.33")
        assert (result.get("C").method, result.get("D").method) == (ASSOCIATE, JOINT_VENTURE)
