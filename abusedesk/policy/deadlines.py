"""Compute a case's deadline once, when it is created, and pause it (TCO).

Order: the customer's override (risk; category-specific before "every
category") replaces the entity's policy, which falls back to the defaults
of DESIGN.md. A notifier's override and a deadline the notice itself imposes
(hotline, TCO removal order) can only shorten the result.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abusedesk.lib import clock

from .defaults import DEFAULT_DEADLINE_HOURS, DEFAULT_REMINDERS, INFORMATIONAL
from .models import CustomerDeadline, DeadlinePolicy, NotifierDeadline

# TCO Regulation Art 3(7)/(8): why the one-hour clock may stop.
PAUSE_REASONS = {
    "force_majeure": _("force majeure or de facto impossibility"),
    "manifest_error": _("manifest error in the removal order"),
    "insufficient_information": _("insufficient information in the removal order"),
}


def _override(model, field: str, owner, category: str) -> float | None:
    """The owner's category-specific override, else its "every category" one."""
    if owner is None:
        return None
    rows = model.objects.filter(**{field: owner}).filter(Q(category=category) | Q(category=""))
    best = None
    for row in rows:
        if best is None or row.category:  # the specific row wins over the blank one
            best = row
    return best.hours if best else None


def deadline_hours(entity, category: str, *, notice_hours: float | None = None,
                   notifier=None, customer=None) -> float:
    """Hours the customer has to act on a case of `category`."""
    hours = _override(CustomerDeadline, "customer", customer, category)
    if hours is None:
        row = DeadlinePolicy.objects.filter(entity=entity, category=category).first()
        hours = row.hours if row else DEFAULT_DEADLINE_HOURS.get(category, 48)
    for shorter in (_override(NotifierDeadline, "notifier", notifier, category), notice_hours):
        if shorter is not None and 0 < shorter < hours:
            hours = shorter
    return hours


def deadline_from(start: datetime, hours: float) -> datetime:
    return start + timedelta(hours=hours)


def reminder_percentages(entity, category: str) -> list[int]:
    """The policy's reminder points, e.g. [50, 90]; bad entries are ignored, never fatal."""
    row = DeadlinePolicy.objects.filter(entity=entity, category=category).only("reminders").first()
    text = row.reminders if row else DEFAULT_REMINDERS
    points = set()
    for part in text.split(","):
        try:
            value = int(float(part.strip()))
        except ValueError:
            continue
        if 0 < value < 100:
            points.add(value)
    return sorted(points)


def is_informational(entity, category: str) -> bool:
    row = DeadlinePolicy.objects.filter(entity=entity, category=category).only("informational").first()
    return row.informational if row else category in INFORMATIONAL


def pause(case, reason: str, *, user=None, note: str = ""):
    """Stop the deadline clock (TCO Art 3(7)/(8)); audited. Pausing twice is a no-op."""
    from abusedesk.cases.workflow import audit

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
    from abusedesk.cases.workflow import audit
    from abusedesk.policy.followup import schedule

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
