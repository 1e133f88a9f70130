"""The demo Beijing auto-parts group is consistent data that exercises the ownership rules."""

from collections import Counter, defaultdict
from decimal import Decimal

import networkx as nx
import pytest

from app.demo.group import (
    DEMO_ENTITIES,
    DEMO_PARENT_CODE,
    DEMO_REGISTERED_CAPITAL,
    DEMO_STAKES,
    DEMO_USERS,
    DemoEntity,
    demo_entity,
)
from app.entities.uscc import validate_uscc

ENTITIES = {entity.code: entity for entity in DEMO_ENTITIES}
COMPANIES = {code for code, entity in ENTITIES.items() if entity.kind == "company"}


def _held_in(investee: str) -> list[tuple[str, Decimal, Decimal]]:
    return [(s.holder_code, s.share, s.voting_share) for s in DEMO_STAKES if s.investee_code == investee]


class TestDemoEntities:
    def test_codes_unique(self) -> None:
        codes = [entity.code for entity in DEMO_ENTITIES]

        duplicates = [code for code, count in Counter(codes).items() if count > 1]

        assert duplicates == []

    def test_usccs_valid_and_unique(self) -> None:
        usccs = [entity.uscc for entity in DEMO_ENTITIES if entity.uscc is not None]

        problems = {code: validate_uscc(code) for code in usccs if validate_uscc(code)}

        assert problems == {}
        assert len(set(usccs)) == len(usccs)

    def test_chinese_companies_have_beijing_usccs(self) -> None:
        chinese = [e for e in DEMO_ENTITIES if e.country == "CN"]

        regions = {e.code: e.uscc[2:4] if e.uscc else None for e in chinese}

        assert set(regions.values()) == {"11"}

    def test_foreign_entities_have_no_uscc(self) -> None:
        foreign = {e.code: e.uscc for e in DEMO_ENTITIES if e.country != "CN"}

        assert foreign == {"BJEU": None, "RHAC": None}

    def test_parent_and_size(self) -> None:
        parent = demo_entity(code=DEMO_PARENT_CODE)
        makers = [e for e in DEMO_ENTITIES if e.kind == "company" and e.segment not in ("holding", "trading")]
        holdings = [e.code for e in DEMO_ENTITIES if e.segment == "holding" and e.code != DEMO_PARENT_CODE]

        assert (parent.name, parent.kind) == ("北京汽车零部件集团有限公司", "company")
        assert len(makers) == 13
        assert sorted(holdings) == ["BJBI", "BJPT"]

    def test_names_in_both_languages(self) -> None:
        unnamed = [e.code for e in DEMO_ENTITIES if not e.name or not e.name_en or not e.name_en.isascii()]

        assert unnamed == []

    def test_one_subsidiary_with_a_foreign_functional_currency(self) -> None:
        foreign = [(e.code, e.functional_currency) for e in DEMO_ENTITIES if e.kind == "company"]

        non_cny = [pair for pair in foreign if pair[1] != "CNY"]

        assert non_cny == [("BJEU", "EUR")]

    def test_externals_carry_no_segment(self) -> None:
        externals: list[DemoEntity] = [e for e in DEMO_ENTITIES if e.kind == "external"]

        assert sorted(e.code for e in externals) == ["BJES", "BSAI", "RHAC", "SYIA"]
        assert {e.segment for e in externals} == {None}

    def test_unknown_code(self) -> None:
        with pytest.raises(KeyError):
            demo_entity(code="NOPE")


class TestDemoStakes:
    def test_stakes_reference_known_codes_and_differ(self) -> None:
        unknown = [
            (s.holder_code, s.investee_code)
            for s in DEMO_STAKES
            if s.holder_code not in ENTITIES or s.investee_code not in ENTITIES
        ]
        self_held = [s.holder_code for s in DEMO_STAKES if s.holder_code == s.investee_code]

        assert unknown == []
        assert self_held == []

    def test_one_stake_per_pair(self) -> None:
        pairs = Counter((s.holder_code, s.investee_code) for s in DEMO_STAKES)

        assert max(pairs.values()) == 1

    def test_stakes_start_after_both_entities_exist(self) -> None:
        early = [
            (s.holder_code, s.investee_code)
            for s in DEMO_STAKES
            if s.valid_from < ENTITIES[s.holder_code].established_on
            or s.valid_from < ENTITIES[s.investee_code].established_on
        ]

        assert early == []

    def test_shares_and_votes_are_fractions(self) -> None:
        out_of_range = [s for s in DEMO_STAKES if not (0 < s.share <= 1 and 0 < s.voting_share <= 1)]

        assert out_of_range == []

    def test_shares_and_votes_in_each_investee_sum_to_one_on_every_date(self) -> None:
        totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        start_dates = {
            code: {s.valid_from for s in DEMO_STAKES if s.investee_code == code} for code in COMPANIES
        }

        for stake in DEMO_STAKES:
            totals[stake.investee_code][0] += stake.share
            totals[stake.investee_code][1] += stake.voting_share

        assert {code: tuple(pair) for code, pair in totals.items() if pair != [1, 1]} == {}
        assert set(totals) == COMPANIES
        assert all(len(dates) == 1 for dates in start_dates.values())

    def test_capital_amounts_follow_shares(self) -> None:
        mismatched = [
            s.investee_code
            for s in DEMO_STAKES
            if s.capital_amount != DEMO_REGISTERED_CAPITAL[s.investee_code] * s.share
        ]

        assert mismatched == []

    def test_cross_holding_forms_a_cycle(self) -> None:
        graph = nx.DiGraph([(s.holder_code, s.investee_code) for s in DEMO_STAKES])

        cycles = sorted(sorted(cycle) for cycle in nx.simple_cycles(graph))

        assert cycles == [["DXBR", "TZCH"]]

    def test_one_associate_held_between_20_and_50_percent(self) -> None:
        group_votes = {
            investee: sum(
                (votes for holder, _, votes in _held_in(investee) if holder in COMPANIES), Decimal(0)
            )
            for investee in COMPANIES
        }

        associates = {
            code: votes for code, votes in group_votes.items() if Decimal("0.2") <= votes <= Decimal("0.5")
        }

        assert associates == {"BKEL": Decimal("0.35")}

    def test_votes_differ_from_capital_at_the_radiator_maker(self) -> None:
        differing = [(s.holder_code, s.investee_code) for s in DEMO_STAKES if s.share != s.voting_share]

        assert sorted(differing) == [("BJAP", "MYRA"), ("BSAI", "MYRA")]
        assert _held_in("MYRA") == [
            ("BJAP", Decimal("0.45"), Decimal("0.55")),
            ("BSAI", Decimal("0.55"), Decimal("0.45")),
        ]

    def test_every_company_reaches_the_parent(self) -> None:
        graph = nx.DiGraph([(s.holder_code, s.investee_code) for s in DEMO_STAKES])

        unreachable = COMPANIES - nx.descendants(graph, DEMO_PARENT_CODE) - {DEMO_PARENT_CODE}

        assert unreachable == set()

    def test_outsiders_hold_minorities(self) -> None:
        outside = {s.investee_code for s in DEMO_STAKES if ENTITIES[s.holder_code].kind == "external"}

        assert outside == {
            "BJAP",
            "BJBI",
            "YSEN",
            "FSCA",
            "CPGR",
            "SYST",
            "YZSI",
            "CYLA",
            "TZCH",
            "DXBR",
            "ZGEL",
            "MYRA",
            "BKEL",
        }


class TestDemoUsers:
    def test_one_user_per_role_plus_second_controller_and_limited_accountant(self) -> None:
        roles = Counter(user.role for user in DEMO_USERS)

        assert roles == {"admin": 1, "controller": 2, "accountant": 2, "auditor": 1, "viewer": 1}
        assert len({user.username for user in DEMO_USERS}) == len(DEMO_USERS)

    def test_limited_accountant_sees_two_makers(self) -> None:
        limited = [user for user in DEMO_USERS if user.entity_codes]

        assert [(u.username, u.role) for u in limited] == [("accountant.powertrain", "accountant")]
        assert all(ENTITIES[code].kind == "company" for code in limited[0].entity_codes)
        assert {ENTITIES[code].segment for code in limited[0].entity_codes} == {"engines", "castings"}
