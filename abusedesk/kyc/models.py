"""KYC: orders screened before they become customers, the watch list, re-reviews of
existing customers, questionnaires for higher-risk business types and their checks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.network.models import Customer, Entity


class BusinessType(models.TextChoices):
    HOSTING = "hosting", _("hosting")
    VPN = "vpn", _("VPN service")
    CLOUD_STORAGE = "cloud_storage", _("cloud storage")
    UGC_PLATFORM = "ugc_platform", _("user-generated content platform")
    RESELLER = "reseller", _("reseller")
    OTHER = "other", _("other")


# Business types that must answer the questionnaire before approval (and yearly after).
QUESTIONNAIRE_TYPES = frozenset({BusinessType.VPN, BusinessType.CLOUD_STORAGE, BusinessType.UGC_PLATFORM,
                                 BusinessType.RESELLER})
# Business types that must check uploads against the hotline's hash database (EOKM HashCheckService).
HASHCHECK_TYPES = frozenset({BusinessType.CLOUD_STORAGE, BusinessType.UGC_PLATFORM})


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Order(models.Model):
    """A would-be customer's order, as the shop (or the desk) sent it, with its screening."""

    class State(models.TextChoices):
        REVIEW = "review", _("to review")
        INFO_REQUESTED = "info_requested", _("more information asked")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class RejectReason(models.TextChoices):
        EX_CUSTOMER = "ex_customer", _("former customer terminated for abuse")
        WATCH_LIST = "watch_list", _("on the watch list")
        FRAUD = "fraud", _("fraud or false identity")
        QUESTIONNAIRE = "questionnaire", _("questionnaire not answered or insufficient")
        POLICY = "policy", _("business not accepted under our policy")
        OTHER = "other", _("other")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="orders")
    shop_reference = models.CharField(max_length=100, blank=True, help_text=_("The order id in the shop"))
    company_name = models.CharField(max_length=200)
    registration_number = models.CharField(max_length=64, blank=True)
    registration_country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166 country code"))
    vat_id = models.CharField(max_length=32, blank=True)
    contact_person = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=255, blank=True)
    billing_address = models.TextField(blank=True)
    billing_country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166 country code"))
    payment_fingerprint = models.CharField(max_length=128, blank=True,
                                           help_text=_("Opaque hash of the payment method, from the shop"))
    signup_ip = models.GenericIPAddressField(null=True, blank=True)
    business_type = models.CharField(max_length=16, choices=BusinessType.choices, default=BusinessType.HOSTING)
    services = models.TextField(blank=True, help_text=_("The services ordered"))
    language = models.CharField(max_length=2, default="en")

    state = models.CharField(max_length=16, choices=State.choices, default=State.REVIEW)
    risk_score = models.PositiveIntegerField(default=0)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    # [{"code", "weight", "explanation", "evidence": [...]}], as screening.screen() found them.
    signals = models.JSONField(default=list)
    screened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reject_reason = models.CharField(max_length=16, choices=RejectReason.choices, blank=True)
    decision_note = models.TextField(blank=True)
    customer = models.OneToOneField(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="kyc_order")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="kyc_orders")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="kyc_order_state")]

    def __str__(self):
        return f"order {self.pk}: {self.company_name}"

    @property
    def signal_codes(self) -> list[str]:
        return [s["code"] for s in self.signals]


class WatchListEntry(models.Model):
    """A party that orders and customers are matched against (e.g. a reseller named in a police letter)."""

    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    domains = models.JSONField(default=list, blank=True)
    emails = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True)
    registration_numbers = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=200, help_text=_("e.g. police letter"))
    listed_on = models.DateField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "watch list entries"

    def __str__(self):
        return self.name


class Profile(models.Model):
    """What KYC knows of a customer: the identifiers from its order (or the desk), its business
    type, and its obligations (questionnaire, hash-check, PTR records)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="kyc_profile")
    business_type = models.CharField(max_length=16, choices=BusinessType.choices, default=BusinessType.HOSTING)
    registration_number = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=255, blank=True)
    payment_fingerprint = models.CharField(max_length=128, blank=True)
    signup_ip = models.GenericIPAddressField(null=True, blank=True)
    hashcheck_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When staff accepted the customer's HashCheckService confirmation"))
    ptr_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["customer"]

    def __str__(self):
        return f"KYC profile of {self.customer}"

    @property
    def hashcheck_applies(self) -> bool:
        return self.business_type in HASHCHECK_TYPES


class Review(models.Model):
    """A KYC review of an existing customer, opened by a repeat-offender flag or a watch-list match."""

    class Reason(models.TextChoices):
        OFFENDER = "offender", _("repeat-offender flag")
        WATCH_LIST = "watch_list", _("watch-list match")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLEARED = "cleared", _("cleared")
        ACTED = "acted", _("action taken")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="kyc_reviews")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    watch_entry = models.ForeignKey(WatchListEntry, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="reviews")
    evidence = models.JSONField(default=list)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # One open review per customer and cause: a second flag or match adds nothing to decide.
            models.UniqueConstraint(fields=["customer", "reason", "watch_entry"], condition=models.Q(state="open"),
                                    name="kyc_one_open_review"),
        ]

    def __str__(self):
        return f"KYC review of {self.customer} ({self.reason})"


class Questionnaire(models.Model):
    """Questions for a higher-risk business type, answered through a signed link without an account."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ANSWERED = "answered", _("answered")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="questionnaires")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="kyc_questionnaires")
    business_type = models.CharField(max_length=16, choices=BusinessType.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"questionnaire {self.pk} ({self.business_type}, {self.state})"


class PtrRecord(models.Model):
    """The last PTR check of one address of a VPN customer."""

    class Status(models.TextChoices):
        OK = "ok", _("names the business")
        MISSING = "missing", _("no PTR record")
        MISMATCH = "mismatch", _("does not name the business")
        ERROR = "error", _("look-up failed")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ptr_records")
    ip = models.GenericIPAddressField()
    ptr = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["customer", "ip"]
        constraints = [models.UniqueConstraint(fields=["customer", "ip"], name="kyc_one_ptr_per_ip")]

    def __str__(self):
        return f"{self.ip} → {self.ptr or '-'} ({self.status})"
