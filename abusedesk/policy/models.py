"""Deadline policy per entity and category, editable by staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import CATEGORY_CHOICES
from abusedesk.network.models import Entity

from .defaults import DEFAULT_REMINDERS


class DeadlinePolicy(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="deadline_policies")
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES)
    hours = models.FloatField()
    reminders = models.CharField(
        max_length=50, default=DEFAULT_REMINDERS, help_text=_("Reminders at these percentages of the deadline")
    )
    informational = models.BooleanField(default=False, help_text=_("No enforcement when the deadline passes"))

    class Meta:
        verbose_name_plural = "deadline policies"
        ordering = ["entity", "category"]
        constraints = [models.UniqueConstraint(fields=["entity", "category"], name="one_policy_per_category")]

    def __str__(self):
        return f"{self.entity.code} {self.category}: {self.hours:g} h"
