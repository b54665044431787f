"""Enforcement steps on a case: proposed by staff or policy, approved, executed by a backend."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        ESCALATION = "escalation", _("escalation")
        NULL_ROUTE = "null_route", _("null route")
        SUSPEND_SERVICE = "suspend_service", _("suspend server/service")
        SUSPEND_ACCOUNT = "suspend_account", _("suspend account")
        TERMINATE = "terminate", _("terminate")
        RESTORE = "restore", _("restore")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    target = models.CharField(max_length=200, blank=True, help_text=_("IP, service id or account"))
    reason = models.TextField(blank=True)
    backend = models.CharField(max_length=40, blank=True)
    result = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self):
        return f"{self.get_kind_display()} on case {self.case_id} ({self.state})"
