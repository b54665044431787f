"""Pausing and resuming a case's deadline (TCO Regulation Art 3(7)/(8)): audited, rescheduled."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.audit import audit
from abusedesk.lib import clock

from .deadlines import deadline_from
from .schedule import schedule

# TCO Regulation Art 3(7)/(8): why the one-hour clock may stop.
PAUSE_REASONS = {
    "force_majeure": _("force majeure or de facto impossibility"),
    "manifest_error": _("manifest error in the removal order"),
    "insufficient_information": _("insufficient information in the removal order"),
}


def pause(case, reason: str, *, user=None, note: str = ""):
    """Stop the deadline clock (TCO Art 3(7)/(8)); audited. Pausing twice is a no-op."""
    if reason not in PAUSE_REASONS:
        raise ValueError(f"unknown pause reason {reason!r}; one of {sorted(PAUSE_REASONS)}")
    if case.deadline_paused_at is not None:
        return case
    with transaction.atomic():
        case.deadline_paused_at = clock.now()
        case.deadline_pause_reason = reason
        case.next_check_at = None  # nothing is due while paused
        case.save(update_fields=["deadline_paused_at", "deadline_pause_reason", "next_check_at", "updated_at"])
        audit(case, "deadline_paused", user=user, reason=note or str(PAUSE_REASONS[reason]),
              data={"pause_reason": reason, "deadline": case.deadline.isoformat() if case.deadline else None})
    return case


def resume(case, *, user=None, note: str = ""):
    """Restart the clock on clarification: the full deadline runs again from now
    (TCO: the hour starts when the reasons have ceased / clarification arrived)."""
    if case.deadline_paused_at is None:
        return case
    now = clock.now()
    with transaction.atomic():
        paused_for = (now - case.deadline_paused_at).total_seconds()
        old = case.deadline
        case.deadline = deadline_from(now, case.deadline_hours or 0)
        case.deadline_paused_at = None
        reason = case.deadline_pause_reason
        case.deadline_pause_reason = ""
        case.save(update_fields=["deadline", "deadline_paused_at", "deadline_pause_reason", "updated_at"])
        audit(case, "deadline_resumed", user=user, reason=note or "clarification received",
              data={"pause_reason": reason, "paused_seconds": round(paused_for),
                    "old_deadline": old.isoformat() if old else None, "deadline": case.deadline.isoformat()})
        schedule(case)
    return case
