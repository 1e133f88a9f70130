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

from collections.abc import Mapping
from fractions import Fraction

from app.events.domain import classification as cls
from app.events.domain.holding_books import (
    Books,
    common_control_buyers,
    holder_level,
    party_entries,
)
from app.events.domain.holding_facts import (
    DISPOSAL_TREATMENT,
    NCUC_TREATMENT,
    UCC_TREATMENT,
    ConsolidationTerms,
    GroupFacts,
    HoldingChange,
    apply_changes,
    closed_violations,
    group_members,
    method_changes,
    net_paid,
    ownership,
    register_violations,
    view_of,
)
from app.events.domain.interest_changes import (
    control_gained,
    equity_transaction,
    loss_of_control,
)
from app.events.domain.model import (
    BOOKS,
    CONSOLIDATED,
    EventPlan,
    PlannedEntry,
    Violation,
    entry,
    figures,
    frac,
    line,
    share,
)
from app.events.domain.reserves import split_equity_change
from app.ownership import domain as od

_ZERO = Fraction(0)


def plan_holding_change(*, change: HoldingChange, facts: GroupFacts, terms: ConsolidationTerms) -> EventPlan:
    """The full plan of `change` (module docstring), with every violation."""
    violations = list(change.violations)
    investee = change.investee
    accounts = facts.accounts
    before_holdings = list(facts.holdings)
    after_holdings = apply_changes(before_holdings, change.stake_changes)
    violations += register_violations(change=change, after=after_holdings, facts=facts)
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
    books = Books()
    members = group_members(before_view)
    interest_before, interest_after = frac(focus.interest_before), frac(focus.interest_after)
    paying = {h: f for h, f in members.items() if h != investee}
    ucc = common_control_buyers(change=change, facts=facts, after=after_holdings)
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
    party_entries(
        change=change,
        facts=facts,
        terms=terms,
        books=books,
        ucc=ucc,
        before_holdings=before_holdings,
        after_holdings=after_holdings,
    )

    # --- the consolidated effect
    parent_paid = sum((paying[h] * net_paid(change.payments, h) for h in paying), _ZERO)
    nci_paid = sum(((1 - paying[h]) * net_paid(change.payments, h) for h in paying), _ZERO)
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
        levels = holder_level(change=change, facts=facts, terms=terms, members=paying)
        values.update(levels)
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
    violations += closed_violations(entity_ids=booked, facts=facts)
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
    after_members = group_members(after_view)
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
    consideration = net_paid(change.payments, acquirer.holder)
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
