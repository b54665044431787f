"""What the desk is told: one row per alert (the event row), mailed through the outbox and
posted to the chat webhook by the sweep (the code that raises an alert never waits for a network)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffAlert(models.Model):
    class Event(models.TextChoices):
        DISPUTED = "disputed", _("disputed by the customer")
        CUSTOMER_REPLIED = "customer_replied", _("the customer replied")
        RESOLVED = "resolved", _("resolved, awaiting review")
        CHILD_ABUSE = "child_abuse", _("new child-abuse case")
        OVERDUE = "overdue", _("deadline passed")

    class State(models.TextChoices):
        PENDING = "pending", _("to post")
        RUNNING = "running", _("posting")
        SENT = "sent", _("posted")
        FAILED = "failed", _("failed")
        OFF = "off", _("no webhook")

    event = models.CharField(max_length=20, choices=Event.choices)
    # The cases' references only: never content (a child-abuse alert is a reference and a link).
    refs = models.JSONField(default=list)
    case_ids = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="staffalert_due")]

    def __str__(self):
        return f"{self.event} {', '.join(self.refs[:3])}"
