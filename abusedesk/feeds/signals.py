"""Takedown verification follows the cases' outcomes (cases does not know it):
registered in FeedsConfig.ready()."""

from django.dispatch import receiver

from abusedesk.cases.signals import case_reopened, case_settled
from abusedesk.cases.states import State

from . import verification


@receiver(case_settled, dispatch_uid="feeds.takedown_resolved")
def on_settled(sender, case, **kwargs):
    if case.state == State.RESOLVED:
        verification.resolved(case)


@receiver(case_reopened, dispatch_uid="feeds.takedown_came_back")
def on_reopened(sender, case, resolved_at, **kwargs):
    verification.came_back(case, resolved_at)
