"""The state machine at work: a case's state changes here, checked against states.TRANSITIONS.

`transition()` stamps, audits and schedules the next follow-up check: nothing
else. What people do to a case (and what follows: mail, restrictions, flags)
is `services.py`, the layer above; it never calls back down here for more.
`transition_many()` is the same for the follow-up sweep's bursts.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from abusedesk.lib import clock
from abusedesk.policy.schedule import PolicyCache, next_check, schedule

from .audit import audit
from .models import AuditLog, Case
from .states import State, TransitionError, can_transition

# The timestamp each state stamps the first time a case enters it.
_STAMPS = {
    State.FORWARDED: "forwarded_at",
    State.ESCALATED: "escalated_at",
    State.RESTRICTED: "restricted_at",
    State.RESOLVED: "resolved_at",
    State.CLOSED: "closed_at",
}


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
        schedule(case)
    return case


def transition_many(cases: list[Case], to_state: str, *, label: str = "system", reason: str = "",
                    data=None) -> list[Case]:
    """transition() for many cases at once (the follow-up sweep escalating a burst): the same
    checks, stamps, audit entries and next check points, written with one UPDATE per group of
    cases that end up with equal values and one INSERT of the audit entries. `data` is a dict
    or a function of the case. Reopening (→ forwarded) resets deadlines: use transition()."""
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
