"""A plan as the JSON document answered by a preview, answered by the commit and stored with the event.

Decimals are strings (money with its 4 places, shares without trailing zeros); nothing is a float. The same
function produces all three, so "the commit is exactly the preview" can be checked by comparing documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.events.domain import EventPlan, HoldingState, PlannedEntry
from app.events.domain.model import plain


def _share(value: Decimal) -> str:
    return format(plain(value), "f")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _holding(h: HoldingState | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "holder_id": h.holder,
        "investee_id": h.investee,
        "share": _share(h.share),
        "voting_share": _share(h.voting_share),
        "capital_amount": _money(h.capital),
    }


def _entry(e: PlannedEntry) -> dict[str, Any]:
    return {
        "entity_id": e.entity_id,
        "entry_date": e.entry_date.isoformat(),
        "layer": e.layer,
        "description": e.description,
        "lines": [
            {
                "account_code": ln.account_code,
                "debit": _money(ln.debit),
                "credit": _money(ln.credit),
                "counterparty_entity_id": ln.counterparty_entity_id,
            }
            for ln in e.lines
        ],
    }


def plan_document(plan: EventPlan) -> dict[str, Any]:
    """The plan as a JSON-ready dict (see the module docstring)."""
    return {
        "kind": plan.kind,
        "effective_on": plan.effective_on.isoformat(),
        "group_parent_id": plan.group_parent_id,
        "classification": plan.classification,
        "ok": plan.ok,
        "holdings_before": [_holding(h) for h in plan.holdings_before],
        "holdings_after": [_holding(h) for h in plan.holdings_after],
        "methods": [
            {
                "entity_id": m.entity_id,
                "method_before": m.method_before,
                "method_after": m.method_after,
                "control_before": _share(m.control_before),
                "control_after": _share(m.control_after),
                "interest_before": _share(m.interest_before),
                "interest_after": _share(m.interest_after),
                "classification": m.classification,
            }
            for m in plan.methods
        ],
        "stake_changes": [
            {
                "holder_id": c.holder,
                "investee_id": c.investee,
                "before": _holding(c.before),
                "after": _holding(c.after),
            }
            for c in plan.stake_changes
        ],
        "entity_changes": [
            {
                "kind": c.kind,
                "entity_id": c.entity_id,
                "on": c.on.isoformat(),
                "into_id": c.into_id,
                "new_entity": None
                if c.new_entity is None
                else {
                    "code": c.new_entity.code,
                    "name": c.new_entity.name,
                    "name_en": c.new_entity.name_en,
                    "functional_currency": c.new_entity.functional_currency,
                    "uscc": c.new_entity.uscc,
                    "country": c.new_entity.country,
                    "segment": c.new_entity.segment,
                },
            }
            for c in plan.entity_changes
        ],
        "entries": [_entry(e) for e in plan.entries],
        "asset_rehomings": [
            {
                "asset_id": r.asset_id,
                "tag": r.tag,
                "from_entity_id": r.from_entity_id,
                "to_entity_id": r.to_entity_id,
                "on": r.on.isoformat(),
            }
            for r in plan.asset_rehomings
        ],
        "figures": {name: _money(value) for name, value in plan.figures},
        "treatment": dict(plan.treatment),
        "notes": list(plan.notes),
        "violations": [{"loc": list(v.loc), "msg": v.msg, "type": v.type} for v in plan.violations],
    }


def replace_ids(document: Any, mapping: Mapping[str, str]) -> Any:
    """The document with the symbolic id `NEW_ENTITY` (the company a new-establishment merger founds) replaced
    by the real one, wherever it appears."""
    if isinstance(document, dict):
        return {k: replace_ids(v, mapping) for k, v in document.items()}
    if isinstance(document, list):
        return [replace_ids(v, mapping) for v in document]
    if isinstance(document, str):
        return mapping.get(document, document)
    return document
