"""Compute a case's deadline once, when it is created (pausing it is pause.py).

Order: the customer's override (risk; category-specific before "every
category") replaces the entity's policy, which falls back to the defaults
of docs/design.md. A notifier's override and a deadline the notice itself imposes
(hotline, TCO removal order) can only shorten the result.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from .defaults import DEFAULT_DEADLINE_HOURS, DEFAULT_REMINDERS, INFORMATIONAL
from .models import CustomerDeadline, DeadlinePolicy, NotifierDeadline


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


# DSA Art 16 and the TCO Regulation (EU) 2021/784 Art 3(3): child-abuse material and terrorist content
# must go within the hour; only for these may a missed deadline restrict without a person approving.
EXECUTABLE_AT_DEADLINE = frozenset({"csam", "terrorism"})


def at_deadline(entity, category: str) -> tuple[str, str]:
    """(what happens when a deadline passes: "notify", "propose" or "execute"; the restriction's kind).
    "execute" outside EXECUTABLE_AT_DEADLINE is taken as "propose"."""
    row = DeadlinePolicy.objects.filter(entity=entity, category=category).only(
        "at_deadline", "restriction").first()
    if row is None:
        return DeadlinePolicy.AtDeadline.NOTIFY, ""
    step = row.at_deadline
    if step == DeadlinePolicy.AtDeadline.EXECUTE and category not in EXECUTABLE_AT_DEADLINE:
        step = DeadlinePolicy.AtDeadline.PROPOSE
    return step, row.restriction
