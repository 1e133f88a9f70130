"""Ownership cases C-14a, C-14b, C-14d, C-14e (../shared/cases/cases.yaml) end to end through the HTTP API.

Each case creates its entities and stakes with POST and reads the figures from GET /ownership (or the
ultimate-owner view), then compares them with the published figures at the precision they were published:
the API's ten-place value is rounded (ROUND_HALF_UP) to the number of places the source printed. C-14d's
"66.66%" is a truncated figure (2/3 = 0.6666...), so that one is compared truncated (ROUND_DOWN).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient

from tests.api.structure.structure_helpers import OVERRIDES, OWNERSHIP, START, build_group, ownership

AS_OF = "2024-12-31"


def published(actual: str, expected: str, *, rounding: str = ROUND_HALF_UP) -> bool:
    """`actual` (a ten-place API figure) equals `expected` at the precision `expected` was published."""
    places = len(expected.partition(".")[2])
    quantum = Decimal(1).scaleb(-places)
    return Decimal(actual).quantize(quantum, rounding=rounding) == Decimal(expected)


def _figure(lines: dict[str, dict[str, str]], ids: dict[str, str], code: str, field: str) -> str:
    return lines[ids[code]][field]


class TestC14aPathSumVersusMatrix:
    """Sigma Conso / Allen White 3.6: P→A 80%, P→B 60%, B→A 10%, A→C 40%, B→C 20%, P→C 10%."""

    DIRECT: ClassVar[dict[str, dict[str, str]]] = {
        "P": {"A": "0.8", "B": "0.6", "C": "0.1"},
        "A": {"C": "0.4"},
        "B": {"A": "0.1", "C": "0.2"},
    }

    def test_interest_from_p(self, client: TestClient, as_admin: dict[str, str]) -> None:
        ids = build_group(client, as_admin, self.DIRECT)

        lines = ownership(client, as_admin, ids["P"], AS_OF)

        expected = {"A": "0.86", "B": "0.60", "C": "0.564"}
        actual = {code: _figure(lines, ids, code, "interest_share") for code in expected}
        assert all(published(actual[c], expected[c]) for c in expected), actual
        assert actual == {"A": "0.8600000000", "B": "0.6000000000", "C": "0.5640000000"}

    def test_rows_of_the_inverse_matrix(self, client: TestClient, as_admin: dict[str, str]) -> None:
        ids = build_group(client, as_admin, self.DIRECT)

        from_a = ownership(client, as_admin, ids["A"], AS_OF)
        from_b = ownership(client, as_admin, ids["B"], AS_OF)

        assert published(_figure(from_a, ids, "C", "interest_share"), "0.4")
        assert published(_figure(from_b, ids, "A", "interest_share"), "0.1")
        assert published(_figure(from_b, ids, "C", "interest_share"), "0.24")


class TestC14bControlVersusInterest:
    """Allen White 3.5: the 7% C3 holds in C2 does not count for control (C3 is not controlled)."""

    DIRECT: ClassVar[dict[str, dict[str, str]]] = {
        "P": {"C1": "0.75", "C2": "0.80", "C3": "0.30", "C4": "0.35"},
        "C1": {"C4": "0.25"},
        "C3": {"C2": "0.07"},
        "C2": {"C5": "0.35"},
        "C4": {"C5": "0.25"},
    }
    CONTROL: ClassVar[dict[str, str]] = {"C1": "0.75", "C2": "0.80", "C3": "0.30", "C4": "0.60", "C5": "0.60"}
    METHOD: ClassVar[dict[str, str]] = {
        "C1": "subsidiary",
        "C2": "subsidiary",
        "C3": "associate",
        "C4": "subsidiary",
        "C5": "subsidiary",
    }
    INTEREST: ClassVar[dict[str, str]] = {
        "C1": "0.75",
        "C2": "0.821",
        "C3": "0.30",
        "C4": "0.5375",
        "C5": "0.421725",
    }

    def test_control_method_and_interest(self, client: TestClient, as_admin: dict[str, str]) -> None:
        ids = build_group(client, as_admin, self.DIRECT)

        lines = ownership(client, as_admin, ids["P"], AS_OF)

        for code in self.CONTROL:
            assert published(_figure(lines, ids, code, "control_share"), self.CONTROL[code]), code
            assert _figure(lines, ids, code, "method") == self.METHOD[code]
            assert published(_figure(lines, ids, code, "interest_share"), self.INTEREST[code]), code
        assert published(_figure(lines, ids, "C5", "nci_share"), "0.578275")
        assert lines[ids["P"]]["method"] == "parent"

    def test_control_began_when_the_holdings_were_recorded(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, self.DIRECT)

        lines = ownership(client, as_admin, ids["P"], AS_OF)

        assert {code: _figure(lines, ids, code, "control_since") for code in self.CONTROL} == {
            "C1": START,
            "C2": START,
            "C3": None,
            "C4": START,
            "C5": START,
        }


class TestC14dMutualHoldings:
    """CompanyA held 50% by UserA and 50% by CompanyB; CompanyB 50% by CompanyA and 50% by UserB."""

    DIRECT: ClassVar[dict[str, dict[str, str]]] = {
        "UserA": {"CompanyA": "0.5"},
        "CompanyB": {"CompanyA": "0.5"},
        "CompanyA": {"CompanyB": "0.5"},
        "UserB": {"CompanyB": "0.5"},
    }

    def test_user_a_ultimately_owns_two_thirds_of_company_a(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(client, as_admin, self.DIRECT)

        response = client.get(
            f"{OWNERSHIP}/ultimate-owners",
            params={"group_owner_id": ids["UserA"], "as_of": AS_OF, "detail_for": [ids["UserB"]]},
            headers=as_admin,
        )

        assert response.status_code == 200, response.text
        companies = {c["entity_id"]: c for c in response.json()["companies"]}
        company_a, company_b = companies[ids["CompanyA"]], companies[ids["CompanyB"]]
        assert published(company_a["group_share"], "0.6666", rounding=ROUND_DOWN)  # "UserA owns 66.66%"
        assert published(company_a["by_owner"][0]["share"], "0.3333")
        assert published(company_b["group_share"], "0.3333")
        assert published(company_b["by_owner"][0]["share"], "0.6667")
        assert Decimal(company_a["group_share"]) + Decimal(company_a["outside_share"]) == 1

    @pytest.mark.parametrize("holder", ["UserA", "UserB"])
    def test_the_interest_view_counts_the_cycle(
        self, client: TestClient, as_admin: dict[str, str], holder: str
    ) -> None:
        ids = build_group(client, as_admin, self.DIRECT)

        lines = ownership(client, as_admin, ids[holder], AS_OF)

        own, other = ("CompanyA", "CompanyB") if holder == "UserA" else ("CompanyB", "CompanyA")
        assert published(_figure(lines, ids, own, "interest_share"), "0.6667")
        assert published(_figure(lines, ids, other, "interest_share"), "0.3333")


class TestC14eChains:
    @pytest.mark.parametrize(
        ("chain", "interest", "nci", "split"),
        [
            (["0.80", "0.70", "0.90"], "0.504", "0.496", None),
            (["0.80", "0.60"], "0.48", "0.52", ("0.40", "0.12")),
            (["0.70", "0.60"], "0.42", "0.58", ("0.40", "0.18")),
            (["0.60", "0.70"], "0.42", "0.58", ("0.30", "0.28")),
            (["0.80", "0.70"], "0.56", "0.44", ("0.30", "0.14")),
        ],
    )
    def test_interest_and_nci_at_the_end_of_a_chain(
        self,
        client: TestClient,
        as_admin: dict[str, str],
        chain: list[str],
        interest: str,
        nci: str,
        split: tuple[str, str] | None,
    ) -> None:
        codes = ["P", *(f"S{i}" for i in range(1, len(chain) + 1))]
        ids = build_group(
            client, as_admin, {codes[i]: {codes[i + 1]: share} for i, share in enumerate(chain)}
        )

        last = ownership(client, as_admin, ids["P"], AS_OF)[ids[codes[-1]]]

        assert published(last["interest_share"], interest)
        assert published(last["nci_share"], nci)
        if split is not None:
            assert published(last["nci_direct"], split[0])
            assert published(last["nci_indirect"], split[1])

    def test_sap_group_share(self, client: TestClient, as_admin: dict[str, str]) -> None:
        ids = build_group(client, as_admin, {"P": {"S": "0.80"}, "S": {"T": "0.75"}})

        lines = ownership(client, as_admin, ids["P"], AS_OF)

        assert published(_figure(lines, ids, "T", "group_share"), "0.60")

    def test_allen_white_two_paths(self, client: TestClient, as_admin: dict[str, str]) -> None:
        ids = build_group(client, as_admin, {"P": {"A": "0.80", "B": "0.60"}, "B": {"A": "0.20"}})

        lines = ownership(client, as_admin, ids["P"], AS_OF)

        assert published(_figure(lines, ids, "A", "interest_share"), "0.92")

    def test_group_share_in_an_associate_ignores_holdings_of_associates_and_jvs(
        self, client: TestClient, as_admin: dict[str, str]
    ) -> None:
        ids = build_group(
            client,
            as_admin,
            {
                "A": {"B": "1", "C": "0.30", "D": "0.50"},
                "B": {"Z": "0.25"},
                "C": {"Z": "0.10"},
                "D": {"Z": "0.10"},
            },
        )
        jv = client.post(
            OVERRIDES,
            json={
                "parent_id": ids["A"],
                "entity_id": ids["D"],
                "method": "joint_venture",
                "valid_from": START,
                "reason": "joint control under the shareholders' agreement with the co-venturer",
            },
            headers=as_admin,
        )

        lines = ownership(client, as_admin, ids["A"], AS_OF)

        assert jv.status_code == 201, jv.text
        assert lines[ids["D"]]["method"] == "joint_venture"
        assert lines[ids["Z"]]["method"] == "associate"
        assert published(_figure(lines, ids, "Z", "group_holding"), "0.25")
        assert published(_figure(lines, ids, "Z", "group_share"), "0.25")
