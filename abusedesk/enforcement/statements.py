"""DSA Art 17 statement of reasons: built from the case and the action when a
restriction takes effect, stored with the case and mailed to the customer."""

from django.db import transaction

from abusedesk.cases import notify
from abusedesk.cases.sources import Source, source_of
from abusedesk.lib import clock

from .models import Action, StatementOfReasons

K = Action.Kind
# Categories that are illegal content in themselves, with the provision to cite.
LEGAL_GROUNDS = {
    "csam": "Directive 2011/93/EU on combating the sexual abuse of children, as implemented in national "
            "criminal law: child sexual abuse material is illegal content.",
    "terrorism": "Regulation (EU) 2021/784 on addressing the dissemination of terrorist content online, "
                 "and national criminal law: terrorist content is illegal content.",
}
# DSA Art 17(3)(a): the territorial scope. A null route or a suspension takes the service off the
# internet as a whole, so the decision applies in every EU/EEA state (ISO 3166 codes, as the EU
# DSA Transparency Database lists them).
EEA = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT", "LI",
       "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"]
REDRESS = (
    "You can contest this decision free of charge by replying to this mail or in the portal (internal "
    "complaint handling); staff who did not take the decision review it. You may also use an out-of-court "
    "dispute settlement body (DSA Art 21) and you keep every right to go to court."
)


def scope_of(action: Action) -> str:
    duration = ("permanent: the contract is ended" if action.kind == K.TERMINATE
                else "until you resolve the abuse and we accept your solution")
    return (f"{action.get_kind_display()} of {action.target}; {duration}; it applies in every country "
            f"(the service is unreachable from everywhere).")


def facts_of(case) -> str:
    lines = [
        f"Case {case.ref}: {case.get_category_display()} on {case.target}.",
        f"{case.report_count} report(s), first seen {case.first_seen:%Y-%m-%d %H:%M} UTC, "
        f"last seen {case.last_seen:%Y-%m-%d %H:%M} UTC; first notice received {case.received_at:%Y-%m-%d %H:%M} UTC.",
    ]
    if case.forwarded_at:
        lines.append(f"Forwarded to you on {case.forwarded_at:%Y-%m-%d %H:%M} UTC"
                     + (f" with a deadline of {case.deadline:%Y-%m-%d %H:%M} UTC." if case.deadline else "."))
    if case.escalated_at:
        lines.append(f"No solution was recorded by the deadline; escalated on {case.escalated_at:%Y-%m-%d %H:%M} UTC.")
    return "\n".join(lines)


def ground_of(case, action: Action) -> tuple[str, str]:
    """Illegal content (citing the law) or our terms (citing the acceptable use policy), DSA Art 17(3)(d)/(e).

    The category decides, unless staff chose the ground on the restriction: content our terms
    ban but the law allows (the reference provider also bans legal "child erotica", reported as
    csam) must not be called illegal."""
    G = StatementOfReasons.Ground
    ground = action.ground or (G.ILLEGAL if case.category in LEGAL_GROUNDS else G.TERMS)
    if ground == G.ILLEGAL:
        return ground, LEGAL_GROUNDS.get(case.category, (
            f"The law of {case.entity.jurisdiction}, as assessed by our staff for this case: "
            f"{case.get_category_display()} is illegal content."))
    entity = case.entity
    return ground, (f"Acceptable use policy of {entity.name}" + (f" ({entity.terms_url})" if entity.terms_url else "")
                    + f": {case.get_category_display()} from our network is not permitted.")


def issue_statement(action: Action) -> StatementOfReasons:
    """Create (once per action) and mail the statement of reasons."""
    existing = StatementOfReasons.objects.filter(action=action).first()
    if existing:
        return existing
    case = action.case
    ground, ground_text = ground_of(case, action)
    # Where the case came from (cases.sources): a feed, a trusted flagger, a hotline and an
    # authority's order are no plain Art 16 notice (Art 17(3)(b)).
    source = source_of(case)
    statement = StatementOfReasons(
        case=case, action=action, measure=action.kind, scope=scope_of(action), facts=facts_of(case),
        source=source, automated_detection=source == Source.FEED,
        # Staff approve every restriction, except one a missed-deadline policy executes by itself.
        automated_decision=action.approved_by_id is None,
        territorial_scope=list(EEA),
        ground=ground, ground_text=ground_text, redress=REDRESS,
        language=notify._language(case.customer.language), created_at=clock.now(),
    )
    statement.subject, statement.body = notify.render_mail(
        "statement_of_reasons", case, statement.language, notify.customer_tz(case), statement=statement,
        action=action, timezone=case.customer.timezone,
    )
    with transaction.atomic():
        statement.save()
        statement.mail = notify.queue_statement(case, statement)
        statement.save(update_fields=["mail"])
    return statement
