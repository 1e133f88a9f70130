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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.events.domain.capital import CapitalTable, capital_table
from app.events.domain.holding_facts import PartyFacts, method_changes, ownership
from app.events.domain.model import (
    BOOKS,
    NEW_ENTITY,
    AssetRehoming,
    EntityChange,
    EventAccounts,
    EventPlan,
    HoldingState,
    MethodChange,
    NewEntity,
    PlannedEntry,
    PlannedLine,
    StakeChange,
    Violation,
    allocate_shares,
    entry,
    figures,
    frac,
    line,
    money,
    share,
)
from app.events.domain.reserves import split_equity_change
from app.ownership import domain as od

Key = tuple[str, str | None]
_ZERO = Fraction(0)
ABSORPTION = "absorption"
NEW_ESTABLISHMENT = "new_establishment"


@dataclass(frozen=True)
class MergerFacts:
    """The group on the merger date, before the merger (loaded by the service)."""

    parent: str
    holdings: tuple[HoldingState, ...]
    parties: Mapping[str, PartyFacts]
    accounts: EventAccounts
    #: account code -> type (asset, liability, equity, income, expense)
    account_types: Mapping[str, str]
    #: debit-positive balances per (account, counterparty) on the merger date, for the survivor, every
    #: absorbed company and every other company whose books hold balances tagged with an absorbed company
    balances: Mapping[str, Mapping[Key, Fraction]]
    #: (asset id, tag) of the assets each absorbed company holds on the date
    assets: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    closed: frozenset[str] = frozenset()
    overrides: tuple[od.MethodOverride, ...] = ()
    new_code_taken: bool = False


@dataclass(frozen=True)
class MergerTerms:
    kind: str
    survivor: str | None
    absorbed: tuple[str, ...]
    on: date
    exchange_ratios: Mapping[str, Decimal]
    registered_capitals: Mapping[str, Decimal] = field(default_factory=dict)
    new_entity: NewEntity | None = None


def _is_pnl(facts: MergerFacts, code: str) -> bool:
    return facts.account_types.get(code) in ("income", "expense")


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
    """The plan of a merger (module docstring), every violation included."""
    survivor = terms.survivor if terms.kind == ABSORPTION and terms.survivor else NEW_ENTITY
    violations = _validate(terms, facts, survivor)
    parties = set(terms.absorbed) | {survivor}
    accounts = facts.accounts
    contributed = {accounts.share_capital, accounts.capital_reserve}
    investments = accounts.investment_accounts()
    on = terms.on

    # --- holdings
    holdings = list(facts.holdings)
    ended = [h for h in holdings if h.holder in terms.absorbed or h.investee in terms.absorbed]
    kept = [h for h in holdings if h not in ended]
    stake_changes: list[StakeChange] = [StakeChange(h.holder, h.investee, h, None) for h in ended]
    passed: dict[str, list[HoldingState]] = {}
    for h in ended:
        if h.holder in terms.absorbed and h.investee not in parties:
            passed.setdefault(h.investee, []).append(h)
    new_holdings: list[HoldingState] = []
    for investee in sorted(passed):
        own = next((h for h in kept if h.holder == survivor and h.investee == investee), None)
        parts = passed[investee] + ([own] if own else [])
        capitals = [h.capital for h in parts]
        after = HoldingState(
            holder=survivor,
            investee=investee,
            share=sum((h.share for h in parts), Decimal(0)),
            voting_share=sum((h.voting_share for h in parts), Decimal(0)),
            capital=sum((c for c in capitals if c is not None), Decimal(0))
            if all(c is not None for c in capitals)
            else None,
        )
        stake_changes.append(StakeChange(survivor, investee, own, after))
        if own is not None:
            kept.remove(own)
        new_holdings.append(after)
    # shares of the survivor for the absorbed companies' other shareholders
    issued: dict[str, Fraction] = {}
    for absorbed in terms.absorbed:
        outside = [h for h in ended if h.investee == absorbed and h.holder not in parties]
        table, found = capital_table(
            investee=absorbed,
            holdings=[h for h in holdings if h.investee == absorbed],
            registered_capital=terms.registered_capitals.get(absorbed),
            loc=("body", "registered_capitals", absorbed),
        )
        violations += found
        if not outside and (table.registered is None or table.outside_capital == 0):
            continue
        ratio = terms.exchange_ratios.get(absorbed)
        if ratio is None or ratio <= 0:
            violations.append(
                Violation(
                    ("body", "exchange_ratios", absorbed),
                    "the exchange ratio (survivor capital per unit of the absorbed company's capital) "
                    "is missing",
                    "exchange_ratio_missing",
                )
            )
            continue
        if table.registered is None:
            violations.append(
                Violation(
                    ("body", "registered_capitals", absorbed),
                    "the absorbed company's registered capital is unknown",
                    "registered_capital_unknown",
                )
            )
            continue
        for h in outside:
            issued[h.holder] = issued.get(h.holder, _ZERO) + table.capital_of(h.holder) * frac(ratio)
    survivor_holders = [h for h in kept if h.investee == survivor]
    new_capital = sum(issued.values(), _ZERO)
    if new_capital > 0:
        survivor_table: CapitalTable | None = None
        registered: Fraction | None = _ZERO
        if terms.kind == ABSORPTION:
            survivor_table, found = capital_table(
                investee=survivor,
                holdings=survivor_holders,
                registered_capital=terms.registered_capitals.get(survivor),
                loc=("body", "registered_capitals", survivor),
            )
            violations += found
            registered = survivor_table.registered
            if registered is None:
                violations.append(
                    Violation(
                        ("body", "registered_capitals", survivor),
                        "the survivor's registered capital is unknown",
                        "registered_capital_unknown",
                    )
                )
        if registered is not None:
            total = registered + new_capital
            names = sorted({h.holder for h in survivor_holders} | set(issued))
            held = {
                name: (survivor_table.capital_of(name) if survivor_table is not None else _ZERO)
                + issued.get(name, _ZERO)
                for name in names
            }
            unrecorded = total - sum(held.values(), _ZERO)
            portions = [held[n] / total for n in names] + ([unrecorded / total] if unrecorded > 0 else [])
            shares = dict(zip(names, allocate_shares(portions)[: len(names)], strict=True))
            for name in names:
                old = next((h for h in survivor_holders if h.holder == name), None)
                votes = (
                    shares[name]
                    if old is None or old.voting_share == old.share
                    else share(
                        (frac(old.voting_share) * (total - new_capital) + issued.get(name, _ZERO)) / total
                    )
                )
                after = HoldingState(
                    holder=name,
                    investee=survivor,
                    share=shares[name],
                    voting_share=votes,
                    capital=money(held[name]),
                )
                if after != old:
                    stake_changes.append(StakeChange(name, survivor, old, after))
                    if old is not None:
                        kept.remove(old)
                    new_holdings.append(after)
    holdings_after = kept + new_holdings

    # --- books
    entries: list[PlannedEntry] = []
    carried: list[PlannedLine] = []
    contributed_total = _ZERO
    investments_cancelled = _ZERO
    intercompany = _ZERO
    pnl_between: list[tuple[str, Key, Fraction]] = []
    taken_over = _ZERO
    for absorbed in terms.absorbed:
        balances = facts.balances.get(absorbed, {})
        closing = entry(
            entity_id=absorbed,
            entry_date=on,
            description="Absorbed by merger: every balance passes to the surviving company",
            lines=[
                line(code, -amount, counterparty=cp)
                for (code, cp), amount in sorted(balances.items(), key=_order)
            ],
        )
        if closing is not None:
            entries.append(closing)
        for (code, cp), amount in sorted(balances.items(), key=_order):
            if code in contributed:
                contributed_total -= amount
            elif cp in parties and code in investments:
                investments_cancelled += amount
            elif cp in parties and _is_pnl(facts, code):
                pnl_between.append((absorbed, (code, cp), amount))
            elif cp in parties:
                intercompany += amount
            else:
                carried.append(line(code, amount, counterparty=cp))
                if facts.account_types.get(code) in ("asset", "liability"):
                    taken_over += amount
    own_lines: list[PlannedLine] = []
    for (code, cp), amount in sorted(facts.balances.get(survivor, {}).items(), key=_order):
        if cp not in parties or cp == survivor:
            continue
        if code in investments:
            investments_cancelled += amount
            own_lines.append(line(code, -amount, counterparty=cp))
        elif _is_pnl(facts, code):
            pnl_between.append((survivor, (code, cp), amount))
        else:
            intercompany += amount
            own_lines.append(line(code, -amount, counterparty=cp))
    if intercompany != 0:
        violations.append(
            Violation(
                ("body",),
                f"balances between the parties differ by {money(intercompany)}: "
                "reconcile them before the merger",
                "intercompany_difference",
            )
        )
    notes: list[str] = []
    pnl_net = sum((amount for _, _, amount in pnl_between), _ZERO)
    for owner, (code, cp), amount in pnl_between:
        if pnl_net == 0:
            if owner == survivor:
                own_lines.append(line(code, -amount, counterparty=cp))
        elif owner == survivor:
            own_lines.append(line(code, -amount, counterparty=cp))
            own_lines.append(line(code, amount))
        else:
            carried.append(line(code, amount))
    if pnl_between and pnl_net != 0:
        notes.append(
            f"income and expense between the parties this year do not cancel ({money(pnl_net)}): "
            "carried without counterparty"
        )
    par_issued = new_capital
    survivor_reserve, survivor_surplus = _reserves(facts, survivor)
    carried_surplus = sum(
        (frac(ln.credit - ln.debit) for ln in carried if ln.account_code == accounts.surplus_reserve), _ZERO
    )
    difference = contributed_total - investments_cancelled - par_issued
    split = split_equity_change(
        change=difference,
        capital_reserve_available=survivor_reserve,
        surplus_reserve_available=survivor_surplus + carried_surplus,
    )
    takeover = entry(
        entity_id=survivor,
        entry_date=on,
        description="Merger: assets, liabilities and balances of the absorbed companies taken over at their "
        "carrying amounts (common control)",
        lines=[*carried, *own_lines, line(accounts.share_capital, -par_issued), *split.lines(accounts)],
    )
    if takeover is not None:
        entries.append(takeover)
    for other in sorted(set(facts.balances) - parties):
        moves: list[PlannedLine] = []
        for (code, cp), amount in sorted(facts.balances[other].items(), key=_order):
            if cp in terms.absorbed and not _is_pnl(facts, code) and amount != 0:
                moves += [line(code, -amount, counterparty=cp), line(code, amount, counterparty=survivor)]
        made = entry(
            entity_id=other,
            entry_date=on,
            description="Merger: balances with the absorbed company now held with the surviving company",
            lines=moves,
        )
        if made is not None:
            entries.append(made)

    # --- entities, assets, methods
    entity_changes: list[EntityChange] = []
    if terms.kind == NEW_ESTABLISHMENT and terms.new_entity is not None:
        entity_changes.append(EntityChange("created", NEW_ENTITY, on, new_entity=terms.new_entity))
    entity_changes += [EntityChange("merged", a, on, into_id=survivor) for a in terms.absorbed]
    rehomings = tuple(
        AssetRehoming(asset_id=asset_id, tag=tag, from_entity_id=a, to_entity_id=survivor, on=on)
        for a in terms.absorbed
        for asset_id, tag in facts.assets.get(a, ())
    )
    methods: list[MethodChange] = []
    try:
        before_view = ownership(parent=facts.parent, holdings=holdings, overrides=facts.overrides)
        after_view = ownership(parent=facts.parent, holdings=holdings_after, overrides=facts.overrides)
        methods = [
            m if m.entity_id not in terms.absorbed else _merged(m)
            for m in method_changes(before=before_view, after=after_view, focus=facts.parent)
            if m.entity_id != facts.parent or m.classification != "unchanged"
        ]
    except od.OwnershipError as error:
        violations.append(
            Violation(("body",), f"the holdings cannot be evaluated: {error}", "ownership_not_computable")
        )
    values: dict[str, Fraction | None] = {
        "assets_less_liabilities_taken_over": taken_over,
        "contributed_capital_taken_over": contributed_total,
        "investments_cancelled": investments_cancelled,
        "new_capital_issued": par_issued,
        "capital_reserve_adjustment": difference,
        "capital_reserve_change": split.capital_reserve,
        "surplus_reserve_change": split.surplus_reserve,
        "retained_earnings_change": split.retained_earnings,
    }
    touched = {survivor, *terms.absorbed, *passed}
    return EventPlan(
        kind=f"merger_{terms.kind}",
        effective_on=on,
        group_parent_id=facts.parent,
        classification="merger",
        holdings_before=tuple(h for h in holdings if h.investee in touched or h.holder in terms.absorbed),
        holdings_after=tuple(h for h in holdings_after if h.investee in touched or h.holder == survivor),
        methods=tuple(methods),
        stake_changes=tuple(stake_changes),
        entity_changes=tuple(entity_changes),
        entries=tuple(e for e in entries if e.layer == BOOKS),
        asset_rehomings=rehomings,
        figures=figures(values),
        notes=tuple(notes),
        treatment=(
            ("combination", "under_common_control"),
            ("measurement", "carrying_amounts"),
            ("pnl_from", "period_start"),
            ("consolidated_statements", "unchanged"),
        ),
        violations=tuple(violations),
    )


def _order(item: tuple[Key, Fraction]) -> tuple[str, str]:
    (code, cp), _ = item
    return code, cp or ""


def _reserves(facts: MergerFacts, entity: str) -> tuple[Fraction, Fraction]:
    balances = facts.balances.get(entity, {})
    reserve = -sum((v for (code, _), v in balances.items() if code == facts.accounts.capital_reserve), _ZERO)
    surplus = -sum((v for (code, _), v in balances.items() if code == facts.accounts.surplus_reserve), _ZERO)
    return reserve, surplus


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
