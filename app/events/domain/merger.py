"""Mergers: absorption (吸收合并) and new establishment (新设合并), under common control at carrying amounts.

Absorption: the survivor takes over every asset (identity and history kept: the asset register re-homes each
asset), every liability and every balance of the absorbed company, which then becomes `merged`:
- the absorbed company's books are emptied on the merger date by one entry reversing every balance, and the
  survivor's entry takes them over at the carrying amounts, counterparty tags kept;
- balances between the parties cancel: the survivor's receivable from the absorbed against the absorbed's
  payable to the survivor (they must agree: a difference is a violation, reconcile first); income and expense
  of the year between the parties cancel when they net to zero (else they are carried untagged, and said so);
- an investment of one party in another is cancelled against the absorbed company's paid-in capital and
  capital reserve (its contributed capital); retained earnings, surplus reserve, OCI and the year's
  results are carried as they are (common control: the combined party's results count from the start
  of the period);
- the absorbed company's holdings in other companies pass to the survivor (added to the survivor's own);
- the absorbed company's other shareholders receive registered capital of the survivor by the exchange ratio
  (survivor capital per unit of absorbed capital) and every holding in the survivor is recomputed from the
  capital amounts; what the survivor issues is credited to paid-in capital at par;
- the rest (contributed capital taken over - investments cancelled - par issued) goes to capital reserve when
  positive; when negative it is charged to capital reserve, then surplus reserve, then retained earnings;
- other group companies' balances tagged with the absorbed company are re-tagged to the survivor.

New establishment: the same, into a company founded on the merger date (`NEW_ENTITY` until it exists), every
party being absorbed.

The consolidated statements of the group are unchanged by the merger itself: what leaves one company's books
enters the survivor's at the same amounts, and what cancels was eliminated on consolidation before.
"""

from __future__ import annotations

from app.events.domain.holding_facts import method_changes, ownership
from app.events.domain.merger_books import plan_books
from app.events.domain.merger_holdings import plan_holdings
from app.events.domain.merger_model import ABSORPTION, NEW_ESTABLISHMENT, MergerFacts, MergerTerms
from app.events.domain.model import (
    BOOKS,
    NEW_ENTITY,
    AssetRehoming,
    EntityChange,
    EventPlan,
    HoldingState,
    MethodChange,
    Violation,
    figures,
)
from app.ownership import domain as od

__all__ = ["ABSORPTION", "NEW_ESTABLISHMENT", "MergerFacts", "MergerTerms", "plan_merger"]


def _validate(terms: MergerTerms, facts: MergerFacts, survivor: str) -> list[Violation]:
    out: list[Violation] = []
    if not terms.absorbed:
        out.append(Violation(("body", "absorbed_ids"), "name the companies that are merged", "empty"))
    if len(set(terms.absorbed)) != len(terms.absorbed):
        out.append(Violation(("body", "absorbed_ids"), "a company is named twice", "duplicate"))
    if terms.kind == ABSORPTION:
        if terms.survivor is None:
            out.append(Violation(("body", "survivor_id"), "the surviving company is missing", "missing"))
        elif terms.survivor in terms.absorbed:
            out.append(
                Violation(("body", "survivor_id"), "a company cannot be merged into itself", "self_merge")
            )
    elif terms.new_entity is None:
        out.append(Violation(("body", "new_entity"), "the new company is missing", "missing"))
    elif facts.new_code_taken:
        out.append(Violation(("body", "new_entity", "code"), "the code is taken", "code_taken"))
    if len(terms.absorbed) < (2 if terms.kind == NEW_ESTABLISHMENT else 1):
        out.append(
            Violation(
                ("body", "absorbed_ids"), "a new establishment merges at least two companies", "too_few"
            )
        )
    currencies: set[str] = set()
    named = [*terms.absorbed] + ([terms.survivor] if terms.kind == ABSORPTION and terms.survivor else [])
    for index, entity_id in enumerate(named):
        loc: tuple[str | int, ...] = (
            ("body", "absorbed_ids", index) if index < len(terms.absorbed) else ("body", "survivor_id")
        )
        party = facts.parties.get(entity_id)
        if party is None:
            out.append(Violation(loc, f"no entity {entity_id}", "unknown_entity"))
            continue
        if not party.keeps_books:
            out.append(
                Violation(loc, f"{party.code} is an outside party, not a group company", "not_company")
            )
        if not party.exists:
            out.append(
                Violation(loc, f"{party.code} does not exist on {terms.on.isoformat()}", "entity_not_active")
            )
        currencies.add(party.functional_currency)
    if terms.new_entity is not None and terms.kind == NEW_ESTABLISHMENT:
        currencies.add(terms.new_entity.functional_currency)
    if len(currencies) > 1:
        out.append(
            Violation(("body",), "the parties keep their books in different currencies", "currencies_differ")
        )
    for entity_id in sorted(facts.closed):
        code = facts.parties[entity_id].code if entity_id in facts.parties else entity_id
        out.append(
            Violation(
                ("body", "merged_on"),
                f"the month of the merger is closed in the books of {code}",
                "period_closed",
            )
        )
    absorbed = set(terms.absorbed)
    if terms.kind == ABSORPTION:
        for h in facts.holdings:
            if h.holder in absorbed and h.investee == survivor:
                code = facts.parties[h.holder].code if h.holder in facts.parties else h.holder
                out.append(
                    Violation(
                        ("body", "absorbed_ids"),
                        f"{code} holds shares of the survivor: they would become its own shares; "
                        "transfer or cancel them first",
                        "reverse_holding",
                    )
                )
    return out


def plan_merger(*, terms: MergerTerms, facts: MergerFacts) -> EventPlan:
    """The plan of a merger (module docstring), every violation included: the holdings
    (merger_holdings.py), the entries (merger_books.py), the entities and assets, the methods."""
    survivor = terms.survivor if terms.kind == ABSORPTION and terms.survivor else NEW_ENTITY
    violations = _validate(terms, facts, survivor)
    parties = set(terms.absorbed) | {survivor}
    on = terms.on
    held = plan_holdings(terms=terms, facts=facts, survivor=survivor, parties=parties)
    violations += held.violations
    books = plan_books(
        terms=terms, facts=facts, survivor=survivor, parties=parties, new_capital=held.new_capital
    )
    violations += books.violations
    entity_changes: list[EntityChange] = []
    if terms.kind == NEW_ESTABLISHMENT and terms.new_entity is not None:
        entity_changes.append(EntityChange("created", NEW_ENTITY, on, new_entity=terms.new_entity))
    entity_changes += [EntityChange("merged", a, on, into_id=survivor) for a in terms.absorbed]
    rehomings = tuple(
        AssetRehoming(asset_id=asset_id, tag=tag, from_entity_id=a, to_entity_id=survivor, on=on)
        for a in terms.absorbed
        for asset_id, tag in facts.assets.get(a, ())
    )
    holdings_after = held.after
    methods, found = _methods(terms, facts, holdings_after)
    violations += found
    split = books.split
    touched = {survivor, *terms.absorbed, *held.passed}
    return EventPlan(
        kind=f"merger_{terms.kind}",
        effective_on=on,
        group_parent_id=facts.parent,
        classification="merger",
        holdings_before=tuple(
            h for h in facts.holdings if h.investee in touched or h.holder in terms.absorbed
        ),
        holdings_after=tuple(h for h in holdings_after if h.investee in touched or h.holder == survivor),
        methods=tuple(methods),
        stake_changes=tuple(held.stake_changes),
        entity_changes=tuple(entity_changes),
        entries=tuple(e for e in books.entries if e.layer == BOOKS),
        asset_rehomings=rehomings,
        figures=figures(
            {
                "assets_less_liabilities_taken_over": books.assets_less_liabilities_taken_over,
                "contributed_capital_taken_over": books.contributed_capital_taken_over,
                "investments_cancelled": books.investments_cancelled,
                "new_capital_issued": books.new_capital_issued,
                "capital_reserve_adjustment": books.capital_reserve_adjustment,
                "capital_reserve_change": split.capital_reserve,
                "surplus_reserve_change": split.surplus_reserve,
                "retained_earnings_change": split.retained_earnings,
            }
        ),
        notes=tuple(books.notes),
        treatment=(
            ("combination", "under_common_control"),
            ("measurement", "carrying_amounts"),
            ("pnl_from", "period_start"),
            ("consolidated_statements", "unchanged"),
        ),
        violations=tuple(violations),
    )


def _methods(
    terms: MergerTerms, facts: MergerFacts, holdings_after: list[HoldingState]
) -> tuple[list[MethodChange], list[Violation]]:
    """The method changes the merger makes (an absorbed company's: `merged`), or why they cannot be told."""
    try:
        before = ownership(parent=facts.parent, holdings=list(facts.holdings), overrides=facts.overrides)
        after = ownership(parent=facts.parent, holdings=holdings_after, overrides=facts.overrides)
        changes = [
            m if m.entity_id not in terms.absorbed else _merged(m)
            for m in method_changes(before=before, after=after, focus=facts.parent)
            if m.entity_id != facts.parent or m.classification != "unchanged"
        ]
    except od.OwnershipError as error:
        found = Violation(("body",), f"the holdings cannot be evaluated: {error}", "ownership_not_computable")
        return [], [found]
    return changes, []


def _merged(change: MethodChange) -> MethodChange:
    return MethodChange(
        entity_id=change.entity_id,
        method_before=change.method_before,
        method_after=None,
        control_before=change.control_before,
        control_after=change.control_after,
        interest_before=change.interest_before,
        interest_after=change.interest_after,
        classification="merged",
    )
