"""Receivers that keep the roll-up whole: a deleted case or report has no updated_at left to be
found by, so the day it was received on is marked to be rolled up again (rollup.py)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from abusedesk.cases.models import Case, Report

from .rollup import mark_dirty


@receiver(post_delete, sender=Case, dispatch_uid="reports_case_deleted")
@receiver(post_delete, sender=Report, dispatch_uid="reports_report_deleted")
def day_of_deleted_row(sender, instance, **kwargs):
    mark_dirty(instance.received_at)
