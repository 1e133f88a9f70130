"""The packaged group chart, statement lines and small-enterprise mapping."""

from collections import Counter

import pytest

from app.ledger.chart_data import (
    GENERIC_ROLES,
    ROLES,
    ChartAccount,
    LocalMapping,
    StatementLine,
    account_for_role,
    load_group_chart,
    load_small_enterprise_map,
    load_statement_lines,
    validate_group_chart,
    validate_local_map,
)


def _codes(text: str) -> list[str]:
    return text.split()


# The 156 first-level accounts of the 企业会计准则—应用指南 (2006) appendix.
OFFICIAL_2006_CODES = _codes("""
1001 1002 1003 1011 1012 1021 1031 1101 1111 1121 1122 1123 1131 1132 1201 1211 1212 1221 1231 1301
1302 1303 1304 1311 1321 1401 1402 1403 1404 1405 1406 1407 1408 1411 1421 1431 1441 1451 1461 1471
1501 1502 1503 1511 1512 1521 1531 1532 1541 1601 1602 1603 1604 1605 1606 1611 1621 1622 1623 1631
1632 1701 1702 1703 1711 1801 1811 1821 1901 2001 2002 2003 2004 2011 2012 2021 2101 2111 2201 2202
2203 2211 2221 2231 2232 2241 2251 2261 2311 2312 2313 2314 2401 2501 2502 2601 2602 2611 2621 2701
2702 2711 2801 2901 3001 3002 3101 3201 3202 4001 4002 4101 4102 4103 4104 4201 5001 5101 5201 5301
5401 5402 5403 6001 6011 6021 6031 6041 6051 6061 6101 6111 6201 6202 6203 6301 6401 6402 6403 6411
6421 6501 6502 6511 6521 6531 6541 6542 6601 6602 6603 6604 6701 6711 6801 6901
""")

# Left out: accounts marked for banks, securities firms, insurers, financial leasing (CHART_NOTES.md §1).
FINANCIAL_ONLY_CODES = _codes("""
1003 1011 1021 1031 1111 1201 1211 1212 1301 1302 1303 1304 1311 1431 1441 1451 1461 1541 1611 1821
2002 2003 2004 2011 2012 2021 2111 2251 2261 2311 2312 2313 2601 2602 2611 2621 3001 3002 4102
6011 6021 6031 6041 6061 6201 6202 6203 6411 6421 6501 6502 6511 6521 6531 6541 6542
""")

# Roles the consolidation, asset-transfer and equity-method rules post to, with the expected account.
RULE_ROLES = {
    "cash": "1002",
    "receivable": "1122",
    "other_receivable": "1221",
    "dividends_receivable": "1131",
    "interest_receivable": "1132",
    "inventory": "1405",
    "investment_in_subsidiaries": "151101",
    "investment_in_associates": "151102",
    "investment_in_joint_ventures": "151103",
    "fixed_asset": "1601",
    "accumulated_depreciation": "1602",
    "fixed_asset_impairment": "1603",
    "construction_in_progress": "1604",
    "fixed_asset_disposal": "1606",
    "intangible": "1701",
    "accumulated_amortisation": "1702",
    "goodwill": "1711",
    "goodwill_impairment": "1712",
    "deferred_tax_asset": "1811",
    "payable": "2202",
    "other_payable": "2241",
    "interest_payable": "2231",
    "dividends_payable": "2232",
    "deferred_tax_liability": "2901",
    "share_capital": "4001",
    "capital_reserve": "4002",
    "other_comprehensive_income": "4003",
    "cta": "400301",
    "surplus_reserve": "4101",
    "current_year_profit": "4103",
    "retained_earnings": "4104",
    "treasury_shares": "4201",
    "nci": "4301",
    "revenue": "6001",
    "other_revenue": "6051",
    "investment_income": "6111",
    "share_of_profit_of_associates": "611101",
    "gain_on_disposal": "6115",
    "non_operating_income": "6301",
    "cost_of_sales": "6401",
    "admin_expense": "6602",
    "finance_expense": "6603",
    "asset_impairment_loss": "6701",
    "non_operating_expense": "6711",
    "income_tax": "6801",
}

CONTRA_ASSET_CODES = ["1231", "1471", "1512", "1602", "1603", "1702", "1703", "1712", "1502", "1622", "1632"]


@pytest.fixture(scope="module")
def chart() -> list[ChartAccount]:
    return load_group_chart()


@pytest.fixture(scope="module")
def by_code(chart: list[ChartAccount]) -> dict[str, ChartAccount]:
    return {account.code: account for account in chart}


class TestGroupChart:
    def test_counts(self, chart: list[ChartAccount]) -> None:
        official = [a for a in chart if a.code in OFFICIAL_2006_CODES]

        counts = Counter(a.type for a in chart)

        assert len(OFFICIAL_2006_CODES) == 156
        assert len(chart) == 137
        assert len(official) == 100
        assert counts == {"asset": 83, "liability": 22, "equity": 12, "income": 8, "expense": 12}

    def test_keeps_every_non_financial_account_of_the_2006_guidance(self, chart: list[ChartAccount]) -> None:
        codes = {a.code for a in chart}

        missing = set(OFFICIAL_2006_CODES) - set(FINANCIAL_ONLY_CODES) - codes

        assert missing == set()
        assert codes.isdisjoint(FINANCIAL_ONLY_CODES)

    def test_codes_are_unique(self, chart: list[ChartAccount]) -> None:
        codes = [a.code for a in chart]

        duplicates = [code for code, count in Counter(codes).items() if count > 1]

        assert duplicates == []

    def test_names_in_both_languages(self, chart: list[ChartAccount]) -> None:
        unnamed = [a.code for a in chart if not a.name.strip() or not a.name_en.strip()]
        english_without_latin = [a.code for a in chart if not a.name_en.isascii()]

        assert unnamed == []
        assert english_without_latin == []

    @pytest.mark.parametrize(("role", "code"), sorted(RULE_ROLES.items()))
    def test_rule_role_on_exactly_one_account(self, chart: list[ChartAccount], role: str, code: str) -> None:
        account = account_for_role(accounts=chart, role=role)

        assert account.code == code

    def test_every_role_present_and_unique_unless_generic(self, chart: list[ChartAccount]) -> None:
        counts = Counter(a.role for a in chart if a.role is not None)

        assert set(counts) == set(ROLES)
        assert {role for role, count in counts.items() if count > 1} == GENERIC_ROLES

    def test_generic_loans_role_covers_both_borrowings(self, chart: list[ChartAccount]) -> None:
        codes = sorted(a.code for a in chart if a.role == "loans")

        assert codes == ["2001", "2501"]
        with pytest.raises(KeyError, match="loans"):
            account_for_role(accounts=chart, role="loans")

    @pytest.mark.parametrize("code", CONTRA_ASSET_CODES)
    def test_contra_assets_are_credit_normal(self, by_code: dict[str, ChartAccount], code: str) -> None:
        account = by_code[code]

        assert (account.type, account.normal_side, account.is_contra) == ("asset", "credit", True)

    def test_treasury_shares_and_unrecognised_finance_charges_are_debit_contras(
        self, by_code: dict[str, ChartAccount]
    ) -> None:
        treasury, finance_charges = by_code["4201"], by_code["2702"]

        assert (treasury.type, treasury.normal_side, treasury.is_contra) == ("equity", "debit", True)
        assert (finance_charges.type, finance_charges.normal_side) == ("liability", "debit")

    def test_natural_sides(self, by_code: dict[str, ChartAccount]) -> None:
        sides = {
            code: (by_code[code].type, by_code[code].normal_side) for code in ("1001", "2202", "6001", "6711")
        }

        assert sides == {
            "1001": ("asset", "debit"),
            "2202": ("liability", "credit"),
            "6001": ("income", "credit"),
            "6711": ("expense", "debit"),
        }

    def test_cost_accounts_are_debit_assets(self, by_code: dict[str, ChartAccount]) -> None:
        cost_accounts = [by_code[code] for code in ("5001", "5101", "5201", "5301", "5401", "5403")]

        assert {(a.type, a.normal_side) for a in cost_accounts} == {("asset", "debit")}

    def test_prior_year_adjustment_goes_to_retained_earnings_not_profit(
        self, by_code: dict[str, ChartAccount]
    ) -> None:
        account = by_code["6901"]

        assert (account.type, account.statement_line) == ("equity", "bs.retained_earnings")

    def test_sub_accounts_sit_under_their_parent(self, by_code: dict[str, ChartAccount]) -> None:
        subs = sorted(code for code, account in by_code.items() if account.parent_code is not None)

        assert subs == ["151101", "151102", "151103", "400301", "611101", "660201"]
        assert all(by_code[code[:4]].type == by_code[code].type for code in subs)

    def test_statement_line_section_matches_type(self, chart: list[ChartAccount]) -> None:
        sections = {line.key: line.section for line in load_statement_lines()}

        mismatched = [a.code for a in chart if sections[a.statement_line] != a.type]

        assert mismatched == []

    def test_every_statement_line_is_used(self, chart: list[ChartAccount]) -> None:
        used = {a.statement_line for a in chart}

        unused = [line.key for line in load_statement_lines() if line.key not in used]

        assert unused == []


class TestValidateGroupChart:
    def test_reports_every_problem_at_once(self) -> None:
        lines = [StatementLine(key="bs.goodwill", section="asset", name="商誉", name_en="Goodwill")]
        accounts = [
            ChartAccount("1711", "商誉", "Goodwill", "asset", "debit", "goodwill", "bs.goodwill"),
            ChartAccount("1711", "商誉", "", "asset", "debit", "nci", "bs.nci"),
            ChartAccount("171101", "商誉—甲", "Goodwill - A", "equity", "credit", None, "bs.goodwill"),
        ]

        problems = validate_group_chart(accounts=accounts, lines=lines)

        assert "duplicate account code 1711" in problems
        assert "1711: needs both a Chinese and an English name" in problems
        assert "1711: role nci needs a equity account" in problems
        assert "1711: unknown statement line 'bs.nci'" in problems
        assert "171101: type equity differs from parent 1711 (asset)" in problems
        assert "171101: equity account on asset line bs.goodwill" in problems
        assert "role cta is on no account" in problems

    def test_repeated_specific_role_is_reported(self, chart: list[ChartAccount]) -> None:
        goodwill = next(a for a in chart if a.role == "goodwill")
        second = ChartAccount("1713", "商誉二", "Goodwill two", "asset", "debit", "goodwill", "bs.goodwill")

        problems = validate_group_chart(accounts=[*chart, second], lines=load_statement_lines())

        assert goodwill.code == "1711"
        assert problems == ["role goodwill is on 2 accounts"]

    def test_shipped_chart_is_clean(self, chart: list[ChartAccount]) -> None:
        problems = validate_group_chart(accounts=chart, lines=load_statement_lines())

        assert problems == []


class TestSmallEnterpriseMap:
    def test_maps_all_66_accounts_once(self) -> None:
        mappings = load_small_enterprise_map()

        local_codes = [m.local_code for m in mappings]

        assert len(mappings) == 66
        assert len(set(local_codes)) == 66

    def test_every_mapping_resolves(self, by_code: dict[str, ChartAccount]) -> None:
        unresolved = [m.local_code for m in load_small_enterprise_map() if m.group_code not in by_code]

        assert unresolved == []

    def test_codes_that_differ(self) -> None:
        mapping = {m.local_code: m.group_code for m in load_small_enterprise_map()}
        expected = {
            "3001": "4001",
            "3002": "4002",
            "3101": "4101",
            "3103": "4103",
            "3104": "4104",
            "4001": "5001",
            "4101": "5101",
            "4301": "5301",
            "5001": "6001",
            "5051": "6051",
            "5111": "6111",
            "5301": "6301",
            "5401": "6401",
            "5402": "6402",
            "5403": "6403",
            "5601": "6601",
            "5602": "6602",
            "5603": "6603",
            "5711": "6711",
            "5801": "6801",
            "1501": "1504",
        }

        actual = {code: mapping[code] for code in expected}

        assert actual == expected

    def test_local_types_follow_the_small_enterprise_classes(self, by_code: dict[str, ChartAccount]) -> None:
        # small-enterprise classes: 1 assets, 2 liabilities, 3 equity, 4 costs (assets), 5 profit and loss
        expected = {
            "1": {"asset"},
            "2": {"liability"},
            "3": {"equity"},
            "4": {"asset"},
            "5": {"income", "expense"},
        }
        types: dict[str, set[str]] = {}

        for mapping in load_small_enterprise_map():
            types.setdefault(mapping.local_code[0], set()).add(by_code[mapping.group_code].type)

        assert types == expected

    def test_validation_reports_missing_targets_and_duplicates(self, chart: list[ChartAccount]) -> None:
        mappings = [LocalMapping("3001", "实收资本", "4001"), LocalMapping("3001", "", "9999")]

        problems = validate_local_map(mappings=mappings, accounts=chart)

        assert problems == [
            "duplicate local code 3001",
            "3001: needs a name",
            "3001: group account 9999 does not exist",
        ]
