"""Plans of the events that change who holds a company: share transfers, disposals, capital increases and
reductions, and combinations under common control.

Every such event is the same three steps:
1. the stake changes (from `capital`): the investee's holders before and after;
2. the group parent's view before and after (the ownership engine): the investee's method decides the
   treatment (`classification`); each company that is a party books its side in its own statements (cost
   method, CAS 2): a seller derecognises the part of its investment it sold and books the gain in 投资收益, a
   buyer or subscriber books its investment at what it paid, an investment whose method changes moves to the
   account of its new method at its carrying amount; a buyer that gains control from a seller under the same
   ultimate control books the combination by CAS 20 (`common_control`);
3. the consolidated effect by classification (`interest_changes`): goodwill and the remeasured earlier
   interest on gaining control, the equity transaction and its reserve cascade while control stays, the gain
   and the derecognised amounts on losing it.

Everything is checked first and every violation is returned at once; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from app.events.domain import classification as cls
from app.events.domain.common_control import (
    Consideration,
    asset_clearing_lines,
    common_control_combination,
    restoration_entry,
)
from app.events.domain.interest_changes import (
    NciMeasurement,
    Standard,
    control_gained,
    equity_transaction,
    loss_of_control,
)
from app.events.domain.model import (
    BOOKS,
    CONSOLIDATED,
    ZERO,
    EventAccounts,
    EventPlan,
    HoldingState,
    MethodChange,
    PlannedEntry,
    PlannedLine,
    StakeChange,
    Violation,
    entry,
    figures,
    frac,
    line,
    share,
)
from app.events.domain.reserves import split_equity_change
from app.ownership import domain as od

Combination = Literal["not_under_common_control", "under_common_control"]

#: CAS 33 / CAS 20 consolidation rules by kind of change (C-16e).
UCC_TREATMENT = (
    ("combination", "under_common_control"),
    ("restate_opening_balance_sheet", "true"),
    ("pnl_from", "period_start"),
    ("restore_retained_earnings_from_capital_reserve", "true"),
    ("new_goodwill", "false"),
)
NCUC_TREATMENT = (
    ("combination", "not_under_common_control"),
    ("restate_opening_balance_sheet", "false"),
    ("pnl_from", "acquisition_date"),
)
DISPOSAL_TREATMENT = (("restate_opening_balance_sheet", "false"), ("pnl_to", "disposal_date"))
_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class PartyFacts:
    """An entity named by the event: whether it keeps books here and whether it exists on the date."""

    id: str
    code: str
    kind: str
    exists: bool
    functional_currency: str = "CNY"

    @property
    def keeps_books(self) -> bool:
        return self.kind == "company"


@dataclass(frozen=True, slots=True)
class Payment:
    """Cash that changes hands: `payer` or `payee` None = unrecorded outsiders."""

    payer: str | None
    payee: str | None
    amount: Fraction


@dataclass(frozen=True)
class GroupFacts:
    """The group as the service found it on the event date, before the event."""

    parent: str
    holdings: tuple[HoldingState, ...]
    parties: Mapping[str, PartyFacts]
    accounts: EventAccounts
    overrides: tuple[od.MethodOverride, ...] = ()
    closed: frozenset[str] = frozenset()
    #: holder -> account -> debit-positive balance of the investment in the investee (lines tagged with it)
    investment_balances: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
    #: entity -> (capital reserve, surplus reserve) credit balances on the date
    reserves: Mapping[str, tuple[Fraction, Fraction]] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsolidationTerms:
    """Figures the consolidated treatment needs; None = the default the service derived (see each field)."""

    standard: Standard = "cas"
    #: the investee's net assets continuously measured from acquisition, before the event (default: books)
    net_assets: Fraction = _ZERO
    #: goodwill carried for the investee in the group parent's consolidated statements
    goodwill: Fraction = _ZERO
    nci_carrying_amount: Fraction | None = None
    nci_measurement: NciMeasurement = "proportionate"
    nci_fair_value: Fraction | None = None
    cta: Fraction = _ZERO
    combination: Combination | None = None
    fair_value_net_assets: Fraction | None = None
    previously_held_fair_value: Fraction | None = None
    retained_interest_fair_value: Fraction | None = None
    #: common control: the investee's net assets and goodwill in the ultimate controller's statements
    net_assets_in_controller_statements: Fraction | None = None
    goodwill_in_controller_statements: Fraction = _ZERO
    #: the investee's surplus reserve and retained earnings before the combination (restoration, CAS 20)
    investee_surplus_reserve: Fraction = _ZERO
    investee_retained_earnings: Fraction = _ZERO
    direct_costs: Fraction = _ZERO
    share_issue_costs: Fraction = _ZERO
    #: carrying amount of the seller's investment when its books carry none tagged with the investee
    seller_carrying_amount: Fraction | None = None


@dataclass(frozen=True)
class HoldingChange:
    """One event's changes of the investee's holders and the money that moves with them."""

    kind: str
    investee: str
    on: date
    stake_changes: tuple[StakeChange, ...]
    payments: tuple[Payment, ...]
    #: a non-cash consideration given by a buyer (common control: fixed assets, shares at par)
    consideration: Mapping[str, Consideration] = field(default_factory=dict)
    #: holders that give up shares or capital (a transfer's seller, a withdrawing holder)
    sellers: frozenset[str] = frozenset()
    #: what a seller receives besides cash: (account, counterparty, value); value None = the carrying
    #: amount it gives up (shares of the buyer received in exchange under common control: no gain)
    received_in_kind: Mapping[str, tuple[tuple[str, str | None, Fraction | None], ...]] = field(
        default_factory=dict
    )
    #: the investee's own entry (capital increase or reduction)
    investee_lines: tuple[PlannedLine, ...] = ()
    #: net assets of the investee change by this much (new capital paid in, capital repaid)
    net_assets_change: Fraction = _ZERO
    violations: tuple[Violation, ...] = ()


# ---------------------------------------------------------------------------------------------- helpers


def apply_changes(holdings: Sequence[HoldingState], changes: Sequence[StakeChange]) -> list[HoldingState]:
    """The holdings after the changes (order kept; new holdings last)."""
    touched = {(c.holder, c.investee): c for c in changes}
    out = [h for h in holdings if (h.holder, h.investee) not in touched]
    out += [c.after for c in changes if c.after is not None]
    return out


def _engine_holdings(holdings: Sequence[HoldingState]) -> list[od.Holding]:
    return [
        od.Holding(holder=h.holder, investee=h.investee, share=h.share, voting_share=h.voting_share)
        for h in holdings
        if h.share > 0 or h.voting_share > 0
    ]


def ownership(
    *, parent: str, holdings: Sequence[HoldingState], overrides: Sequence[od.MethodOverride] = ()
) -> od.OwnershipResult:
    """The ownership engine's view from `parent` (raises od.OwnershipError on unusable holdings).

    A plan asks the same views several times (the group parent's, each party's own); they are computed once.
    """
    return _ownership(parent, tuple(holdings), tuple(overrides))


@lru_cache(maxsize=64)
def _ownership(
    parent: str, holdings: tuple[HoldingState, ...], overrides: tuple[od.MethodOverride, ...]
) -> od.OwnershipResult:
    return od.compute_ownership(parent=parent, holdings=_engine_holdings(holdings), overrides=list(overrides))


def view_of(result: od.OwnershipResult | None, entity: str) -> od.EntityOwnership | None:
    if result is None or entity not in result:
        return None
    return result.get(entity)


def method_changes(
    *, before: od.OwnershipResult | None, after: od.OwnershipResult | None, focus: str
) -> list[MethodChange]:
    """The investee first, then every other entity whose method, control or interest moved (by id)."""
    names = {e.entity for e in (before.entities if before else ())} | {
        e.entity for e in (after.entities if after else ())
    }
    out: list[MethodChange] = []
    for name in [focus, *sorted(names - {focus})]:
        old, new = view_of(before, name), view_of(after, name)
        m_old = old.method if old else None
        m_new = new.method if new else None
        i_old = old.interest_share if old else ZERO
        i_new = new.interest_share if new else ZERO
        c_old = old.control_share if old else ZERO
        c_new = new.control_share if new else ZERO
        changed = (m_old, i_old, c_old) != (m_new, i_new, c_new)
        if name != focus and not changed:
            continue
        out.append(
            MethodChange(
                entity_id=name,
                method_before=m_old,
                method_after=m_new,
                control_before=c_old,
                control_after=c_new,
                interest_before=i_old,
                interest_after=i_new,
                classification=cls.classify(method_before=m_old, method_after=m_new, changed=changed),
            )
        )
    return out


def _net_paid(payments: Sequence[Payment], entity: str) -> Fraction:
    paid = sum((p.amount for p in payments if p.payer == entity), _ZERO)
    received = sum((p.amount for p in payments if p.payee == entity), _ZERO)
    return paid - received


def _group_members(result: od.OwnershipResult | None) -> dict[str, Fraction]:
    """The parent and its subsidiaries, each with the parent's interest in it."""
    if result is None:
        return {}
    return {e.entity: frac(e.interest_share) for e in result.entities if cls.is_control(e.method)}


# ---------------------------------------------------------------------------------------------- books


def _holder_method(
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
class _Books:
    entries: list[PlannedEntry] = field(default_factory=list)
    figures: dict[str, Fraction | None] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _seller_lines(
    *,
    change: StakeChange,
    facts: GroupFacts,
    terms: ConsolidationTerms,
    received: Fraction,
    method_before: str | None,
    method_after: str | None,
    books: _Books,
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


def _buyer_lines(
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


# ---------------------------------------------------------------------------------------------- the plan


def plan_holding_change(*, change: HoldingChange, facts: GroupFacts, terms: ConsolidationTerms) -> EventPlan:
    """The full plan of `change` (module docstring), with every violation."""
    violations = list(change.violations)
    investee = change.investee
    accounts = facts.accounts
    before_holdings = list(facts.holdings)
    after_holdings = apply_changes(before_holdings, change.stake_changes)
    violations += _register_violations(change=change, after=after_holdings, facts=facts)
    before_view: od.OwnershipResult | None = None
    after_view: od.OwnershipResult | None = None
    try:
        before_view = ownership(parent=facts.parent, holdings=before_holdings, overrides=facts.overrides)
        after_view = ownership(parent=facts.parent, holdings=after_holdings, overrides=facts.overrides)
    except od.OwnershipError as error:
        violations.append(
            Violation(("body",), f"the holdings cannot be evaluated: {error}", "ownership_not_computable")
        )
    methods = method_changes(before=before_view, after=after_view, focus=investee)
    focus = methods[0]
    classification = focus.classification
    books = _Books()
    members = _group_members(before_view)
    interest_before, interest_after = frac(focus.interest_before), frac(focus.interest_after)
    paying = {h: f for h, f in members.items() if h != investee}
    ucc = _common_control_buyers(change=change, facts=facts, after=after_holdings)
    if terms.combination == "under_common_control" and not ucc:
        violations.append(
            Violation(
                ("body", "combination"),
                "not under common control: no buyer gains control of the investee from a party that controls "
                "it, before and after, together with the buyer",
                "not_under_common_control",
            )
        )
    if terms.combination == "not_under_common_control":
        ucc = set()
    is_ucc = classification == cls.GAIN_OF_CONTROL and bool(ucc)

    # --- books of the parties
    book_lines: dict[str, list[PlannedLine]] = {}
    for sc in change.stake_changes:
        party = facts.parties.get(sc.holder)
        if party is None or not party.keeps_books or sc.investee != investee:
            continue
        net = _net_paid(change.payments, sc.holder)
        method_before = _holder_method(
            holder=sc.holder, investee=investee, holdings=before_holdings, overrides=facts.overrides
        )
        method_after = _holder_method(
            holder=sc.holder, investee=investee, holdings=after_holdings, overrides=facts.overrides
        )
        if sc.decreases and sc.holder not in change.sellers:
            # diluted (others subscribed) or passively changed: nothing is sold, the cost stays; only an
            # investment whose method changes moves to its new account
            lines = _buyer_lines(
                change=sc, facts=facts, paid=_ZERO, method_before=method_before, method_after=method_after
            )
        elif sc.decreases:
            lines = _seller_lines(
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
            _common_control_books(
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
            lines = _buyer_lines(
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

    # --- the consolidated effect
    parent_paid = sum((paying[h] * _net_paid(change.payments, h) for h in paying), _ZERO)
    nci_paid = sum(((1 - paying[h]) * _net_paid(change.payments, h) for h in paying), _ZERO)
    values: dict[str, Fraction | None] = {"consideration_paid_by_group": parent_paid + nci_paid}
    na_before = terms.net_assets
    na_after = terms.net_assets + change.net_assets_change
    consolidated: list[PlannedEntry] = []
    if classification == cls.EQUITY_TRANSACTION:
        result = equity_transaction(
            standard=terms.standard,
            interest_before=interest_before,
            interest_after=interest_after,
            net_assets_before=na_before,
            net_assets_after=na_after,
            parent_paid=parent_paid,
            nci_paid=nci_paid,
            nci_carrying_amount=terms.nci_carrying_amount,
            nci_measurement=terms.nci_measurement,
            goodwill=terms.goodwill,
        )
        capital, surplus = facts.reserves.get(facts.parent, (_ZERO, _ZERO))
        split = split_equity_change(
            change=result.parent_equity_change,
            capital_reserve_available=capital,
            surplus_reserve_available=surplus,
        )
        values.update(
            {
                "net_assets_before": na_before,
                "net_assets_after": na_after,
                "nci_before": result.nci_before,
                "nci_change": result.nci_change,
                "nci_after": result.nci_before + result.nci_change,
                "adjustment_to_parent_equity": result.parent_equity_change,
                "capital_reserve_change": split.capital_reserve,
                "surplus_reserve_change": split.surplus_reserve,
                "retained_earnings_change": split.retained_earnings,
                "goodwill_change": _ZERO,
                "profit_or_loss": _ZERO,
            }
        )
        books.notes.append(f"equity transaction measured on {result.basis.replace('_', ' ')}")
        holder_level = _holder_level(change=change, facts=facts, terms=terms, members=paying)
        values.update(holder_level)
        made = entry(
            entity_id=facts.parent,
            entry_date=change.on,
            description="Change in the group's interest without loss of control: an equity transaction",
            lines=[
                line(accounts.cash, na_after - na_before - parent_paid - nci_paid),
                line(accounts.nci, -result.nci_change),
                *split.lines(accounts),
            ],
            layer=CONSOLIDATED,
        )
        if made is not None:
            consolidated.append(made)
    elif classification == cls.LOSS_OF_CONTROL:
        retained_fv = terms.retained_interest_fair_value
        if interest_after > 0 and retained_fv is None:
            violations.append(
                Violation(
                    ("body", "retained_interest_fair_value"),
                    "control is lost and an interest is retained: give its fair value",
                    "retained_fair_value_missing",
                )
            )
        lost = loss_of_control(
            interest_before=interest_before,
            net_assets=na_before,
            goodwill=terms.goodwill,
            consideration=-(parent_paid + nci_paid),
            retained_interest_fair_value=retained_fv or _ZERO,
            nci_carrying_amount=terms.nci_carrying_amount,
            cta=terms.cta,
        )
        values.update(
            {
                "net_assets_derecognised": lost.net_assets_derecognised,
                "goodwill_derecognised": lost.goodwill_derecognised,
                "nci_derecognised": lost.nci_derecognised,
                "consideration_received": lost.consideration,
                "retained_interest_fair_value": lost.retained_interest_fair_value,
                "cta_recycled": lost.cta_recycled,
                "gain_on_loss_of_control": lost.gain,
            }
        )
        books.notes.append(
            f"the retained interest becomes {focus.method_after or 'no holding'}, measured at fair value"
        )
    elif classification == cls.GAIN_OF_CONTROL and not is_ucc:
        _gain_of_control(
            change=change,
            facts=facts,
            terms=terms,
            members=paying,
            after_view=after_view,
            values=values,
            consolidated=consolidated,
            violations=violations,
            na_after=na_after,
        )
    elif classification == cls.GAIN_OF_CONTROL:
        values["goodwill"] = _ZERO
        books.notes.append(
            "under common control: no new goodwill; the combined party's results count from the start of the "
            "period and the comparatives are restated"
        )
    elif classification == cls.SIGNIFICANT_INFLUENCE_LOST and terms.retained_interest_fair_value is not None:
        remaining = sum(
            (
                frac(sc.after.share)
                / frac(sc.before.share)
                * sum(facts.investment_balances.get(sc.holder, {}).values(), _ZERO)
                for sc in change.stake_changes
                if sc.before is not None and sc.after is not None and sc.holder in members
            ),
            _ZERO,
        )
        values["retained_interest_fair_value"] = terms.retained_interest_fair_value
        values["remeasurement_gain"] = terms.retained_interest_fair_value - remaining
    values.update(books.figures)
    violations += books.violations
    booked = {e.entity_id for e in books.entries if e.layer == BOOKS}
    booked |= {sc.holder for sc in change.stake_changes if sc.investee == investee}
    if change.investee_lines:
        booked.add(investee)
    violations += _closed_violations(entity_ids=booked, facts=facts)
    consolidated += [e for e in books.entries if e.layer == CONSOLIDATED]
    book_entries = [e for e in books.entries if e.layer == BOOKS]
    touched = {investee} | {sc.investee for sc in change.stake_changes}
    treatment: tuple[tuple[str, str], ...] = ()
    if ucc:
        treatment = UCC_TREATMENT
    elif classification == cls.GAIN_OF_CONTROL:
        treatment = NCUC_TREATMENT
    elif classification == cls.LOSS_OF_CONTROL:
        treatment = DISPOSAL_TREATMENT
    elif classification == cls.EQUITY_TRANSACTION:
        treatment = (
            ("goodwill_remeasured", "false"),
            ("profit_or_loss", "none"),
            ("equity", "capital_reserve"),
        )
    return EventPlan(
        treatment=treatment,
        kind=change.kind,
        effective_on=change.on,
        group_parent_id=facts.parent,
        classification=classification,
        holdings_before=tuple(h for h in before_holdings if h.investee in touched),
        holdings_after=tuple(h for h in after_holdings if h.investee in touched),
        methods=tuple(methods),
        stake_changes=change.stake_changes,
        entries=tuple(book_entries + consolidated),
        figures=(
            *figures(values),
            ("interest_before", share(interest_before)),
            ("interest_after", share(interest_after)),
        ),
        notes=tuple(books.notes),
        violations=tuple(violations),
    )


def _common_control_buyers(
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


def _holder_level(
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
    paid = _net_paid(change.payments, holder)
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


def _common_control_books(
    *,
    change: HoldingChange,
    sc: StakeChange,
    facts: GroupFacts,
    terms: ConsolidationTerms,
    books: _Books,
    method_after: str | None,
) -> None:
    accounts = facts.accounts
    consideration = change.consideration.get(sc.holder) or Consideration(
        cash=_net_paid(change.payments, sc.holder)
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


def _gain_of_control(
    *,
    change: HoldingChange,
    facts: GroupFacts,
    terms: ConsolidationTerms,
    members: Mapping[str, Fraction],
    after_view: od.OwnershipResult | None,
    values: dict[str, Fraction | None],
    consolidated: list[PlannedEntry],
    violations: list[Violation],
    na_after: Fraction,
) -> None:
    """NCUC: goodwill with the earlier interest remeasured, from the group company that gained control."""
    accounts = facts.accounts
    after_members = _group_members(after_view)
    acquirers = [
        sc
        for sc in change.stake_changes
        if sc.after is not None and sc.holder in after_members and not sc.decreases
    ]
    acquirer = acquirers[0] if acquirers else None
    held_before = frac(acquirer.before.share) if acquirer is not None and acquirer.before else _ZERO
    carrying = (
        sum(facts.investment_balances.get(acquirer.holder, {}).values(), _ZERO)
        if acquirer is not None
        else _ZERO
    )
    fair_value = terms.previously_held_fair_value
    if held_before > 0 and fair_value is None:
        violations.append(
            Violation(
                ("body", "previously_held_fair_value"),
                "control is gained over a company already held: give the fair value of the earlier interest",
                "previously_held_fair_value_missing",
            )
        )
    if terms.nci_measurement == "fair_value" and terms.nci_fair_value is None:
        violations.append(
            Violation(
                ("body", "nci_fair_value"), "the fair-value NCI method needs the NCI's fair value", "missing"
            )
        )
    if acquirer is None or acquirer.after is None:
        violations.append(
            Violation(("body",), "no group company's holding rises with the gain of control", "no_acquirer")
        )
        return
    fv_held = fair_value if fair_value is not None else carrying
    consideration = _net_paid(change.payments, acquirer.holder)
    gained = control_gained(
        consideration=consideration,
        share_after=frac(acquirer.after.share),
        acquirer_interest=members.get(acquirer.holder, after_members.get(acquirer.holder, Fraction(1))),
        fair_value_net_assets=terms.fair_value_net_assets
        if terms.fair_value_net_assets is not None
        else na_after,
        previously_held_fair_value=fv_held if held_before > 0 else _ZERO,
        previously_held_carrying_amount=carrying if held_before > 0 else _ZERO,
        nci_measurement=terms.nci_measurement,
        nci_fair_value=terms.nci_fair_value if terms.nci_measurement == "fair_value" else None,
        nci_share=1 - frac(view_of(after_view, change.investee).interest_share)  # type: ignore[union-attr]
        if view_of(after_view, change.investee) is not None
        else None,
    )
    values.update(
        {
            "consideration": consideration,
            "fair_value_net_assets": gained.net_assets,
            "previously_held_carrying_amount": gained.previously_held_carrying_amount,
            "previously_held_fair_value": gained.previously_held_fair_value,
            "remeasurement_gain": gained.remeasurement_gain,
            "goodwill": gained.goodwill,
            "bargain_purchase_gain": gained.bargain_purchase_gain,
            "nci_at_acquisition": gained.nci_at_acquisition,
        }
    )
    if gained.remeasurement_gain:
        made = entry(
            entity_id=acquirer.holder,
            entry_date=change.on,
            description="Remeasure the interest held before control to fair value (step acquisition)",
            lines=[
                line(
                    accounts.investment_in_subsidiaries,
                    gained.remeasurement_gain,
                    counterparty=change.investee,
                ),
                line(accounts.investment_income, -gained.remeasurement_gain),
            ],
            layer=CONSOLIDATED,
        )
        if made is not None:
            consolidated.append(made)


def _register_violations(
    *, change: HoldingChange, after: Sequence[HoldingState], facts: GroupFacts
) -> list[Violation]:
    out: list[Violation] = []
    for name in sorted({change.investee} | {sc.holder for sc in change.stake_changes}):
        party = facts.parties.get(name)
        if party is None:
            out.append(Violation(("body",), f"no entity {name}", "unknown_entity"))
        elif not party.exists:
            out.append(
                Violation(
                    ("body",), f"{party.code} does not exist on {change.on.isoformat()}", "entity_not_active"
                )
            )
    for investee in sorted({sc.investee for sc in change.stake_changes} | {change.investee}):
        held = [h for h in after if h.investee == investee]
        code = facts.parties[investee].code if investee in facts.parties else investee
        for kind, total in (
            ("stakes", sum((frac(h.share) for h in held), _ZERO)),
            ("votes", sum((frac(h.voting_share) for h in held), _ZERO)),
        ):
            if total > 1:
                out.append(
                    Violation(
                        ("body",),
                        f"the {kind} held in {code} would sum to {share(total)}, more than 1",
                        f"{kind}_over_one",
                    )
                )
    return out


def _closed_violations(*, entity_ids: set[str], facts: GroupFacts) -> list[Violation]:
    """The companies among `entity_ids` whose month of the event is closed."""
    seen: list[Violation] = []
    for entity_id in sorted(entity_ids):
        party = facts.parties.get(entity_id)
        if entity_id in facts.closed and party is not None and party.keeps_books:
            seen.append(
                Violation(
                    ("body", "effective_on"),
                    f"the month of the event is closed in the books of {party.code}",
                    "period_closed",
                )
            )
    return seen
