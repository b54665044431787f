"""Who holds which addresses: sales entities, customers and IP assignments."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from abusedesk.lib.ipaddr import address_hex, prefix_columns

LANGUAGE_CHOICES = [("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")]


class Entity(models.Model):
    """A sales entity of the provider (e.g. NL B.V.): own abuse address, jurisdiction, policy."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    abuse_email = models.EmailField()
    jurisdiction = models.CharField(max_length=2, help_text=_("ISO 3166 country code"))
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, default="en")
    terms_url = models.URLField(blank=True, help_text=_("Acceptable use policy, cited in statements of reasons"))

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        TERMINATED = "terminated", _("terminated")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="customers")
    reference = models.CharField(max_length=100, unique=True, help_text=_("Account id in the billing system"))
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="end_customers",
        help_text=_("The reseller this end customer belongs to"),
    )
    is_reseller = models.BooleanField(default=False)
    abuse_email = models.EmailField(blank=True)
    main_email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, default="en")
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="customers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return f"{self.name} ({self.reference})"

    @property
    def contact_email(self) -> str:
        return self.contact_of(self.abuse_email, self.main_email)

    @staticmethod
    def contact_of(abuse_email: str, main_email: str) -> str:
        """Where notices go: the abuse contact, else the main contact (also for plain rows)."""
        return abuse_email or main_email


class AssignmentQuerySet(models.QuerySet):
    def active_at(self, at):
        return self.filter(valid_from__lte=at).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))

    def containing(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address):
        h = address_hex(addr)
        return self.filter(version=addr.version, first_hex__lte=h, last_hex__gte=h)


class Assignment(models.Model):
    """A prefix held by a customer from valid_from to valid_to (None: still held).

    History is kept: abuse is matched to whoever held the address when it happened.
    """

    prefix = models.CharField(max_length=43)
    version = models.PositiveSmallIntegerField(editable=False)
    prefix_length = models.PositiveSmallIntegerField(editable=False)
    first_hex = models.CharField(max_length=32, editable=False)
    last_hex = models.CharField(max_length=32, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="assignments")
    end_customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="end_assignments",
        help_text=_("The reseller's end customer using this prefix, if known"),
    )
    service_ref = models.CharField(max_length=100, blank=True, help_text=_("Server / service id"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every write stamps it (bulk writers set it themselves): the in-memory
    # prefix index compares (count, max(updated_at)) to know it is stale.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["version", "first_hex", "-prefix_length", "valid_from"]
        indexes = [
            models.Index(fields=["version", "first_hex", "last_hex"], name="assignment_range"),
            models.Index(fields=["prefix", "valid_from"], name="assignment_prefix"),
        ]

    def __str__(self):
        return f"{self.prefix} → {self.customer.reference}"

    def _derive(self):
        self.prefix, self.version, self.prefix_length, self.first_hex, self.last_hex = prefix_columns(self.prefix)

    def overlapping(self):
        """Assignments of the same prefix whose validity overlaps this one's."""
        qs = Assignment.objects.filter(prefix=self.prefix).exclude(pk=self.pk)
        if self.valid_to is not None:
            qs = qs.filter(valid_from__lt=self.valid_to)
        return qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_from))

    def clean(self):
        try:
            self._derive()
        except ValueError as exc:
            raise ValidationError({"prefix": str(exc)}) from exc
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("must be after valid_from")})
        if self.end_customer_id and self.end_customer.parent_id != self.customer_id:
            raise ValidationError({"end_customer": _("must be an end customer of this reseller")})
        if self.overlapping().exists():
            raise ValidationError(_("This prefix is already assigned for an overlapping period."))

    def save(self, *args, **kwargs):
        # Overlaps are rejected on every write, not only in forms.
        self.clean()
        super().save(*args, **kwargs)


class IndexSnapshot(models.Model):
    """The in-memory prefix index (network.index) as its last build left it, for
    the next process that needs it: loading it takes a fraction of building it
    from a million assignments. Valid only for the `version` it was built from;
    stored as parts of a few MiB (`seq` orders them), so that neither writing
    nor reading it ever holds the whole of it in memory."""

    version = models.CharField(max_length=200)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="index_snapshot_part")]

    def __str__(self):
        return f"prefix index snapshot {self.version} part {self.seq} ({self.kind})"


class InventorySync(models.Model):
    """One run of an inventory sync (NetBox): what it changed, or why it failed."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    source = models.CharField(max_length=20, default="netbox")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    customers_created = models.PositiveIntegerField(default=0)
    customers_updated = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0, help_text=_("Assignment intervals opened"))
    closed = models.PositiveIntegerField(default=0, help_text=_("Assignment intervals closed"))
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.source} sync {self.started_at:%Y-%m-%d %H:%M} {self.state}"
