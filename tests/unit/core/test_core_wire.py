"""Decimals travel as strings; floats are refused; the schema says string."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from app.core.wire import MoneyStr, ShareStr


class Sample(BaseModel):
    amount: MoneyStr
    share: ShareStr


class TestWireDecimals:
    def test_strings_parse_exactly_and_serialize_as_strings(self) -> None:
        sample = Sample.model_validate_json('{"amount": "12345678901234.5678", "share": "0.8"}')

        assert sample.amount == Decimal("12345678901234.5678")
        assert sample.model_dump_json() == '{"amount":"12345678901234.5678","share":"0.8"}'

    def test_json_floats_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="JSON strings"):
            Sample.model_validate_json('{"amount": 0.1, "share": "0.5"}')

    def test_integers_are_exact_and_accepted(self) -> None:
        assert Sample.model_validate_json('{"amount": 100, "share": 1}').amount == Decimal(100)

    @pytest.mark.parametrize("bad", ['"abc"', '"NaN"', '"Infinity"', '"1.00001"', '"1e400"'])
    def test_junk_and_too_many_places_are_refused(self, bad: str) -> None:
        with pytest.raises(ValidationError):
            Sample.model_validate_json('{"amount": ' + bad + ', "share": "0.5"}')

    def test_shares_stay_within_zero_and_one(self) -> None:
        with pytest.raises(ValidationError):
            Sample.model_validate_json('{"amount": "1", "share": "1.01"}')

    def test_schema_documents_a_decimal_string(self) -> None:
        schema = Sample.model_json_schema(mode="serialization")

        assert schema["properties"]["amount"]["type"] == "string"
        assert schema["properties"]["amount"]["format"] == "decimal"
        assert Sample.model_json_schema()["properties"]["share"]["type"] == "string"
