"""Changing a case's state: checked against states.TRANSITIONS, stamped and audited."""

from django.db import transaction

from abusedesk.lib import clock

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
        case.save()
        audit(case, "transition", user=user, label=label, reason=reason, data=data,
              from_state=from_state, to_state=to_state)
    return case
