"""Receivers that keep the roll-up whole: a deleted case or report has no updated_at left to be
found by, so the day it was received on is marked to be rolled up again (rollup.py)."""

from datetime import UTC
from weakref import WeakKeyDictionary

from django.db.models.signals import post_delete
from django.dispatch import receiver

from abusedesk.cases.models import Case, Report

from .rollup import mark_dirty

# The days already marked by one delete (its `origin`, a queryset or an instance): deleting ten
# thousand reports of one notice marks their day once, not ten thousand times.
_marked = WeakKeyDictionary()


@receiver(post_delete, sender=Case, dispatch_uid="reports_case_deleted")
@receiver(post_delete, sender=Report, dispatch_uid="reports_report_deleted")
def day_of_deleted_row(sender, instance, origin=None, **kwargs):
    if instance.received_at is None:
        return
    day = instance.received_at.astimezone(UTC).date()
    try:
        seen = _marked.setdefault(origin, set())
    except TypeError:  # an origin that cannot be weakly referenced: mark every time
        seen = set()
    if day not in seen:
        seen.add(day)
        mark_dirty(instance.received_at)
