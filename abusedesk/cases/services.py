"""What people do to a case: the one service layer of the desk, the portal, the API and e-mail replies.

Forms and serializers check the shape of a request; these functions check the
rules (through the state machine, `workflow.transition()`), write the thread
message and the audit entry, and do what follows: the notifier's outcome mail
here, and what other apps own through the signals of `cases.signals` (lifting
restrictions, the repeat-offender flag: received in `enforcement.signals`).
A request the case's state does not allow is one CaseworkError with a message
for the user. `offered()` is what the screens show, asked of the state machine.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from abusedesk.enforcement import actions as enforcement
from abusedesk.enforcement.models import Action
from abusedesk.lib import clock
from abusedesk.policy.schedule import schedule

from . import notify, signals, workflow
from .audit import actor_label, audit
from .models import CHILD_ABUSE, Case, ExtensionRequest, Message, Report
from .states import DEADLINE_RUNNING, State, TransitionError, can_transition

MESSAGE_LIMIT = 20_000


class CaseworkError(ValueError):
    """A request that the case's state does not allow; the message is shown to the user."""


# What people can do to a case -> the state it moves the case to (asked of the state machine).
_STEPS = {
    "resolve": State.RESOLVED,
    "dispute": State.DISPUTED,
    "close": State.CLOSED,
    "reopen": State.FORWARDED,  # back to the customer: abuse back, dispute rejected, solution not enough
}


def offered(case: Case) -> set[str]:
    """What the case's state allows people to do: the one answer the desk, the portal and the
    API's checks share. "accept"/"reject" are staff's answers to a resolution."""
    steps = {step for step, to_state in _STEPS.items() if can_transition(case.state, to_state)}
    if case.state == State.NEW:
        steps.discard("reopen")  # a new case is forwarded by the pipeline, not sent back
    if case.state == State.RESOLVED:
        # Sent back only by rejecting the solution, with the reason the customer reads.
        steps = (steps - {"reopen"}) | {"accept", "reject"}
    if case.state == State.DISPUTED:
        # Staff's answers to a dispute (DSA Art 20): each mails the customer the reason; a plain
        # reopen would send the case back without one.
        steps = (steps - {"reopen"}) | {"uphold", "reject_dispute"}
    return steps


def _check(case: Case, step: str) -> None:
    if step not in offered(case):
        raise CaseworkError(_("This case cannot be changed that way in its current state."))


class _translated:
    """Run a workflow call; its errors become a CaseworkError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, TransitionError):
            raise CaseworkError(_("This case cannot be changed that way in its current state.")) from exc
        if isinstance(exc, (ValueError, enforcement.ActionError, PermissionDenied)):
            raise CaseworkError(str(exc)) from exc
        return False


def post_message(case: Case, user, body: str, *, author_kind: str, channel: str = Message.Channel.PORTAL,
                 visible_to_customer: bool = True) -> Message:
    body = (body or "").strip()[:MESSAGE_LIMIT]
    if not body:
        raise CaseworkError(_("The message is empty."))
    now = clock.now()
    with transaction.atomic():
        message = Message.objects.create(
            case=case, author_kind=author_kind, author=user, author_label=user.get_username(),
            channel=channel, body=body, visible_to_customer=visible_to_customer, created_at=now,
        )
        if author_kind == Message.Author.CUSTOMER:
            customer_spoke(case, now, user=user, reason="message in the portal")
        elif visible_to_customer:
            # A staff reply in the thread reaches the customer by mail too (an internal note does not).
            notify.send_staff_reply(case, message)
    return message


def customer_spoke(case: Case, when, *, user=None, label: str = "", reason: str) -> None:
    """A message of the customer (portal, API or e-mail reply): its first response is
    stamped, and a case waiting for it moves to customer_replied."""
    if case.first_response_at is None:
        case.first_response_at = when
        case.save(update_fields=["first_response_at", "updated_at"])
    if case.state in (State.FORWARDED, State.ESCALATED):
        workflow.transition(case, State.CUSTOMER_REPLIED, user=user, label=label, reason=reason)
    _tell_desk(case, "customer_replied", user)


def _tell_desk(case: Case, event: str, user=None) -> None:
    signals.desk_attention.send(sender=Case, case=case, event=event, user=user)


def _message(case: Case, user, kind: str, text: str, *, visible: bool = True) -> Message | None:
    if not text:
        return None
    return Message.objects.create(
        case=case, author_kind=kind, author=user, author_label=actor_label(user),
        channel=Message.Channel.PORTAL if kind == Message.Author.CUSTOMER else Message.Channel.SYSTEM,
        body=text, visible_to_customer=visible, created_at=clock.now(),
    )


def _author_kind(user) -> str:
    return Message.Author.STAFF if user is not None and user.is_staff else Message.Author.CUSTOMER


def _settled(case: Case) -> None:
    """Resolved or closed: what other apps derive from a case's outcome is refreshed."""
    signals.case_settled.send(sender=Case, case=case)


def resolve(case: Case, user, resolution: str, text: str = "") -> Case:
    """The customer (or staff for it) records that the abuse is gone and how.

    `resolution` is one of Case.Resolution. The deadline stops; staff accept it
    with accept_resolution() (which also restores a restricted service)."""
    if resolution not in Case.Resolution.values:
        raise CaseworkError(_("Choose how the abuse was solved."))
    if resolution == Case.Resolution.OTHER and not text.strip():
        raise CaseworkError(_("Describe the solution."))
    _check(case, "resolve")
    text = text.strip()[:MESSAGE_LIMIT]
    with _translated(), transaction.atomic():
        case.resolution = resolution
        case.resolution_text = text
        if case.first_response_at is None and _author_kind(user) == Message.Author.CUSTOMER:
            case.first_response_at = clock.now()
        _message(case, user, _author_kind(user), text)
        workflow.transition(case, State.RESOLVED, user=user, reason=f"resolution: {resolution}",
                            data={"resolution": resolution})
        _settled(case)
        if _author_kind(user) == Message.Author.CUSTOMER:
            _tell_desk(case, "resolved", user)
    return case


def dispute(case: Case, user, text: str) -> Case:
    """The customer says the notice (or, on a restricted case, the restriction) is wrong; the
    deadline stops and staff decide (DSA Art 20: internal complaint handling). The "dispute"
    audit entry is what the report counts as a complaint."""
    if not text.strip():
        raise CaseworkError(_("Say why you dispute this notice."))
    _check(case, "dispute")
    text = text.strip()[:MESSAGE_LIMIT]
    restricted = case.state == State.RESTRICTED
    with _translated(), transaction.atomic():
        if case.first_response_at is None and _author_kind(user) == Message.Author.CUSTOMER:
            case.first_response_at = clock.now()
        _message(case, user, _author_kind(user), text)
        workflow.transition(case, State.DISPUTED, user=user, reason=text[:1000])
        audit(case, "dispute", user=user, reason=text[:1000], data={"restricted": restricted})
        _tell_desk(case, "disputed", user)
    return case


def _disputed_restriction(case: Case) -> bool:
    """Was the dispute a complaint about a restriction (the case was restricted when disputed)?"""
    entry = case.audit.filter(verb="dispute").order_by("-at", "-id").first()
    return bool(entry and entry.data.get("restricted"))


def uphold_dispute(case: Case, user, reason: str) -> Case:
    """Staff agree with the customer: the case closes as dispute_upheld, restrictions are lifted
    (a reversal: DSA Art 15(1)(d) counts complaints and reversals), and the customer is mailed the reason."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise CaseworkError(_("Give the reason for the decision; the customer receives it."))
    _check(case, "uphold")
    with _translated(), transaction.atomic():
        audit(case, "dispute_upheld", user=user, reason=reason,
              data={"restricted": _disputed_restriction(case)})
        signals.dispute_upheld.send(sender=Case, case=case, user=user, note=reason)
        close(case, user, Case.CloseReason.DISPUTE_UPHELD, note=reason)
        notify.send_dispute_decision(case, "upheld", reason)
    return case


def reject_dispute(case: Case, user, reason: str) -> Case:
    """Staff keep the notice: the case goes back to the customer with a fresh deadline (or, for a
    disputed restriction, stays restricted), and the customer is mailed the reason."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise CaseworkError(_("Give the reason for the decision; the customer receives it."))
    _check(case, "reject_dispute")
    restricted = _disputed_restriction(case)
    with _translated(), transaction.atomic():
        audit(case, "dispute_rejected", user=user, reason=reason, data={"restricted": restricted})
        if restricted:
            _message(case, user, Message.Author.STAFF, reason)
            workflow.transition(case, State.RESTRICTED, user=user, reason=reason)
        else:
            _send_back(case, user, reason)
        notify.send_dispute_decision(case, "rejected", reason)
    return case


def close(case: Case, user, reason: str, note: str = "") -> Case:
    """Close with one of Case.CloseReason; the notifiers who left an address get the outcome
    (resolved / not ours / disputed), without the customer's name."""
    if reason not in Case.CloseReason.values:
        raise CaseworkError(_("Choose a reason."))
    _check(case, "close")
    with _translated(), transaction.atomic():
        case.close_reason = reason
        _message(case, user, Message.Author.STAFF, note, visible=True)
        workflow.transition(case, State.CLOSED, user=user, reason=note or reason, data={"close_reason": reason})
        notify.send_outcome(case)
        _settled(case)
    return case


def reopen(case: Case, user, note: str = "") -> Case:
    """Back to the customer (abuse is back, dispute rejected, solution not accepted):
    a fresh deadline from now, reminders and escalation as for a new case."""
    _check(case, "reopen")
    return _send_back(case, user, note)


def _send_back(case: Case, user, note: str = "") -> Case:
    """reopen's work, also the end of rejecting a solution or a dispute (checked by their callers)."""
    reason = note or "reopened"
    with _translated(), transaction.atomic():
        if case.state == State.CLOSED:
            case.close_reason = ""
        _message(case, user, Message.Author.STAFF, reason)
        if case.state in (State.DISPUTED, State.CUSTOMER_REPLIED, State.ESCALATED) and case.deadline_hours:
            # Not covered by transition()'s reopen branch, which handles resolved/closed.
            case.deadline = clock.now() + timedelta(hours=case.deadline_hours)
            case.reminders_sent = 0
        workflow.transition(case, State.FORWARDED, user=user, reason=reason)
    return case


def accept_resolution(case: Case, user, note: str = "") -> Case:
    """Staff accept the customer's solution: active restrictions are lifted
    (a restore action, run by the enforcement sweep) and the case closes as resolved."""
    _check(case, "accept")
    with _translated(), transaction.atomic():
        signals.resolution_accepted.send(sender=Case, case=case, user=user, note=note or "solution accepted")
        close(case, user, Case.CloseReason.RESOLVED, note=note or "solution accepted")
    return case


def reject_resolution(case: Case, user, reason: str) -> Case:
    """Staff do not accept the solution: the case goes back to the customer with a fresh deadline."""
    if not reason.strip():
        raise CaseworkError(_("Say why the solution is not enough."))
    _check(case, "reject")
    return _send_back(case, user, reason)


def merge(case: Case, into: Case, user) -> Case:
    """Move `case`'s reports and thread into `into`, then close `case` as merged."""
    if case.pk == into.pk or case.customer_id != into.customer_id:
        raise CaseworkError(_("Cases can only be merged into another case of the same customer."))
    _check(case, "close")
    with transaction.atomic():
        # A merge never lowers protection: child-abuse reports make the target sensitive too
        # (compliance role only), or they would reach staff without the role in a normal case.
        sensitive = case.sensitive or Report.objects.filter(case=case, category=CHILD_ABUSE).exists()
        moved = Report.objects.filter(case=case).update(case=into)
        Message.objects.filter(case=case).update(case=into)
        into.report_count = Report.objects.filter(case=into).count()
        into.first_seen = min(into.first_seen, case.first_seen)
        into.last_seen = max(into.last_seen, case.last_seen)
        fields = ["report_count", "first_seen", "last_seen", "updated_at"]
        if sensitive and not into.sensitive:
            into.sensitive = True
            fields.append("sensitive")
        into.save(update_fields=fields)
        audit(into, "merge", user=user, reason=f"{case.ref} merged in",
              data={"from": case.pk, "reports": moved, "made_sensitive": "sensitive" in fields})
        case.merged_into = into
        case.close_reason = Case.CloseReason.MERGED
        workflow.transition(case, State.CLOSED, user=user, reason=f"merged into {into.ref}")
    return into


def reassign(case: Case, customer, user, note: str = "") -> Case:
    if customer.pk == case.customer_id:
        return case
    with transaction.atomic():
        old = case.customer
        if customer.parent_id:
            case.customer, case.end_customer = customer.parent, customer
        else:
            case.customer, case.end_customer = customer, None
        case.save(update_fields=["customer", "end_customer", "updated_at"])
        audit(case, "reassign", user=user, reason=note or "reassigned",
              data={"from": old.reference, "to": customer.reference})
    return case


NOTIFIER_PURPOSES = ("ask_more", "not_ours", "other")
EXTENSION_MAX_HOURS = 168


def write_to_notifier(case: Case, user, purpose: str, body: str) -> Message:
    """Staff write to the notifiers of a case (ask for more, say it is not ours): recorded in the
    thread (not shown to the customer) and mailed to each notifier contact of the case."""
    body = (body or "").strip()[:MESSAGE_LIMIT]
    if purpose not in NOTIFIER_PURPOSES or (purpose == "other" and not body):
        raise CaseworkError(_("Choose what to tell the notifier, or write it."))
    if not case.notifier_contacts.exists():
        raise CaseworkError(_("No notifier of this case left an address."))
    with transaction.atomic():
        message = Message.objects.create(
            case=case, author_kind=Message.Author.STAFF, author=user, author_label=actor_label(user),
            channel=Message.Channel.EMAIL, body=f"→ notifier ({purpose}) {body}".strip(), visible_to_customer=False,
            created_at=clock.now())
        notify.send_to_notifiers(case, message.pk, purpose, body)
        audit(case, "notifier_written", user=user, reason=purpose, data={"message": message.pk})
    return message


def request_extension(case: Case, user, hours, reason: str) -> ExtensionRequest:
    """The customer asks for more time; the deadline keeps running until staff grant it."""
    reason = (reason or "").strip()[:2000]
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= EXTENSION_MAX_HOURS or not reason:
        raise CaseworkError(_("Ask for 1 to %(max)s hours and say why.") % {"max": EXTENSION_MAX_HOURS})
    if case.state not in DEADLINE_RUNNING or case.deadline is None:
        raise CaseworkError(_("This case has no running deadline to extend."))
    if case.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise CaseworkError(_("A request for more time is already waiting for the desk."))
    with transaction.atomic():
        request = ExtensionRequest.objects.create(case=case, hours=hours, reason=reason, requested_by=user,
                                                  created_at=clock.now())
        _message(case, user, _author_kind(user), _("Asks for %(hours)s more hours: %(reason)s") % {
            "hours": hours, "reason": reason})
        audit(case, "extension_requested", user=user, reason=reason, data={"request": request.pk, "hours": hours})
        _tell_desk(case, "customer_replied", user)
    return request


def decide_extension(request: ExtensionRequest, user, grant: bool, note: str = "") -> ExtensionRequest:
    """Staff grant (the deadline moves by the hours asked, the next check is rescheduled) or refuse;
    either way the customer is told in the thread, which mails it."""
    note = (note or "").strip()[:2000]
    case = request.case
    if request.state != ExtensionRequest.State.PENDING:
        raise CaseworkError(_("This request was already decided."))
    if not grant and not note:
        raise CaseworkError(_("Say why the request is refused."))
    with transaction.atomic():
        request.state = ExtensionRequest.State.GRANTED if grant else ExtensionRequest.State.REFUSED
        request.decided_by, request.decided_at, request.note = user, clock.now(), note
        request.save()
        if grant:
            if case.state not in DEADLINE_RUNNING or case.deadline is None:
                raise CaseworkError(_("This case has no running deadline to extend."))
            old = case.deadline
            case.deadline = old + timedelta(hours=request.hours)
            case.save(update_fields=["deadline", "updated_at"])
            schedule(case)
            text = _("More time granted: %(hours)s hours.") % {"hours": request.hours}
        else:
            text = _("More time refused.")
        audit(case, "extension_granted" if grant else "extension_refused", user=user, reason=note,
              data={"request": request.pk, "hours": request.hours} | (
                  {"from": old.isoformat(), "to": case.deadline.isoformat()} if grant else {}))
        post_message(case, user, f"{text} {note}".strip(), author_kind=Message.Author.STAFF)
    return request


def propose_action(case: Case, kind: str, user, reason: str = "", ground: str = "") -> Action:
    with _translated():
        return enforcement.propose(case, kind, user, reason, ground=ground)


def approve_action(action: Action, user) -> Action:
    with _translated():
        return enforcement.approve(action, user)


def cancel_action(action: Action, user, reason: str = "") -> Action:
    with _translated():
        return enforcement.cancel(action, user, reason or "cancelled")


def restore(case: Case, user, note: str = "") -> list[Action]:
    """Lift the case's active restrictions after the fix (run by the enforcement sweep)."""
    with _translated():
        restores = enforcement.restore_case(case, user, note or "fixed")
    if not restores:
        raise CaseworkError(_("Nothing to restore on this case."))
    return restores


__all__ = ["CaseworkError", "post_message", "resolve", "dispute", "close", "reopen", "accept_resolution",
           "reject_resolution", "uphold_dispute", "reject_dispute",
           "write_to_notifier", "request_extension", "decide_extension", "merge", "reassign", "propose_action", "approve_action", "cancel_action",
           "restore"]
