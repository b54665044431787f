"""KYC reacts to enforcement without enforcement knowing about KYC (Django signals).

A repeat-offender flag that is raised (enforcement.offenders.refresh_flag stamps
`raised_at` when a customer reaches a new step) opens a KYC review of the customer.
Terminations need no receiver: screening asks for customers in a terminated or
suspended state when it looks for ex-customers.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from abusedesk.enforcement.models import OffenderFlag, OffenderStep

from . import services
from .models import Review


@receiver(post_save, sender=OffenderFlag, dispatch_uid="kyc-offender-flag")
def offender_flag_raised(sender, instance: OffenderFlag, **kwargs):
    if instance.step == OffenderStep.NONE or instance.raised_at is None:
        return
    if instance.raised_at != instance.computed_at:  # recomputed, not newly raised
        return
    services.open_review(instance.customer, Review.Reason.OFFENDER,
                         evidence=[f"repeat offender: {instance.get_step_display()} ({instance.reason})"])
