"""What the legal team does with a request, in one place: the desk, the API and intake call these.

Every function that changes a request writes a LegalAudit entry in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import Case
from abusedesk.lib import clock

from . import answering, casework, checks, replies
from .deadlines import deadline_for, next_check
from .models import (
    TRANSITIONS,
    Channel,
    Check,
    Disclosure,
    Hold,
    Identifier,
    LegalAudit,
    LegalRequest,
    RequestType,
    State,
    Validity,
)

# TCO Regulation Art 6(1): removed content and its data are kept for six months; Art 6(2): longer
# when a competent authority or court asks, for as long as needed.
TCO_HOLD = timedelta(days=183)
# Regulation (EU) 2023/1543 Art 11(1): a European Preservation Order keeps data 60 days.
PRESERVATION_HOLD = timedelta(days=60)
# TCO Annex III, section B: why a removal order cannot be carried out.
CANNOT_COMPLY_REASONS = {
    "force_majeure": _("force majeure or de facto impossibility not attributable to the hosting service provider"),
    "manifest_error": _("the removal order contains manifest errors"),
    "insufficient_information": _("the removal order does not contain sufficient information"),
}
LANGUAGES = ("en", "nl", "de")


class RegisterError(Exception):
    """A step that is not allowed in the request's state, or bad input; the message says why."""


def actor_label(user) -> str:
    return user.get_username() if user is not None else "system"


def audit(request: LegalRequest, verb: str, *, user=None, reason: str = "", data=None, from_state: str = "",
          to_state: str = "") -> LegalAudit:
    return LegalAudit.objects.create(request=request, actor=user, actor_label=actor_label(user), verb=verb,
                                     from_state=from_state, to_state=to_state, reason=reason, data=data or {},
                                     at=clock.now())


# --- registering -------------------------------------------------------------------------

REQUEST_FIELDS = ("authority", "country", "unit", "officer", "contact_channel", "channel", "reference",
                  "legal_basis", "instrument", "type", "language", "requested_data", "data_kinds", "broad",
                  "confidential", "emergency", "category", "authority_deadline")


def register(*, entity, received_at: datetime, identifiers: list[dict], user=None, raw_message=None,
             trusted_channel: bool = False, freemail: bool = False, **fields) -> LegalRequest:
    """A new request with its identifiers, checks, deadline and (orders against content) cases."""
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise RegisterError(f"unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        request = LegalRequest(entity=entity, received_at=received_at, raw_message=raw_message, **fields)
        request.country = (request.country or "").upper()[:2]
        if request.acts_on_content and not request.category:  # what the content's case is about
            request.category = "terrorism" if request.type == RequestType.TCO_REMOVAL else "other"
        request.deadline = deadline_for(request)
        request.save()
        Identifier.objects.bulk_create([_identifier(request, item) for item in identifiers])
        audit(request, "registered", user=user, to_state=request.state,
              reason=f"received by {request.channel}" + (f", notice #{raw_message.pk}" if raw_message else ""),
              data={"type": request.type, "deadline": request.deadline.isoformat() if request.deadline else None})
        run_checks(request, user=user, trusted_channel=trusted_channel, freemail=freemail)
        schedule(request)
        if request.acts_on_content and not request.confidential:
            if sender_proven(request):
                open_cases(request, user=user)
            else:
                audit(request, "cases_held", user=user,
                      reason="nothing proved the sender: verify the contact channel to open the order's cases")
    return request


def sender_proven(request: LegalRequest) -> bool:
    """Whether the order is known to come from the authority it names: entered by staff (the desk,
    the API, a letter or call they took), mailed by a trusted notifier the channel proved
    (intake.trust) or held as unproven and released by staff, or checked back by staff. Until
    then its content opens no case: a forged order would put a customer on the order's clock
    (one hour for TCO, Art 3(3)), whose missed deadline the policy enforces."""
    if request.channel != Channel.EMAIL or request.contact_verified:
        return True
    raw = request.raw_message
    return raw is not None and (raw.trusted or raw.review == raw.Review.RELEASED)


def _identifier(request, item: dict) -> Identifier:
    at = item.get("at")
    if isinstance(at, str):
        at = datetime.fromisoformat(at) if at else None
    return Identifier(request=request, kind=item.get("kind", "other"), value=str(item.get("value", ""))[:2048],
                      port=item.get("port"), at=at, zone=(item.get("zone") or "")[:64],
                      written=(item.get("written") or "")[:200], note=(item.get("note") or "")[:300],
                      missing="" if at else (item.get("missing") or ("date and time" if item.get("kind") == "ip"
                                                                     else ""))[:40])


def run_checks(request: LegalRequest, *, user=None, trusted_channel: bool | None = None,
               freemail: bool = False) -> str:
    """Compute the checks again (new facts); staff's overrides stay. Returns the validity."""
    if trusted_channel is None:
        trusted_channel = bool(request.raw_message and request.raw_message.trusted)
    # Queried, not taken from a prefetch: the caller (the API) may hold an older list.
    identifiers = list(Identifier.objects.filter(request=request).order_by("id"))
    kept = {c.code: c for c in Check.objects.filter(request=request)}
    for item in checks.compute(request, identifiers, trusted_channel=trusted_channel, freemail=freemail):
        check = kept.get(item["code"]) or Check(request=request, code=item["code"])
        check.passed, check.evidence, check.remedy = item["passed"], item["evidence"], item["remedy"]
        check.save()
        kept[check.code] = check
    return _revalidate(request, list(kept.values()), user)


def _revalidate(request, all_checks, user) -> str:
    validity = checks.validity(all_checks)
    clarification = checks.clarification_text(request, all_checks) if validity == Validity.INCOMPLETE else ""
    if validity != request.validity or clarification != request.clarification_text:
        old = request.validity
        request.validity, request.clarification_text = validity, clarification
        request.save(update_fields=["validity", "clarification_text", "updated_at"])
        audit(request, "checked", user=user, reason=f"validity {old} → {validity}",
              data={c.code: c.result for c in all_checks})
    return validity


def confirm_check(request: LegalRequest, code: str, *, user, verdict: bool | None = None, note: str = "") -> Check:
    """Staff confirm a check as computed (verdict None or equal to it) or override it."""
    check = request.checks.filter(code=code).first()
    if check is None:
        raise RegisterError(f"no check {code!r}")
    with transaction.atomic():
        check.override = None if verdict is None or verdict == check.passed else verdict
        check.confirmed_by, check.confirmed_at, check.note = user, clock.now(), note
        if check.override is False and not check.remedy:
            check.remedy = Check.Remedy.CLARIFY
        check.save()
        audit(request, "check_confirmed" if check.override is None else "check_overridden", user=user, reason=note,
              data={"code": code, "computed": check.passed, "result": check.result})
        _revalidate(request, list(Check.objects.filter(request=request)), user)
    return check


def verify_contact(request: LegalRequest, *, user, note: str = "") -> LegalRequest:
    """Staff checked the channel back (called the authority's published number, ...)."""
    with transaction.atomic():
        request.contact_verified = True
        request.save(update_fields=["contact_verified", "updated_at"])
        audit(request, "contact_verified", user=user, reason=note, data={"contact": request.contact_channel})
        run_checks(request, user=user)
        if request.acts_on_content and request.is_open and not request.confidential:
            open_cases(request, user=user)  # held until now (sender_proven)
    return request


def add_identifier(request: LegalRequest, item: dict, *, user) -> Identifier:
    with transaction.atomic():
        identifier = _identifier(request, item)
        identifier.save()
        audit(request, "identifier_added", user=user, data={"kind": identifier.kind, "value": identifier.value,
                                                            "at": identifier.at.isoformat() if identifier.at else None})
        run_checks(request, user=user)
    return identifier


# --- the state machine and the decision ----------------------------------------------------

def transition(request: LegalRequest, to_state: str, *, user=None, reason: str = "", data=None) -> LegalRequest:
    if to_state not in TRANSITIONS.get(request.state, frozenset()):
        raise RegisterError(f"{request.ref}: {request.state} → {to_state} is not allowed")
    now = clock.now()
    from_state = request.state
    request.state = to_state
    if to_state == State.ANSWERED:
        request.answered_at = request.answered_at or now
    if to_state == State.CLOSED:
        request.closed_at = now
    request.save()
    audit(request, "transition", user=user, reason=reason, data=data, from_state=from_state, to_state=to_state)
    schedule(request)
    return request


def review(request: LegalRequest, *, user) -> LegalRequest:
    """Someone of the legal team has taken the request up."""
    with transaction.atomic():
        return transition(request, State.UNDER_REVIEW, user=user, reason="taken up")


DECISIONS = ("accept", "reject", "clarify")


def decide(request: LegalRequest, decision: str, *, user, reason: str = "", text: str = "") -> LegalRequest:
    """accept, reject (with reasons; the text sent is recorded) or ask the authority to clarify
    (the prepared text in its language unless staff give their own).

    Accepting a request the checks found not valid needs a reason: it is a person's decision."""
    if decision not in DECISIONS:
        raise RegisterError(f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
    with transaction.atomic():
        # Two people deciding at once: the second sees the first's decision.
        list(LegalRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk"))
        request.refresh_from_db()
        failing = [c for c in Check.objects.filter(request=request).order_by("id") if not c.result]
        now = clock.now()
        if decision == "accept":
            if request.validity != Validity.VALID and not reason.strip():
                raise RegisterError(f"{request.ref} is {request.validity}: accepting it needs a reason")
            request.decision_code = ""
            request.decision_reason = reason
            to_state = State.ACCEPTED
        elif decision == "reject":
            if not reason.strip():
                raise RegisterError("a rejection needs its reasons")
            rejected = [c for c in failing if c.remedy == Check.Remedy.REJECT] or failing
            request.decision_code = rejected[0].code if rejected else "other"
            request.decision_reason = reason
            to_state = State.REJECTED
        else:
            if not failing and not text.strip():
                raise RegisterError("nothing to clarify: every check passed")
            request.decision_code = ""
            request.decision_reason = reason or "; ".join(c.evidence for c in failing)
            to_state = State.CLARIFICATION_REQUESTED
        request.decision, request.decided_at, request.decided_by = decision, now, user
        request.save()
        transition(request, to_state, user=user, reason=request.decision_reason,
                   data={"decision": decision, "validity": request.validity, "code": request.decision_code})
        if decision == "reject":
            _reply(request, Disclosure.Kind.REJECTION, text or checks.rejection_text(request, reason), user)
        elif decision == "clarify":
            _reply(request, Disclosure.Kind.CLARIFICATION, text or request.clarification_text, user)
        elif request.type == RequestType.PRESERVATION:
            _hold(request, None, "data of the identifiers named, preserved on request", now + PRESERVATION_HOLD, user)
    return request


def reply_channel(request) -> str:
    """How a reply reaches the authority: by mail when its contact channel is a mail address
    (through the outbox), else by the channel the request came by (sent by hand, recorded)."""
    if "@" in (request.contact_channel or ""):
        return Channel.EMAIL
    return request.channel if request.channel not in (Channel.DESK, Channel.API, Channel.EMAIL) else Channel.POST


def _send(request, kind, content: str, user, *, channel: str, recipient: str = "", data=None) -> Disclosure:
    """Record a reply or disclosure exactly as sent, and send it: by mail through the outbox, to
    the authority's verified contact channel only; by another channel it is sent by hand."""
    if channel == Channel.EMAIL:
        try:
            to = replies.recipient_of(request)
        except replies.NotSendable as exc:
            raise RegisterError(str(exc)) from exc
        if recipient and recipient.strip().lower() != to.lower():
            raise RegisterError(f"{request.ref}: mail goes only to the authority's verified contact channel {to}, "
                                f"not to {recipient}")
        recipient = to
    disclosure = Disclosure.objects.create(request=request, kind=kind, content=content,
                                           recipient=recipient or request.contact_channel or request.authority,
                                           channel=channel, sent_at=clock.now(), sent_by=user, data=data or {})
    if channel == Channel.EMAIL:
        disclosure.mail = replies.send(disclosure)
        disclosure.save(update_fields=["mail"])
    audit(request, "disclosed" if kind == Disclosure.Kind.DATA else f"reply_{kind}", user=user,
          reason=f"to {disclosure.recipient} by {channel}" + (f": {content[:300]}" if kind != Disclosure.Kind.DATA
                                                               else ""),
          data={"disclosure": disclosure.pk, "mail": disclosure.mail_id})
    return disclosure


def _reply(request, kind, content: str, user, *, data=None) -> Disclosure:
    """A reply to the authority (rejection, clarification, TCO annex), sent on its contact channel."""
    return _send(request, kind, content, user, channel=reply_channel(request), data=data)


def answer_identifiers(request: LegalRequest, *, user=None) -> list[dict]:
    """Who held each IP at its time (answering.who_held), stored with the evidence."""
    with transaction.atomic():
        results = [answering.answer(i) for i in request.identifiers.filter(kind="ip")]
        audit(request, "identifiers_answered", user=user,
              data={"answered": sum(1 for r in results if r.get("answered")), "of": len(results)})
    return results


def disclose(request: LegalRequest, *, user, content: str, recipient: str = "", channel: str = "email",
             identifier_ids: list[int] | None = None) -> Disclosure:
    """Send the data to the authority (by mail: through the outbox, to its verified contact
    channel) and record exactly what was sent; the request is answered. Only an accepted request."""
    if request.state not in (State.ACCEPTED, State.ANSWERED):
        raise RegisterError(f"{request.ref} is {request.state}: only an accepted request is answered")
    if not content.strip():
        raise RegisterError("a disclosure records exactly what was sent: it cannot be empty")
    with transaction.atomic():
        now = clock.now()
        ids = list(request.identifiers.filter(pk__in=identifier_ids or []).values_list("pk", flat=True))
        disclosure = _send(request, Disclosure.Kind.DATA, content, user, channel=channel, recipient=recipient,
                           data={"identifiers": ids})
        disclosure.identifiers.set(ids)
        if request.given_effect_at is None:
            request.given_effect_at = now
            request.save(update_fields=["given_effect_at", "updated_at"])
        if request.state == State.ACCEPTED:
            transition(request, State.ANSWERED, user=user, reason="disclosed")
    return disclosure


def set_confidential(request: LegalRequest, confidential: bool, *, user, reason: str = "") -> LegalRequest:
    """The do-not-notify flag. Lifting it on an order against content lets its cases be opened."""
    if confidential and not request.confidential and request.cases.filter(forwarded_at__isnull=False).exists():
        raise RegisterError(f"{request.ref}: the order was already forwarded to the customer")
    with transaction.atomic():
        if request.confidential != confidential:
            request.confidential = confidential
            request.save(update_fields=["confidential", "updated_at"])
            audit(request, "confidentiality", user=user, reason=reason, data={"confidential": confidential})
        if not confidential and request.acts_on_content and request.is_open and sender_proven(request):
            open_cases(request, user=user)
    return request


# --- deadlines and reminders ----------------------------------------------------------------

def schedule(request: LegalRequest) -> None:
    when = next_check(request, clock.now())
    if when != request.next_check_at:
        request.next_check_at = when
        LegalRequest.objects.filter(pk=request.pk).update(next_check_at=when)


def set_deadline(request: LegalRequest, deadline: datetime | None, *, user, reason: str = "") -> LegalRequest:
    """The authority's own date (None: back to the default for the type)."""
    with transaction.atomic():
        old = request.deadline
        request.authority_deadline = deadline
        request.deadline = deadline_for(request)
        request.reminders_sent = 0
        request.save()
        audit(request, "deadline", user=user, reason=reason,
              data={"old": old.isoformat() if old else None, "deadline": request.deadline.isoformat()})
        schedule(request)
    return request


# --- orders against content ------------------------------------------------------------------

def open_cases(request: LegalRequest, *, user=None) -> list[int]:
    """The content an order names becomes cases for the customers who host it, with the order's
    deadline (cases.grouping, as for any notice). The notice's reports were stored unmatched
    (law enforcement): they are matched now."""
    ids = casework.cases_for_order(request)
    new = sorted(set(ids) - set(request.cases.values_list("id", flat=True)))
    if new:
        request.cases.add(*new)
        audit(request, "cases_opened", user=user, data={"cases": new})
    return ids


def give_effect(request: LegalRequest, *, user, at: datetime | None = None, note: str = "") -> LegalRequest:
    """The order was carried out (DSA Art 9(1) "the effect given to the order"; counted for Art 15(1)(a))."""
    with transaction.atomic():
        request.given_effect_at = at or clock.now()
        if request.decision != "accept":  # carrying an order out is accepting it
            request.decision, request.decided_at, request.decided_by = "accept", request.given_effect_at, user
        request.save()
        audit(request, "given_effect", user=user, reason=note, data={"at": request.given_effect_at.isoformat()})
        if request.state in (State.NEW, State.UNDER_REVIEW, State.CLARIFICATION_REQUESTED):
            transition(request, State.ACCEPTED, user=user, reason="order carried out")
        if request.state == State.ACCEPTED:
            transition(request, State.ANSWERED, user=user, reason="order carried out")
    return request


def tco_removed(request: LegalRequest, *, user, removed_at: datetime | None = None, note: str = "") -> Disclosure:
    """TCO Art 3(6), Annex II: tell the authority what was removed and when; keep its data six
    months (Art 6)."""
    if request.type != RequestType.TCO_REMOVAL:
        raise RegisterError(f"{request.ref} is not a TCO removal order")
    when = removed_at or clock.now()
    with transaction.atomic():
        urls = list(request.identifiers.filter(kind__in=("url", "ip", "domain")).values_list("value", flat=True))
        with translation.override(_language(request)):  # the form in the authority's language
            content = "\n".join([
                gettext("Annex II - Feedback following removal of or disabling of access to terrorist content "
                        "(Article 3(6) of Regulation (EU) 2021/784)"),
                gettext("Removal order reference: %(reference)s") % {"reference": request.reference or "-"},
                gettext("Issuing authority: %(authority)s") % {"authority": request.authority},
                gettext("Content removed or access disabled:"),
                *[f"  {u}" for u in urls],
                gettext("Date and time of removal or disabling of access: %(when)s") % {"when": when.isoformat()},
                *([gettext("Additional information: %(note)s") % {"note": note}] if note else []),
            ])
        disclosure = _reply(request, Disclosure.Kind.TCO_REMOVED, content, user,
                            data={"removed_at": when.isoformat(), "content": urls})
        for case in list(Case.objects.filter(legal_requests=request).order_by("id")) or [None]:
            _hold(request, case, "removed terrorist content and its related data (TCO Art 6)", when + TCO_HOLD, user)
        give_effect(request, user=user, at=when, note="removed (Annex II sent)")
    return disclosure


def tco_cannot_comply(request: LegalRequest, reason: str, *, user, text: str = "") -> Disclosure:
    """TCO Art 3(7)/(8), Annex III: cannot comply, and why; the one-hour clock stops until the
    authority clarifies (resume)."""
    if request.type != RequestType.TCO_REMOVAL:
        raise RegisterError(f"{request.ref} is not a TCO removal order")
    if reason not in CANNOT_COMPLY_REASONS:
        raise RegisterError(f"unknown reason {reason!r}; one of {', '.join(CANNOT_COMPLY_REASONS)}")
    with transaction.atomic(), translation.override(_language(request)):
        content = "\n".join([
            gettext("Annex III - Information about the impossibility to execute the removal order "
                    "(Article 3(7) and (8) of Regulation (EU) 2021/784)"),
            gettext("Removal order reference: %(reference)s") % {"reference": request.reference or "-"},
            gettext("Issuing authority: %(authority)s") % {"authority": request.authority},
            gettext("Reason: %(reason)s") % {"reason": CANNOT_COMPLY_REASONS[reason]},
            *([gettext("Explanation / information needed: %(text)s") % {"text": text}] if text else []),
        ])
        disclosure = _reply(request, Disclosure.Kind.TCO_CANNOT_COMPLY, content, user, data={"reason": reason})
        pause(request, reason, user=user, note=text)
    return disclosure


def pause(request: LegalRequest, reason: str, *, user, note: str = "") -> LegalRequest:
    """Stop the one-hour clock of the order's cases (TCO Art 3(7)/(8))."""
    if reason not in CANNOT_COMPLY_REASONS:
        raise RegisterError(f"unknown reason {reason!r}; one of {', '.join(CANNOT_COMPLY_REASONS)}")
    with transaction.atomic():
        paused = casework.pause_cases(request, reason, user=user, note=note)
        audit(request, "clock_paused", user=user, reason=note or reason, data={"reason": reason, "cases": paused})
    return request


def resume(request: LegalRequest, *, user, note: str = "") -> LegalRequest:
    """Clarification received: the full hour runs again from now."""
    with transaction.atomic():
        resumed = casework.resume_cases(request, user=user, note=note)
        audit(request, "clock_resumed", user=user, reason=note or "clarification received", data={"cases": resumed})
    return request


def _language(request) -> str:
    return request.language if request.language in LANGUAGES else "en"


def _hold(request, case, what: str, until: datetime, user) -> Hold:
    hold = Hold.objects.create(request=request, case=case, what=what, since=clock.now(), until=until)
    audit(request, "hold", user=user, reason=what, data={"hold": hold.pk, "until": until.isoformat(),
                                                         "case": case.pk if case else None})
    return hold


def extend_hold(hold: Hold, *, user, days: int = 183, reason: str = "") -> Hold:
    """TCO Art 6(2): longer, at a competent authority's or court's request."""
    if hold.released_at is not None:
        raise RegisterError("the hold was released")
    with transaction.atomic():
        hold.until = hold.until + timedelta(days=days)
        hold.extensions += 1
        hold.save(update_fields=["until", "extensions"])
        audit(hold.request, "hold_extended", user=user, reason=reason,
              data={"hold": hold.pk, "until": hold.until.isoformat()})
    return hold
