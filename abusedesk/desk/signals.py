"""The desk's part in what happens to cases: staff alerts, received from cases.signals
(connected in apps.py; the cases app and the follow-up sweep do not import the desk)."""

from django.dispatch import receiver

from abusedesk.cases.signals import cases_overdue, desk_attention

from .alerts import raise_alert


@receiver(desk_attention, dispatch_uid="desk.alert_on_attention")
def alert_on_attention(sender, case, event, user=None, **kwargs):
    raise_alert(event, [case])


@receiver(cases_overdue, dispatch_uid="desk.alert_on_overdue")
def alert_on_overdue(sender, cases, **kwargs):
    raise_alert("overdue", cases)
