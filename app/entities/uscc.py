"""Unified social credit code (统一社会信用代码) check, GB 32100-2015.

Every Chinese legal entity carries an 18-character USCC. Registering a company under a mistyped code would
make it a different legal person in every later export to auditors and regulators, so the code is checked
when it is entered. The check character (position 18) is computed from positions 1..17:

- characters come from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z), valued 0..30 in that order;
- position i (1-based) has weight 3^(i-1) mod 31;
- check value = 31 - (sum of value x weight mod 31), with 31 meaning 0, mapped back through the same
  characters.

Positions 1 and 2 (registration authority and kind) may be letters (for example ``Y`` "other authority"):
this check accepts them, unlike python-stdnum's. Lower case is rejected rather than silently upper-cased:
the code is an official identifier and is stored exactly as issued.

Positions 9..17 are the organisation code of GB 11714-1997, which has its own check character;
``organization_code_check_char`` computes it so generated demo codes look like issued ones. The USCC check
itself (``validate_uscc``) deliberately does not enforce it: the domain rule is GB 32100 only, and some
registered codes would fail a stricter test. Overriding a failed check for a registered pilot-era code is an
audited admin act handled by the entity service, never here.
"""

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
_MODULUS = 31
_VALUES: dict[str, int] = {char: value for value, char in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, index, _MODULUS) for index in range(USCC_LENGTH - 1))

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_MODULUS = 11


def _invalid_positions(text: str) -> list[int]:
    """1-based positions of characters outside the USCC alphabet."""
    return [index + 1 for index, char in enumerate(text) if char not in _VALUES]


def uscc_check_char(*, first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a USCC.

    Raises:
        ValueError: ``first17`` is not exactly 17 characters of the USCC alphabet.
    """
    if len(first17) != USCC_LENGTH - 1:
        raise ValueError(f"need the first {USCC_LENGTH - 1} characters, got {len(first17)}")
    bad = _invalid_positions(first17)
    if bad:
        raise ValueError(f"characters outside the USCC alphabet at positions {bad}")
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    check_value = (_MODULUS - total % _MODULUS) % _MODULUS
    return USCC_ALPHABET[check_value]


def _describe(text: str, positions: list[int]) -> str:
    return ", ".join(f"{position} ({text[position - 1]!r})" for position in positions)


def validate_uscc(code: str) -> list[str]:
    """Return every problem found in ``code`` as a short message; an empty list means valid.

    All problems are reported at once (length, lower case, foreign characters, wrong check character) so a
    user fixing a form sees everything in one round trip. The check character is only verified when the
    length is right and the first 17 characters are valid, because otherwise no expected value exists.
    """
    problems: list[str] = []
    if len(code) != USCC_LENGTH:
        problems.append(f"must be {USCC_LENGTH} characters, got {len(code)}")
    lower = [i + 1 for i, char in enumerate(code) if char != char.upper() and char.upper() in _VALUES]
    foreign = [i + 1 for i, char in enumerate(code) if char not in _VALUES and i + 1 not in lower]
    if lower:
        problems.append(
            f"lower-case letters at positions {_describe(code, lower)}: a USCC is written in upper case"
        )
    if foreign:
        problems.append(
            f"invalid characters at positions {_describe(code, foreign)}: "
            "only digits and upper-case letters other than I, O, S, V, Z are used"
        )
    if len(code) == USCC_LENGTH and not _invalid_positions(code[:-1]):
        expected = uscc_check_char(first17=code[:-1])
        if code[-1] != expected:
            problems.append(f"check character is {code[-1]!r}, expected {expected!r}")
    return problems


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` passes every check of ``validate_uscc``."""
    return not validate_uscc(code)


def organization_code_check_char(*, first8: str) -> str:
    """Return the GB 11714-1997 check character of an 8-character organisation code body.

    Digits are worth 0..9 and letters A..Z 10..35; weights 3, 7, 9, 10, 5, 8, 4, 2; check =
    11 - (sum mod 11), where 10 is written ``X`` and 11 is written ``0``.

    Raises:
        ValueError: ``first8`` is not 8 digits or upper-case letters.
    """
    if len(first8) != len(_ORG_CODE_WEIGHTS) or not all(
        c.isascii() and (c.isdigit() or c.isupper()) for c in first8
    ):
        raise ValueError(f"an organisation code body is 8 digits or upper-case letters, got {first8!r}")
    total = sum(int(char, 36) * weight for char, weight in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check_value = _ORG_CODE_MODULUS - total % _ORG_CODE_MODULUS
    if check_value == _ORG_CODE_MODULUS:
        return "0"
    if check_value == _ORG_CODE_MODULUS - 1:
        return "X"
    return str(check_value)


def make_uscc(
    *, registration_authority: str = "9", kind: str = "1", region: str = "110000", body: str
) -> str:
    """Build a valid USCC from its parts, appending the check character (used for demo and test data).

    ``registration_authority`` and ``kind`` are one character each (9/1: a company registered with market
    regulation), ``region`` the six-digit administrative division code (110000 Beijing), ``body`` the
    nine-character organisation code (see ``organization_code_check_char`` to build a realistic one).

    Raises:
        ValueError: a part has the wrong length or characters outside the USCC alphabet.
    """
    problems: list[str] = []
    if len(registration_authority) != 1 or registration_authority not in _VALUES:
        problems.append(f"registration_authority must be one USCC character, got {registration_authority!r}")
    if len(kind) != 1 or kind not in _VALUES:
        problems.append(f"kind must be one USCC character, got {kind!r}")
    if len(region) != 6 or not all(char in "0123456789" for char in region):
        problems.append(f"region must be six digits, got {region!r}")
    if len(body) != 9 or _invalid_positions(body):
        problems.append(f"body must be nine USCC characters, got {body!r}")
    if problems:
        raise ValueError("; ".join(problems))
    first17 = registration_authority + kind + region + body
    return first17 + uscc_check_char(first17=first17)
