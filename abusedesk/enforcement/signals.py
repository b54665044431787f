"""Enforcement's part in a case's outcome, received from cases.signals (connected in apps.py)."""

from django.dispatch import receiver

from abusedesk.cases.signals import case_settled, cases_overdue, dispute_upheld, resolution_accepted

from .actions import act_at_deadline, restore_case
from .offenders import refresh_flag


@receiver(resolution_accepted, dispatch_uid="enforcement.restore_on_acceptance")
def restore_on_acceptance(sender, case, user, note, **kwargs):
    restore_case(case, user, reason=note)


@receiver(dispute_upheld, dispatch_uid="enforcement.restore_on_upheld_dispute")
def restore_on_upheld_dispute(sender, case, user, note, **kwargs):
    # The restriction was wrong (DSA Art 20(4)): it is reversed without undue delay.
    restore_case(case, user, reason=note)


@receiver(case_settled, dispatch_uid="enforcement.refresh_offender_flags")
def refresh_offender_flags(sender, case, **kwargs):
    for customer in (case.customer, case.end_customer):
        if customer is not None:
            refresh_flag(customer)


@receiver(cases_overdue, dispatch_uid="enforcement.act_at_deadline")
def restrict_at_deadline(sender, cases, **kwargs):
    act_at_deadline(cases)
