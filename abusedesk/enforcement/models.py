"""Enforcement on a case: actions (proposed, approved, executed by a backend),
the DSA Art 17 statement of reasons sent when a restriction takes effect, and
the repeat-offender flag per customer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.sources import Source
from abusedesk.network.models import Customer, Entity


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
    # Termination needs a second approval by a different staff user.
    second_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    # The ground of a restriction (DSA Art 17(3)(d)/(e)): empty means the category's, set by staff where
    # our terms ban what the law allows (e.g. child erotica reported as csam: terms, not illegal).
    ground = models.CharField(max_length=10, blank=True, default="", db_default="", choices=[("illegal", _("illegal content")),
                                                                 ("terms", _("our terms and conditions"))],
                              help_text=_("Empty: illegal for categories that are illegal in themselves"))
    restores = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="restored_by", help_text=_("The restriction a restore lifts"))
    proposed_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["state", "claimed_at"], name="action_claim")]

    def __str__(self):
        return f"{self.get_kind_display()} on case {self.case_id} ({self.state})"


class StatementOfReasons(models.Model):
    """DSA Art 17: why a service was restricted, sent to the customer when the restriction takes effect."""

    # Where the case came from (cases.sources): notices, trusted flaggers, hotlines, feeds and
    # authority orders are told apart (DSA Art 17(3)(b), the Transparency Database's source_type).
    Source = Source

    class Ground(models.TextChoices):
        ILLEGAL = "illegal", _("illegal content")
        TERMS = "terms", _("incompatible with our terms and conditions")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="statements")
    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="statement")
    measure = models.CharField(max_length=40)
    scope = models.TextField()
    facts = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices)
    # DSA Art 17(3)(a): the territorial scope (ISO 3166 codes) and the duration of the decision.
    territorial_scope = models.JSONField(default=list, blank=True,
                                         help_text=_("Countries where the restriction applies (ISO 3166)"))
    end_date = models.DateTimeField(null=True, blank=True,
                                    help_text=_("When the restriction ended (empty: in force, indefinite)"))
    automated_detection = models.BooleanField(help_text=_("The abuse was detected by automated means"))
    automated_decision = models.BooleanField(default=False, help_text=_("The decision was taken by automated means"))
    ground = models.CharField(max_length=10, choices=Ground.choices)
    ground_text = models.TextField(help_text=_("The legal provision or the clause of the acceptable use policy"))
    redress = models.TextField()
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=500)
    body = models.TextField(help_text=_("The statement as sent"))
    mail = models.ForeignKey("outbox.OutgoingMail", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "statements of reasons"

    def __str__(self):
        return f"statement of reasons for action {self.action_id}"


class OffenderStep(models.TextChoices):
    NONE = "none", _("none")
    WARN = "warn", _("warn")
    SUSPEND = "suspend", _("suspend")
    TERMINATE = "terminate", _("terminate")


class RepeatOffenderThreshold(models.Model):
    """`cases` validated cases within `window_days` recommend `step` (per entity; defaults in offenders.py)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="offender_thresholds")
    step = models.CharField(max_length=10, choices=OffenderStep.choices[1:])
    window_days = models.PositiveIntegerField()
    cases = models.PositiveIntegerField()

    class Meta:
        ordering = ["entity", "window_days"]
        constraints = [models.UniqueConstraint(fields=["entity", "step"], name="one_threshold_per_step")]

    def __str__(self):
        return f"{self.entity.code}: {self.cases} in {self.window_days} d → {self.step}"


class OffenderFlag(models.Model):
    """The repeat-offender standing of a customer, recomputed when its cases close and by the sweep."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="offender_flag")
    step = models.CharField(max_length=10, choices=OffenderStep.choices, default=OffenderStep.NONE)
    counts = models.JSONField(default=dict, help_text=_("Validated cases per window, e.g. {\"30\": 4}"))
    reason = models.CharField(max_length=300, blank=True)
    raised_at = models.DateTimeField(null=True, blank=True, help_text=_("When the current step was reached"))
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["step"], name="offender_step")]

    def __str__(self):
        return f"{self.customer}: {self.step}"


class ApprovalPolicy(models.Model):
    """Per kind of restriction: must someone other than the proposer approve it (four eyes)?
    Without a row, yes for every restricting kind (actions.needs_second_approver)."""

    kind = models.CharField(max_length=20, choices=Action.Kind.choices, unique=True)
    second_approver = models.BooleanField(
        default=True, help_text=_("The member of staff who proposed it may not approve it"))

    class Meta:
        verbose_name_plural = "approval policies"
        ordering = ["kind"]

    def __str__(self):
        return f"{self.kind}: {'second approver' if self.second_approver else 'one approval'}"
