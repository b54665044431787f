"""Changing a case's state: checked against states.TRANSITIONS, stamped and audited.

`transition()` is the one primitive. The helpers below it (resolve, dispute,
accept_resolution, reject_resolution, close, reopen) are what the portal, the desk and the API call:
each checks its preconditions, writes the thread message and the audit entry,
and queues the mails that belong to the step. See docs/followup.md.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from abusedesk.lib import clock

from .models import AuditLog, Case, Message
from .states import State, TransitionError, can_transition

# The timestamp each state stamps the first time a case enters it.
_STAMPS = {
    State.FORWARDED: "forwarded_at",
    State.ESCALATED: "escalated_at",
    State.RESTRICTED: "restricted_at",
    State.RESOLVED: "resolved_at",
    State.CLOSED: "closed_at",
}


def actor_label(user) -> str:
    return user.get_username() if user is not None else "system"


def audit(case: Case | None, verb: str, *, user=None, label: str = "", reason: str = "", data=None,
          subject: str = "", from_state: str = "", to_state: str = "") -> AuditLog:
    return AuditLog.objects.create(
        case=case,
        subject=subject,
        actor=user,
        actor_label=label or actor_label(user),
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        at=clock.now(),
    )


def transition(case: Case, to_state: str, *, user=None, label: str = "", reason: str = "", data=None) -> Case:
    """Move `case` to `to_state` or raise TransitionError. Saves the case and writes the audit entry."""
    if not can_transition(case.state, to_state):
        raise TransitionError(f"{case.ref}: {case.state} → {to_state} is not allowed")
    now = clock.now()
    from_state = case.state
    with transaction.atomic():
        case.state = to_state
        stamp = _STAMPS.get(to_state)
        if stamp and (getattr(case, stamp) is None or to_state in (State.RESOLVED, State.CLOSED)):
            setattr(case, stamp, now)
        if to_state == State.FORWARDED and from_state in (State.RESOLVED, State.CLOSED):
            # Reopened: the abuse is back, so it is no longer taken down.
            case.resolved_at = None
            case.closed_at = None
            case.close_reason = ""
            # ... and the customer gets a fresh deadline, with fresh reminders.
            if case.deadline_hours:
                case.deadline = now + timedelta(hours=case.deadline_hours)
                case.reminders_sent = 0
        case.save()
        audit(case, "transition", user=user, label=label, reason=reason, data=data,
              from_state=from_state, to_state=to_state)
        _reschedule(case)
    return case


def transition_many(cases: list[Case], to_state: str, *, label: str = "system", reason: str = "",
                    data=None) -> list[Case]:
    """transition() for many cases at once (the follow-up sweep escalating a burst): the same
    checks, stamps, audit entries and next check points, written with one UPDATE per group of
    cases that end up with equal values and one INSERT of the audit entries. `data` is a dict
    or a function of the case. Reopening (→ forwarded) resets deadlines: use transition()."""
    from abusedesk.policy.followup import PolicyCache, next_check

    if to_state == State.FORWARDED:
        raise ValueError("reopening is done one case at a time: use transition()")
    for case in cases:
        if not can_transition(case.state, to_state):
            raise TransitionError(f"{case.ref}: {case.state} → {to_state} is not allowed")
    now, saved_at = clock.now(), timezone.now()
    stamp = _STAMPS.get(to_state)
    cache = PolicyCache()
    groups, entries = defaultdict(list), []
    for case in cases:
        entries.append(AuditLog(case=case, actor_label=label, verb="transition", from_state=case.state,
                                to_state=to_state, reason=reason,
                                data=(data(case) if callable(data) else data) or {}, at=now))
        case.state = to_state
        if stamp and (getattr(case, stamp) is None or to_state in (State.RESOLVED, State.CLOSED)):
            setattr(case, stamp, now)
        case.updated_at = saved_at
        case.next_check_at = next_check(case, cache)
        groups[(getattr(case, stamp) if stamp else None, case.next_check_at)].append(case.pk)
    with transaction.atomic():
        for (stamped, next_at), pks in groups.items():
            fields = {"state": to_state, "updated_at": saved_at, "next_check_at": next_at}
            if stamp:
                fields[stamp] = stamped
            Case.objects.filter(pk__in=pks).update(**fields)
        AuditLog.objects.bulk_create(entries, batch_size=500)
    return cases


def _reschedule(case: Case) -> None:
    from abusedesk.policy.followup import schedule

    schedule(case)


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


def resolve(case: Case, solution: str, text: str, user) -> Case:
    """The customer (or staff for it) records that the abuse is gone and how.

    `solution` is one of Case.Resolution. The deadline stops; staff accept it
    with accept_resolution() (which also restores a restricted service)."""
    if solution not in Case.Resolution.values:
        raise ValueError(f"unknown solution {solution!r}")
    with transaction.atomic():
        case.resolution = solution
        case.resolution_text = text
        if case.first_response_at is None and _author_kind(user) == Message.Author.CUSTOMER:
            case.first_response_at = clock.now()
        _message(case, user, _author_kind(user), text)
        transition(case, State.RESOLVED, user=user, reason=f"resolution: {solution}",
                   data={"resolution": solution})
        _refresh_flags(case)
    return case


def dispute(case: Case, text: str, user) -> Case:
    """The customer says the notice is wrong; the deadline stops and staff decide."""
    if not text.strip():
        raise ValueError("a dispute needs a reason")
    with transaction.atomic():
        if case.first_response_at is None and _author_kind(user) == Message.Author.CUSTOMER:
            case.first_response_at = clock.now()
        _message(case, user, _author_kind(user), text)
        transition(case, State.DISPUTED, user=user, reason=text[:1000])
    return case


def accept_resolution(case: Case, user, note: str = "") -> Case:
    """Staff accept the customer's solution: active restrictions are lifted
    (a restore action, run by the enforcement sweep) and the case closes as resolved."""
    from abusedesk.enforcement.actions import restore_case

    if case.state != State.RESOLVED:
        raise TransitionError(f"{case.ref}: only a resolved case can be accepted (it is {case.state})")
    with transaction.atomic():
        restore_case(case, user, reason=note or "solution accepted")
        close(case, Case.CloseReason.RESOLVED, user, note=note or "solution accepted")
    return case


def reject_resolution(case: Case, user, reason: str) -> Case:
    """Staff do not accept the solution: the case goes back to the customer with a fresh deadline."""
    if case.state != State.RESOLVED:
        raise TransitionError(f"{case.ref}: only a resolved case can be rejected (it is {case.state})")
    return reopen(case, reason, user)


def close(case: Case, reason: str, user, note: str = "") -> Case:
    """Close with one of Case.CloseReason; the notifiers who left an address get the outcome
    (resolved / not ours / disputed), without the customer's name."""
    from . import notify

    if reason not in Case.CloseReason.values:
        raise ValueError(f"unknown close reason {reason!r}")
    with transaction.atomic():
        case.close_reason = reason
        _message(case, user, Message.Author.STAFF, note, visible=True)
        transition(case, State.CLOSED, user=user, reason=note or reason, data={"close_reason": reason})
        notify.send_outcome(case)
        _refresh_flags(case)
    return case


def _refresh_flags(case: Case) -> None:
    from abusedesk.enforcement.offenders import refresh_flag

    for customer in (case.customer, case.end_customer):
        if customer is not None:
            refresh_flag(customer)


def reopen(case: Case, reason: str, user) -> Case:
    """Back to the customer (abuse is back, dispute rejected, solution not accepted):
    a fresh deadline from now, reminders and escalation as for a new case."""
    with transaction.atomic():
        if case.state == State.CLOSED:
            case.close_reason = ""
        _message(case, user, Message.Author.STAFF, reason)
        if case.state in (State.DISPUTED, State.CUSTOMER_REPLIED, State.ESCALATED) and case.deadline_hours:
            # Not covered by transition()'s reopen branch, which handles resolved/closed.
            case.deadline = clock.now() + timedelta(hours=case.deadline_hours)
            case.reminders_sent = 0
        transition(case, State.FORWARDED, user=user, reason=reason)
    return case
