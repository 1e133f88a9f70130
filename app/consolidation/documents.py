"""The two documents a run is sealed with: its canonical inputs and its presented result.

Both are plain JSON values (`app.core.jsonable.canonical_json`: keys sorted, decimals as strings) and their
SHA-256 hashes are stored with the run, so the same inputs give the same bytes and the same hashes, and an
auditor can recompute both from the stored text. The result is presented once, here: money ROUND_HALF_UP
to 4 places (the money columns' scale), shares and rates to 12.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from app.consolidation import domain as cd
from app.consolidation.books import as_decimal
from app.consolidation.inputs_loader import RunInputs
from app.core.jsonable import to_jsonable
from app.core.money import MONEY_QUANTUM, RATIO_QUANTUM

_RATIO_FIELDS = frozenset(
    {"interest_share", "nci_share", "control_share", "share", "closing_rate", "average_rate", "rate"}
)
_RENAMED = {
    "entity": "entity_id",
    "acquisition": "acquisition_id",
    "acquiree": "acquiree_id",
    "investor": "investor_id",
    "investee": "investee_id",
    "nci_entity": "nci_entity_id",
    "counterparty": "counterparty_entity_id",
    "account": "account_code",
}


def seal(document: Any) -> tuple[str, str]:
    """The document's canonical JSON text (what is stored) and the SHA-256 of that text.

    The text is `canonical_json(document)`'s, written in one pass of the C encoder: the documents built here
    key every mapping by strings and hold their numbers as texts already (`money`, `ratio`, `_plain`), so
    only the dates are left for the encoder's `default`; no converted copy of the document is made. The
    text is needed whole anyway (it is stored), so it is hashed once, encoded once.
    """
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=to_jsonable
    )
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def money(value: Decimal) -> str:
    """Money presented: ROUND_HALF_UP to the money columns' 4 places, as its JSON text (`to_jsonable`'s form;
    the documents hold the texts, so the encoder needs no callback per number)."""
    return format(value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP), "f")


def ratio(value: Decimal) -> str:
    """A share or rate presented: ROUND_HALF_UP to 12 places, as its JSON text (see `money`)."""
    return format(value.quantize(RATIO_QUANTUM, rounding=ROUND_HALF_UP), "f")


#: Values `_plain` and `_presented` pass through as they are (checked first: the books are mostly these).
_LEAVES = frozenset({str, int, bool, type(None), date})


def _row_key(row: list[Any]) -> tuple[str, ...]:
    return tuple("" if x is None else str(x) for x in row[:-1])


def _plain(value: Any) -> Any:
    """Engine inputs as JSON values, exactly (no rounding): mappings keyed by tuples become sorted rows."""
    kind = type(value)
    if kind is Decimal:
        return format(value, "f")  # exactly (`to_jsonable`'s text, without the encoder's callback)
    if kind in _LEAVES:
        return value
    if kind is dict and value and all(type(k) is tuple and len(k) == 2 for k in value):
        if all(type(a) is str and (b is None or type(b) is str) for a, b in value):
            # (account, counterparty) books: the same order as `_row_key`'s, without a tuple per row.
            items = sorted(value.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
            return [[a, b, _plain(v)] for (a, b), v in items]
        return sorted(([*k, _plain(v)] for k, v in value.items()), key=_row_key)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        if any(isinstance(k, tuple) for k in value):
            return sorted(([*k, _plain(v)] for k, v in value.items()), key=_row_key)
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return value


def inputs_document(inputs: RunInputs) -> dict[str, Any]:
    """Everything the engine was given, with the names the result shows."""
    document = {key: _plain(value) for key, value in inputs.engine_kwargs().items()}
    document["account_names"] = dict(sorted(inputs.chart.names.items()))
    document["entities"] = {
        e.id: {"code": e.code, "name": e.name, "functional_currency": e.functional_currency}
        for e in sorted(inputs.entities.values(), key=lambda e: e.id)
    }
    return document


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def _presented_fields(kind: type) -> tuple[tuple[str, str], ...]:
    """A result dataclass's (field, presented name) pairs, worked out once per class."""
    pairs = _FIELDS.get(kind)
    if pairs is None:
        pairs = tuple((f.name, _RENAMED.get(f.name, f.name)) for f in dataclasses.fields(kind))
        _FIELDS[kind] = pairs
    return pairs


def _presented(value: Any, name: str = "") -> Any:
    kind = type(value)
    if kind is Decimal:
        return ratio(value) if name in _RATIO_FIELDS else money(value)
    if kind in _LEAVES:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for field, shown in _presented_fields(kind):
            item = getattr(value, field)
            leaf = type(item)
            if leaf is Decimal:
                out[shown] = ratio(item) if field in _RATIO_FIELDS else money(item)
            elif leaf in _LEAVES:
                out[shown] = item
            else:
                out[shown] = _presented(item, field)
        return out
    if isinstance(value, Decimal):
        return ratio(value) if name in _RATIO_FIELDS else money(value)
    if isinstance(value, list | tuple):
        return [_presented(v, name) for v in value]
    return value


def _statement(lines: tuple[cd.StatementLine, ...], names: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "account_code": s.account,
            "name": names.get(s.account, s.account),
            "type": s.type,
            "amount": money(s.amount),
        }
        for s in lines
    ]


def result_document(result: cd.ConsolidationResult, inputs: RunInputs) -> dict[str, Any]:
    """The run's answer in the API's shape (API.md "Consolidation"), presented."""
    entities = inputs.entities
    return {
        "parent_id": result.parent,
        "as_of": result.as_of,
        "period_start": result.period_start,
        "currency": result.presentation_currency,
        "status": "consolidated" if result.consolidated else "unreconciled",
        "consolidated": result.consolidated,
        "scope": [
            {
                "entity_id": s.entity,
                "code": entities[s.entity].code,
                "name": entities[s.entity].name,
                "method": s.method,
                "interest_share": ratio(as_decimal(s.interest_share)),
                "control_share": ratio(as_decimal(s.control_share)),
                "nci_share": ratio(1 - as_decimal(s.interest_share)),
                "control_since": s.control_since,
            }
            for s in result.scope
        ],
        "balance_sheet": _statement(result.balance_sheet, inputs.chart.names),
        "income_statement": _statement(result.income_statement, inputs.chart.names),
        "figures": _presented(result.figures),
        "comprehensive_income": _presented(result.comprehensive_income),
        "eliminations": _presented(result.eliminations),
        "intercompany_differences": _presented(result.intercompany_differences),
        "subsidiaries": _presented(result.subsidiaries),
        "goodwill": _presented(result.goodwill),
        "associates": _presented(result.associates),
        "translations": _presented(result.translations),
        "profit_by_entity": [
            {"entity_id": e, "profit": money(p)} for e, p in sorted(result.profit_by_entity.items())
        ],
    }
