"""Deadline policy per entity and category, editable by staff, with overrides
per notifier (trusted notifiers and hotlines can shorten) and per customer (risk)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import CATEGORY_CHOICES
from abusedesk.intake.models import Notifier
from abusedesk.network.models import Customer, Entity

from .defaults import DEFAULT_REMINDERS


class DeadlinePolicy(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="deadline_policies")
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES)
    hours = models.FloatField()
    reminders = models.CharField(
        max_length=50, default=DEFAULT_REMINDERS, help_text=_("Reminders at these percentages of the deadline")
    )
    informational = models.BooleanField(default=False, help_text=_("No enforcement when the deadline passes"))

    class AtDeadline(models.TextChoices):
        NOTIFY = "notify", _("tell the desk")
        PROPOSE = "propose", _("propose a restriction for approval")
        EXECUTE = "execute", _("execute the restriction (child abuse and terrorist content only)")

    # What happens when the deadline passes, beyond the escalation and the desk's alert.
    at_deadline = models.CharField(_("at the deadline"), max_length=10, choices=AtDeadline.choices,
                                   default=AtDeadline.NOTIFY)
    restriction = models.CharField(_("restriction"), max_length=20, default="null_route", choices=[
        ("null_route", _("null route")), ("suspend_service", _("suspend server/service")),
        ("suspend_account", _("suspend account"))])

    class Meta:
        verbose_name_plural = "deadline policies"
        ordering = ["entity", "category"]
        constraints = [models.UniqueConstraint(fields=["entity", "category"], name="one_policy_per_category")]

    def __str__(self):
        return f"{self.entity.code} {self.category}: {self.hours:g} h"


class NotifierDeadline(models.Model):
    """A notifier's deadline (hotline, trusted flagger): it can only shorten the policy."""

    notifier = models.ForeignKey(Notifier, on_delete=models.CASCADE, related_name="deadline_overrides")
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES, blank=True,
                                help_text=_("Empty: every category"))
    hours = models.FloatField()

    class Meta:
        ordering = ["notifier", "category"]
        constraints = [models.UniqueConstraint(fields=["notifier", "category"], name="one_notifier_deadline")]

    def __str__(self):
        return f"{self.notifier} {self.category or '*'}: {self.hours:g} h"


class CustomerDeadline(models.Model):
    """A customer's deadline, set by staff for its risk: replaces the entity's policy."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="deadline_overrides")
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES, blank=True,
                                help_text=_("Empty: every category"))
    hours = models.FloatField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["customer", "category"]
        constraints = [models.UniqueConstraint(fields=["customer", "category"], name="one_customer_deadline")]

    def __str__(self):
        return f"{self.customer} {self.category or '*'}: {self.hours:g} h"
