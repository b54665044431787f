"""The state machine at work: a case's state changes here, checked against states.TRANSITIONS.

`transition()` stamps, audits and schedules the next follow-up check: nothing
else. What people do to a case (and what follows: mail, restrictions, flags)
is `services.py`, the layer above; it never calls back down here for more.
`bulk.transition_many()` is the same for the follow-up sweep's bursts; both
stamp with `stamp()`.
"""

from datetime import timedelta

from django.db import transaction

from abusedesk.lib import clock
from abusedesk.policy.schedule import schedule

from .audit import audit
from .models import Case
from .states import State, TransitionError, can_transition

# The timestamp each state stamps the first time a case enters it.
_STAMPS = {
    State.FORWARDED: "forwarded_at",
    State.ESCALATED: "escalated_at",
    State.RESTRICTED: "restricted_at",
    State.RESOLVED: "resolved_at",
    State.CLOSED: "closed_at",
}


def stamp(case: Case, to_state: str, now) -> str | None:
    """Put `case` in `to_state` (unsaved) and stamp the state's timestamp: the first time
    it enters the state, or every time for resolved and closed. Returns the stamp's field."""
    case.state = to_state
    field = _STAMPS.get(to_state)
    if field and (getattr(case, field) is None or to_state in (State.RESOLVED, State.CLOSED)):
        setattr(case, field, now)
    return field


def transition(case: Case, to_state: str, *, user=None, label: str = "", reason: str = "", data=None) -> Case:
    """Move `case` to `to_state` or raise TransitionError. Saves the case and writes the audit entry."""
    if not can_transition(case.state, to_state):
        raise TransitionError(f"{case.ref}: {case.state} → {to_state} is not allowed")
    now = clock.now()
    from_state = case.state
    with transaction.atomic():
        stamp(case, to_state, now)
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
