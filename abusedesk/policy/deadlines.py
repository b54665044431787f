"""Compute a case's deadline once, when it is created."""

from datetime import datetime, timedelta

from .defaults import DEFAULT_DEADLINE_HOURS
from .models import DeadlinePolicy


def deadline_hours(entity, category: str, *, notice_hours: float | None = None) -> float:
    """The entity's policy for the category; a notice that imposes a shorter one (hotline, TCO) wins."""
    row = DeadlinePolicy.objects.filter(entity=entity, category=category).first()
    hours = row.hours if row else DEFAULT_DEADLINE_HOURS.get(category, 48)
    if notice_hours is not None and 0 < notice_hours < hours:
        hours = notice_hours
    return hours


def deadline_from(start: datetime, hours: float) -> datetime:
    return start + timedelta(hours=hours)
