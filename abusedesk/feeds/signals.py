"""Takedown verification follows the cases' state changes (cases does not know it)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from abusedesk.cases.models import AuditLog
from abusedesk.cases.states import State

from . import verification

# The reason grouping gives when a new report reopens a resolved case.
REOPENED_BY_REPORT = "new report after the case was resolved"


@receiver(post_save, sender=AuditLog, dispatch_uid="feeds-takedown-transition")
def on_transition(sender, instance: AuditLog, created: bool, **kwargs):
    if not created or instance.verb != "transition" or instance.case_id is None:
        return
    if instance.to_state == State.RESOLVED:
        verification.resolved(instance.case, instance.at)
    elif (instance.from_state == State.RESOLVED and instance.to_state == State.FORWARDED
          and instance.actor_id is None and instance.reason.startswith(REOPENED_BY_REPORT)):
        verification.came_back(instance.case, None)
