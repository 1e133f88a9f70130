"""The entries of a holding change in each party's own statements (cost method, CAS 2).

A seller derecognises the part of its investment it sold and books the gain in 投资收益, a buyer or
subscriber books its investment at what it paid, an investment whose method changes moves to the account of
its new method; a buyer that gains control from a seller under the same ultimate control books the
combination by CAS 20.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from app.events.domain import classification as cls
from app.events.domain.common_control import (
    Consideration,
    asset_clearing_lines,
    common_control_combination,
    restoration_entry,
)
from app.events.domain.holding_facts import (
    ConsolidationTerms,
    GroupFacts,
    HoldingChange,
    apply_changes,
    net_paid,
    ownership,
    view_of,
)
from app.events.domain.interest_changes import (
    equity_transaction,
)
from app.events.domain.model import (
    HoldingState,
    PlannedEntry,
    PlannedLine,
    StakeChange,
    Violation,
    entry,
    frac,
    line,
)
from app.ownership import domain as od

_ZERO = Fraction(0)


def holder_method(
    *, holder: str, investee: str, holdings: Sequence[HoldingState], overrides: Sequence[od.MethodOverride]
) -> str | None:
    """The holder's own method for the investee (its individual statements' view)."""
    try:
        result = ownership(parent=holder, holdings=holdings, overrides=())
    except od.OwnershipError:
        return None
    view = view_of(result, investee)
    return view.method if view is not None else None


@dataclass
class Books:
    entries: list[PlannedEntry] = field(default_factory=list)
    figures: dict[str, Fraction | None] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def seller_lines(
    *,
    change: StakeChange,
    facts: GroupFacts,
    terms: ConsolidationTerms,
    received: Fraction,
    method_before: str | None,
    method_after: str | None,
    books: Books,
    in_kind: Sequence[tuple[str, str | None, Fraction | None]] = (),
) -> list[PlannedLine]:
    accounts = facts.accounts
    before = frac(change.before.share) if change.before else _ZERO
    after = frac(change.after.share) if change.after else _ZERO
    portion = (before - after) / before if before else _ZERO
    capital_before = change.before.capital if change.before else None
    capital_after = change.after.capital if change.after else Decimal(0)
    if capital_before and capital_after is not None:
        # the cost given up is the part of the capital given up (a reduction moves everyone's share)
        portion = (frac(capital_before) - frac(capital_after)) / frac(capital_before)
    balances = dict(facts.investment_balances.get(change.holder, {}))
    if not any(balances.values()):
        if terms.seller_carrying_amount is None:
            books.violations.append(
                Violation(
                    ("body", "seller_carrying_amount"),
                    f"the books of {facts.parties[change.holder].code} carry no investment tagged with the "
                    "investee; give seller_carrying_amount",
                    "carrying_amount_unknown",
                )
            )
            return []
        balances = {accounts.investment_account_for(method_before): terms.seller_carrying_amount}
    investee = change.investee
    derecognised = {code: amount * portion for code, amount in balances.items()}
    carrying = sum(derecognised.values(), _ZERO)
    lines = [line(code, -amount, counterparty=investee) for code, amount in derecognised.items()]
    lines.append(line(accounts.cash, received))
    for code, counterparty, value in in_kind:
        worth = carrying if value is None else value
        lines.append(line(code, worth, counterparty=counterparty))
        received += worth
    lines.append(line(accounts.investment_income, -(received - carrying)))
    books.figures[f"carrying_amount_derecognised:{change.holder}"] = carrying
    books.figures[f"gain_in_books:{change.holder}"] = received - carrying
    new_account = accounts.investment_account_for(method_after)
    if after > 0 and new_account != accounts.investment_account_for(method_before):
        for code, amount in balances.items():
            if code == accounts.investment_impairment:
                continue
            remaining = amount - derecognised[code]
            lines.append(line(new_account, remaining, counterparty=investee))
            lines.append(line(code, -remaining, counterparty=investee))
    return lines


def buyer_lines(
    *,
    change: StakeChange,
    facts: GroupFacts,
    paid: Fraction,
    method_before: str | None,
    method_after: str | None,
) -> list[PlannedLine]:
    accounts = facts.accounts
    investee = change.investee
    new_account = accounts.investment_account_for(method_after)
    lines = [line(new_account, paid, counterparty=investee), line(accounts.cash, -paid)]
    if new_account != accounts.investment_account_for(method_before):
        for code, amount in facts.investment_balances.get(change.holder, {}).items():
            if code in (accounts.investment_impairment, new_account):
                continue
            lines.append(line(new_account, amount, counterparty=investee))
            lines.append(line(code, -amount, counterparty=investee))
    return lines


def common_control_buyers(
    *, change: HoldingChange, facts: GroupFacts, after: Sequence[HoldingState]
) -> set[str]:
    """Buyers that gain control of the investee (their own view) while the party that ultimately controls
    them controls the investee before and after: a combination under common control (CAS 20 Art. 5)."""
    out: set[str] = set()
    for sc in change.stake_changes:
        party = facts.parties.get(sc.holder)
        if sc.decreases or party is None or not party.keeps_books or sc.investee != change.investee:
            continue
        try:
            own_before = ownership(parent=sc.holder, holdings=facts.holdings)
            own_after = ownership(parent=sc.holder, holdings=after)
        except od.OwnershipError:
            continue
        old, new = view_of(own_before, change.investee), view_of(own_after, change.investee)
        if (old is not None and cls.is_control(old.method)) or new is None or not cls.is_control(new.method):
            continue
        controller = own_before.ultimate_parent
        if controller in (sc.holder, change.investee):
            continue
        try:
            top_before = ownership(parent=controller, holdings=facts.holdings)
            top_after = ownership(parent=controller, holdings=after)
        except od.OwnershipError:
            continue
        held_before = view_of(top_before, change.investee)
        held_after = view_of(top_after, change.investee)
        buyer_after = view_of(top_after, sc.holder)
        if (
            held_before is not None
            and held_after is not None
            and buyer_after is not None
            and cls.is_control(held_before.method)
            and cls.is_control(held_after.method)
            and cls.is_control(buyer_after.method)
        ):
            out.add(sc.holder)
    return out


def holder_level(
    *, change: HoldingChange, facts: GroupFacts, terms: ConsolidationTerms, members: Mapping[str, Fraction]
) -> dict[str, Fraction | None]:
    """The equity transaction in the consolidated statements of the one direct holder below the parent."""
    parties = [sc.holder for sc in change.stake_changes if sc.holder in members and sc.holder != facts.parent]
    if len(parties) != 1:
        return {}
    holder = parties[0]
    try:
        before = ownership(parent=holder, holdings=facts.holdings, overrides=())
        after = ownership(
            parent=holder, holdings=apply_changes(facts.holdings, change.stake_changes), overrides=()
        )
    except od.OwnershipError:
        return {}
    old, new = view_of(before, change.investee), view_of(after, change.investee)
    if old is None or new is None or not (cls.is_control(old.method) and cls.is_control(new.method)):
        return {}
    paid = net_paid(change.payments, holder)
    result = equity_transaction(
        standard=terms.standard,
        interest_before=frac(old.interest_share),
        interest_after=frac(new.interest_share),
        net_assets_before=terms.net_assets,
        net_assets_after=terms.net_assets + change.net_assets_change,
        parent_paid=paid,
        nci_paid=_ZERO,
        nci_measurement=terms.nci_measurement,
        goodwill=terms.goodwill,
    )
    return {"holder_capital_reserve_adjustment": result.parent_equity_change}


def common_control_books(
    *,
    change: HoldingChange,
    sc: StakeChange,
    facts: GroupFacts,
    terms: ConsolidationTerms,
    books: Books,
    method_after: str | None,
) -> None:
    accounts = facts.accounts
    consideration = change.consideration.get(sc.holder) or Consideration(
        cash=net_paid(change.payments, sc.holder)
    )
    previously = sum(facts.investment_balances.get(sc.holder, {}).values(), _ZERO)
    capital, surplus = facts.reserves.get(sc.holder, (_ZERO, _ZERO))
    net_assets = (
        terms.net_assets_in_controller_statements
        if terms.net_assets_in_controller_statements is not None
        else terms.net_assets
    )
    result = common_control_combination(
        acquirer=sc.holder,
        acquiree=change.investee,
        on=change.on,
        share_after=frac(sc.after.share) if sc.after else _ZERO,
        net_assets_in_controller_statements=net_assets,
        goodwill_in_controller_statements=terms.goodwill_in_controller_statements,
        consideration=consideration,
        previously_held_carrying_amount=previously,
        capital_reserve_available=capital,
        surplus_reserve_available=surplus,
        acquiree_surplus_reserve=terms.investee_surplus_reserve,
        acquiree_retained_earnings=terms.investee_retained_earnings,
        direct_costs=terms.direct_costs,
        share_issue_costs=terms.share_issue_costs,
        accounts=accounts,
        investment_account=accounts.investment_account_for(method_after),
    )
    if previously:
        moved = entry(
            entity_id=sc.holder,
            entry_date=change.on,
            description="The interest held before the common-control combination joins its cost",
            lines=[
                line(code, -amount, counterparty=change.investee)
                for code, amount in facts.investment_balances.get(sc.holder, {}).items()
            ]
            + [line(accounts.investment_account_for(method_after), previously, counterparty=change.investee)],
        )
        if moved is not None:
            books.entries.append(moved)
    books.entries.extend(result.entries)
    restored = restoration_entry(
        parent=sc.holder,
        on=change.on,
        surplus=result.surplus_reserve_restored,
        retained=result.retained_earnings_restored,
        accounts=accounts,
    )
    if restored is not None:
        books.entries.append(restored)
    books.figures.update(
        {
            "initial_investment_cost": result.initial_investment_cost,
            "consideration_carrying_amount": result.consideration_carrying_amount,
            "fixed_asset_clearing_book_value": result.fixed_asset_clearing_book_value,
            "capital_reserve_adjustment": result.capital_reserve_adjustment,
            "acquirer_capital_reserve_change": result.reserves.capital_reserve
            + result.issue_cost_reserves.capital_reserve,
            "acquirer_surplus_reserve_change": result.reserves.surplus_reserve
            + result.issue_cost_reserves.surplus_reserve,
            "acquirer_retained_earnings_change": result.reserves.retained_earnings
            + result.issue_cost_reserves.retained_earnings,
            "admin_expense": result.direct_costs,
            "surplus_reserve_restored": result.surplus_reserve_restored,
            "retained_earnings_restored": result.retained_earnings_restored,
        }
    )


def party_entries(
    *,
    change: HoldingChange,
    facts: GroupFacts,
    terms: ConsolidationTerms,
    books: Books,
    ucc: set[str],
    before_holdings: Sequence[HoldingState],
    after_holdings: Sequence[HoldingState],
) -> None:
    """Each party's entry in its own books (module docstring), added to `books`; `ucc` are the buyers that
    gain control under common control (their books by CAS 20)."""
    investee = change.investee
    accounts = facts.accounts
    book_lines: dict[str, list[PlannedLine]] = {}
    for sc in change.stake_changes:
        party = facts.parties.get(sc.holder)
        if party is None or not party.keeps_books or sc.investee != investee:
            continue
        net = net_paid(change.payments, sc.holder)
        method_before = holder_method(
            holder=sc.holder, investee=investee, holdings=before_holdings, overrides=facts.overrides
        )
        method_after = holder_method(
            holder=sc.holder, investee=investee, holdings=after_holdings, overrides=facts.overrides
        )
        if sc.decreases and sc.holder not in change.sellers:
            # diluted (others subscribed) or passively changed: nothing is sold, the cost stays; only an
            # investment whose method changes moves to its new account
            lines = buyer_lines(
                change=sc, facts=facts, paid=_ZERO, method_before=method_before, method_after=method_after
            )
        elif sc.decreases:
            lines = seller_lines(
                change=sc,
                facts=facts,
                terms=terms,
                received=-net,
                method_before=method_before,
                method_after=method_after,
                books=books,
                in_kind=change.received_in_kind.get(sc.holder, ()),
            )
        elif sc.holder in ucc:
            common_control_books(
                change=change, sc=sc, facts=facts, terms=terms, books=books, method_after=method_after
            )
            continue
        else:
            consideration = change.consideration.get(sc.holder)
            if consideration is not None and consideration.assets:
                for asset in consideration.assets:
                    clearing = entry(
                        entity_id=sc.holder,
                        entry_date=change.on,
                        description="Fixed asset given as consideration",
                        lines=asset_clearing_lines(asset, accounts),
                    )
                    if clearing is not None:
                        books.entries.append(clearing)
            lines = buyer_lines(
                change=sc, facts=facts, paid=net, method_before=method_before, method_after=method_after
            )
        book_lines.setdefault(sc.holder, []).extend(lines)
    if change.investee_lines:
        party = facts.parties.get(investee)
        if party is not None and party.keeps_books:
            book_lines.setdefault(investee, []).extend(change.investee_lines)
    descriptions = {
        "share_transfer": "Share transfer",
        "disposal": "Disposal of shares",
        "capital_increase": "Capital increase",
        "capital_reduction": "Capital reduction",
        "common_control_combination": "Business combination under common control",
    }
    for entity_id in sorted(book_lines):
        made = entry(
            entity_id=entity_id,
            entry_date=change.on,
            description=f"{descriptions.get(change.kind, change.kind)}: "
            f"{facts.parties[investee].code if investee in facts.parties else investee}",
            lines=book_lines[entity_id],
        )
        if made is not None:
            books.entries.append(made)
