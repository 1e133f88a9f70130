"""Unified social credit code check (GB 32100-2015)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.entities.uscc import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    is_valid_uscc,
    make_uscc,
    organization_code_check_char,
    uscc_check_char,
    validate_uscc,
)

DOMAIN_EXAMPLES = ("91110000600037341L", "91110108551385082Q", "91350100M000100Y43")


class TestUsccCheckChar:
    def test_weights_are_powers_of_three_mod_31(self) -> None:
        expected = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

        weights = USCC_WEIGHTS

        assert weights == expected

    @pytest.mark.parametrize("code", DOMAIN_EXAMPLES)
    def test_reproduces_the_check_character_of_registered_codes(self, code: str) -> None:
        first17 = code[:17]

        check = uscc_check_char(first17=first17)

        assert check == code[17]

    def test_letters_first_code_worked_by_hand(self) -> None:
        # Y=30,1,1,1,0,1,0,8,M=21,A=10,0,0,0,0,0,1,9 weighted: 1223; 1223 mod 31 = 14; 31-14 = 17 -> 'H'
        first17 = "Y1110108MA0000019"

        check = uscc_check_char(first17=first17)

        assert check == "H"

    def test_sum_divisible_by_31_gives_zero_not_31(self) -> None:
        first17 = "0" * 17

        check = uscc_check_char(first17=first17)

        assert check == "0"

    @pytest.mark.parametrize("first17", ["9111000060003734", "9111000060003734I", "9111000060003734a"])
    def test_rejects_bad_input(self, first17: str) -> None:
        with pytest.raises(ValueError, match="characters"):
            uscc_check_char(first17=first17)


class TestValidateUscc:
    @pytest.mark.parametrize("code", DOMAIN_EXAMPLES)
    def test_accepts_the_domain_examples(self, code: str) -> None:
        problems = validate_uscc(code)

        assert problems == []
        assert is_valid_uscc(code)

    def test_accepts_a_letters_first_code(self) -> None:
        code = "Y1110108MA0000019H"

        problems = validate_uscc(code)

        assert problems == []

    def test_accepts_letters_in_the_registration_kind(self) -> None:
        code = make_uscc(registration_authority="N", kind="2", region="110105", body="MA0000019")

        problems = validate_uscc(code)

        assert code == "N2110105MA0000019B"
        assert problems == []

    def test_altered_check_character_names_the_expected_one(self) -> None:
        code = "91110000600037341M"

        problems = validate_uscc(code)

        assert problems == ["check character is 'M', expected 'L'"]

    def test_altered_body_character_is_rejected(self) -> None:
        code = "91110000600037351L"

        problems = validate_uscc(code)

        assert len(problems) == 1
        assert problems[0].startswith("check character is 'L', expected")
        assert not is_valid_uscc(code)

    def test_swapped_neighbours_are_rejected(self) -> None:
        code = "91110108553185082Q"

        valid = is_valid_uscc(code)

        assert not valid

    def test_wrong_length(self) -> None:
        code = "91110000600037341"

        problems = validate_uscc(code)

        assert problems == ["must be 18 characters, got 17"]

    def test_lower_case_is_rejected_not_normalised(self) -> None:
        code = "91350100m000100y43"

        problems = validate_uscc(code)

        assert problems == [
            "lower-case letters at positions 9 ('m'), 16 ('y'): a USCC is written in upper case",
        ]

    @pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
    def test_excluded_letters_are_rejected(self, letter: str) -> None:
        code = "91110000" + letter + "00037341L"

        problems = validate_uscc(code)

        assert problems == [
            f"invalid characters at positions 9 ({letter!r}): "
            "only digits and upper-case letters other than I, O, S, V, Z are used"
        ]

    def test_reports_every_problem_at_once(self) -> None:
        code = "91110000600037341l-"

        problems = validate_uscc(code)

        assert problems == [
            "must be 18 characters, got 19",
            "lower-case letters at positions 18 ('l'): a USCC is written in upper case",
            "invalid characters at positions 19 ('-'): "
            "only digits and upper-case letters other than I, O, S, V, Z are used",
        ]

    def test_empty_string(self) -> None:
        problems = validate_uscc("")

        assert problems == ["must be 18 characters, got 0"]


class TestOrganizationCode:
    @pytest.mark.parametrize("code", DOMAIN_EXAMPLES)
    def test_domain_examples_carry_valid_organisation_codes(self, code: str) -> None:
        body = code[8:17]

        check = organization_code_check_char(first8=body[:8])

        assert check == body[8]

    def test_ten_is_written_x(self) -> None:
        # only the last position counts: 6 x 2 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> 'X'
        first8 = "00000006"

        check = organization_code_check_char(first8=first8)

        assert check == "X"

    def test_eleven_is_written_zero(self) -> None:
        first8 = "00000000"

        check = organization_code_check_char(first8=first8)

        assert check == "0"


class TestMakeUscc:
    def test_defaults_build_a_beijing_company_code(self) -> None:
        code = make_uscc(body="600037341")

        assert code == "91110000600037341L"

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"registration_authority": "I"}, "registration_authority"),
            ({"kind": "12"}, "kind"),
            ({"region": "11000A"}, "region"),
            ({"body": "60003734"}, "body"),
        ],
    )
    def test_rejects_bad_parts(self, kwargs: dict[str, str], message: str) -> None:
        arguments = {"body": "600037341", **kwargs}

        with pytest.raises(ValueError, match=message):
            make_uscc(**arguments)


_usc_char = st.sampled_from(USCC_ALPHABET)
_region = st.text(alphabet="0123456789", min_size=6, max_size=6)
_body = st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9)


class TestUsccProperties:
    @settings(max_examples=200, deadline=None)
    @given(authority=_usc_char, kind=_usc_char, region=_region, body=_body)
    def test_make_uscc_always_validates(self, authority: str, kind: str, region: str, body: str) -> None:
        code = make_uscc(registration_authority=authority, kind=kind, region=region, body=body)

        assert validate_uscc(code) == []

    @settings(max_examples=300, deadline=None)
    @given(region=_region, body=_body, position=st.integers(min_value=0, max_value=17), data=st.data())
    def test_any_single_character_change_breaks_it(
        self, region: str, body: str, position: int, data: st.DataObject
    ) -> None:
        code = make_uscc(region=region, body=body)
        replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
        altered = code[:position] + replacement + code[position + 1 :]

        valid = is_valid_uscc(altered)

        assert not valid
