"""Outgoing mail as rows: queued by the workflow, claimed and sent by the worker."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.lib.indexes import BYTEWISE


class OutgoingMail(models.Model):
    class State(models.TextChoices):
        HELD = "held", _("held")  # not sendable yet: a digest whose notice is still being processed
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")  # gave up after retries
        BOUNCED = "bounced", _("bounced")

    # Unique, and message_id indexed, in Meta (lib.indexes.BYTEWISE says why).
    dedupe_key = models.CharField(max_length=200, help_text=_("The same mail is never queued twice"))
    kind = models.CharField(max_length=40)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="mails")
    # A notice's digests: held while it is processed, released together when it is done.
    notice = models.ForeignKey("intake.RawMessage", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="mails")
    to = models.TextField(help_text=_("Recipients, comma separated"))
    from_email = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320, blank=True)
    # Empty for a digest until it is sent: the outbox composes it then (sending.COMPOSERS).
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.TextField(blank=True, help_text=_("Status and diagnostic of the delivery report"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key", opclasses=BYTEWISE)]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["message_id"], name="outbox_message_id", opclasses=BYTEWISE),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to}: {self.subject}"
