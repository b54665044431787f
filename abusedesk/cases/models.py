"""Reports, cases, their communication thread and the audit log."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.lib.indexes import BYTEWISE
from abusedesk.lib.roles import is_compliance
from abusedesk.network.models import Assignment, Customer, Entity
from abusedesk.parsers.base import CATEGORIES, case_ref

from .states import OPEN_STATES, State

CATEGORY_LABELS = {
    "spam": _("spam"), "phishing": _("phishing"), "malware": _("malware"), "botnet": _("botnet"),
    "ddos": _("DDoS"), "scanning": _("scanning"), "brute_force": _("brute force"), "copyright": _("copyright"),
    "csam": _("child sexual abuse material"), "terrorism": _("terrorist content"), "fraud": _("fraud"),
    "vulnerable_service": _("vulnerable service"), "blocklist": _("block list"), "other": _("other"),
}
CATEGORY_CHOICES = [(c, CATEGORY_LABELS.get(c, c.replace("_", " "))) for c in CATEGORIES]
# Child sexual abuse material: its reports and cases are for the compliance role only,
# and nothing of a notice about it is kept beyond location and reference.
CHILD_ABUSE = "csam"


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The desk's rule, per report: a child-abuse report (by its category or its case) is
        for the compliance role; other staff see the rest; a customer user the reports of its
        visible cases (their child-abuse evidence is blanked by the API, see cases/api.py)."""
        if user.is_staff:
            return self if is_compliance(user) else self.exclude(self.sensitive_q())
        return self.filter(case__in=Case.objects.visible_to(user))

    @staticmethod
    def sensitive_q():
        return models.Q(category=CHILD_ABUSE) | models.Q(case__sensitive=True)


class Report(models.Model):
    """One abuse observation parsed out of a RawMessage."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("matched")
        UNMATCHED = "unmatched", _("unmatched")  # no IP of ours: staff queue
        MASKED = "masked", _("masked")  # behind a CDN: notifier told to use the CDN's form
        LAW_ENFORCEMENT = "law_enforcement", _("law enforcement")  # never forwarded to a customer
        DUPLICATE = "duplicate", _("duplicate")

    # Feeds write hundreds of thousands of reports at a time, and every index
    # costs each of them a B-tree insert: only what is looked up has one. The
    # unique (raw_message, event_index) serves "the reports of this notice";
    # customer, assignment and notifier are looked up through the case.
    raw_message = models.ForeignKey(RawMessage, on_delete=models.PROTECT, related_name="reports", db_index=False)
    event_index = models.PositiveIntegerField()
    notifier = models.ForeignKey(Notifier, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES)
    ip = models.GenericIPAddressField(null=True, blank=True)
    url = models.TextField(blank=True)
    domain = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    evidence = models.TextField(blank=True)
    source_ref = models.CharField(max_length=200, blank=True)
    # 64 bits of a sha256 (intake.reports.fingerprint): an integer key costs every insert
    # less than half the index time of a hex text one.
    fingerprint = models.BigIntegerField(help_text=_("Same content from the same notifier"))  # indexed below
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="reports",
                                 db_index=False)
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    case = models.ForeignKey("Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # Re-running a RawMessage never stores its events twice.
            models.UniqueConstraint(fields=["raw_message", "event_index"], name="report_once_per_event"),
        ]
        indexes = [
            # The masked queue; a matched report is found by its case's IP, the
            # others (not ours, no case) by their own.
            models.Index(fields=["received_at"], condition=models.Q(status="masked"), name="report_masked"),
            models.Index(fields=["ip"], condition=models.Q(case__isnull=True), name="report_caseless_ip"),
            models.Index(fields=["fingerprint"], name="report_fingerprint"),
        ]

    def __str__(self):
        return f"{self.category} {self.target}"

    @property
    def target(self) -> str:
        return self.ip or self.url or self.domain

    @property
    def seen_at(self):
        return self.observed_at or self.received_at


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def visible_to(self, user):
        """Staff see everything (child abuse only with the compliance role);
        a customer user sees its own cases and, as a reseller, its end customers'."""
        if user.is_staff:
            return self if is_compliance(user) else self.filter(sensitive=False)
        customers = Customer.objects.filter(users=user)
        return self.filter(
            models.Q(customer__in=customers) | models.Q(end_customer__parent__in=customers)
            | models.Q(end_customer__in=customers)
        ).distinct()


class Case(models.Model):
    """What the customer acts on: reports of one customer, one target and one category."""

    class Resolution(models.TextChoices):
        REMOVED_CONTENT = "removed_content", _("removed the content")
        CLEANED_SERVER = "cleaned_server", _("cleaned / secured the server")
        TERMINATED_END_CUSTOMER = "terminated_end_customer", _("terminated the end customer")
        FALSE_POSITIVE = "false_positive", _("false positive")
        OTHER = "other", _("other")

    class CloseReason(models.TextChoices):
        RESOLVED = "resolved", _("resolved")
        NOT_OURS = "not_ours", _("not ours")
        DISPUTE_UPHELD = "dispute_upheld", _("dispute upheld")
        NO_ACTION = "no_action", _("no action needed")
        MERGED = "merged", _("merged into another case")
        TERMINATED = "terminated", _("customer terminated")

    # A feed opens tens of thousands of cases at once: as on Report, an index
    # only where something is looked up (entity, assignment and merged_into are
    # never searched; the deadline only with the state, a composite index below).
    reply_token = models.CharField(max_length=24, editable=False)  # unique: see Meta
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="cases", db_index=False)
    # Found through the (customer, state) index, whose leading column it is.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cases", db_index=False)
    end_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="end_cases", db_index=False
    )
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    notifier = models.ForeignKey(Notifier, null=True, blank=True, on_delete=models.SET_NULL,
                                 help_text=_("Who reported it first"))
    # The member of staff working on the case ("mine" queue); no index: few cases have one.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_cases", db_index=False, help_text=_("Who at the desk works on it"))
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES)
    target = models.CharField(max_length=2048, help_text=_("IP address, URL or domain: the grouping key"))
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    url = models.TextField(blank=True)
    domain = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    sensitive = models.BooleanField(default=False, help_text=_("Child abuse: compliance role only, no content"))
    law_enforcement = models.BooleanField(default=False)

    # Every timestamp the KPIs and the transparency report need.
    received_at = models.DateTimeField(help_text=_("First notice received: start of the uptime clock"))
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    report_count = models.PositiveIntegerField(default=0)
    deadline = models.DateTimeField(null=True, blank=True)
    deadline_hours = models.FloatField(null=True, blank=True)
    deadline_paused_at = models.DateTimeField(null=True, blank=True)
    deadline_pause_reason = models.CharField(max_length=200, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text=_("Abuse taken down: end of uptime"))
    escalated_at = models.DateTimeField(null=True, blank=True)
    restricted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # When the follow-up sweep must look at this case next (a reminder or the
    # deadline); None: nothing scheduled. Persisted, so restarts lose nothing.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution = models.CharField(max_length=32, choices=Resolution.choices, blank=True)
    resolution_text = models.TextField(blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    # The notice whose report opened the case (None: opened by hand, or before this was kept). Its
    # digest lists the cases it opened, found through the (customer, state) index: no index of its own.
    opened_by = models.ForeignKey(RawMessage, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="opened_cases", db_index=False)
    # An order from an authority (TCO Art 3 removal order, DSA Art 9 order to act): DSA Art 15(1)(a)
    # reports orders by member state, with the median time to acknowledge and to give effect.
    # db_default: the bulk writers (lib.bulk) insert cases with their own column list.
    order_member_state = models.CharField(max_length=2, blank=True, default="", db_default="",
                                          help_text=_("Member state of the authority that issued the order"))
    order_acknowledged_at = models.DateTimeField(null=True, blank=True,
                                                 help_text=_("When the order's receipt was confirmed"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # At most one open case per customer, target and category: concurrent
            # workers grouping the same target cannot create two.
            models.UniqueConstraint(
                fields=["customer", "target", "category"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="one_open_case_per_target",
            ),
            models.UniqueConstraint(fields=["reply_token"], name="case_reply_token", opclasses=BYTEWISE),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            models.Index(fields=["customer", "state"], name="case_customer_state"),
            models.Index(fields=["state", "received_at"], name="case_state_received"),
            # Resellers see their end customers' cases; most cases have none.
            models.Index(fields=["end_customer"], condition=models.Q(end_customer__isnull=False),
                         name="case_end_customer"),
        ]

    def __str__(self):
        return f"{self.ref} {self.category} {self.target}"

    @property
    def ref(self) -> str:
        return case_ref(self.pk) if self.pk else "AD-new"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def taken_down_at(self):
        """The takedown: the first of resolved_at (the customer removed it) and restricted_at
        (we null-routed or suspended it), as docs/reports.md defines it (reports.kpis.takedown)."""
        stamps = [t for t in (self.resolved_at, self.restricted_at) if t]
        return min(stamps) if stamps else None

    @property
    def uptime(self):
        """How long the reported abuse stayed online (received → takedown)."""
        return self.taken_down_at - self.received_at if self.taken_down_at else None

    @property
    def met_deadline(self) -> bool | None:
        if not self.resolved_at or not self.deadline:
            return None
        return self.resolved_at <= self.deadline

    def save(self, *args, **kwargs):
        if not self.reply_token:
            self.reply_token = secrets.token_hex(12)
        super().save(*args, **kwargs)


class CaseNotifier(models.Model):
    """Who reported this case and gave a contact address: they get a receipt
    when the notice arrives and the outcome when the case closes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifier_contacts")
    email = models.EmailField(max_length=320)
    language = models.CharField(max_length=2, default="en")
    raw_message = models.ForeignKey(RawMessage, null=True, blank=True, on_delete=models.SET_NULL)
    reference = models.CharField(max_length=200, blank=True, help_text=_("The notifier's own ticket number"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "email"], name="one_contact_per_case")]

    def __str__(self):
        return f"{self.email} on case {self.case_id}"


class Message(models.Model):
    """One entry in a case's communication thread."""

    class Author(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        STAFF = "staff", _("staff")
        NOTIFIER = "notifier", _("notifier")
        SYSTEM = "system", _("system")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        EMAIL = "email", _("email")
        API = "api", "API"
        SYSTEM = "system", _("system")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    author_label = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    body = models.TextField()
    visible_to_customer = models.BooleanField(default=True)
    raw_message = models.ForeignKey(RawMessage, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author_kind} on case {self.case_id} at {self.created_at:%Y-%m-%d %H:%M}"


class AuditLog(models.Model):
    """Who did what, when and why. Written for every state change of a case."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="audit")
    subject = models.CharField(max_length=100, blank=True, help_text=_("Non-case subject, e.g. customer:12"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=200, help_text=_("user name, 'system' or the process"))
    verb = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb}"



class ExtensionRequest(models.Model):
    """The customer asks for more time on a case's deadline; staff grant or refuse it."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the desk")
        GRANTED = "granted", _("granted")
        REFUSED = "refused", _("refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    hours = models.PositiveIntegerField()
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.hours} h on case {self.case_id} ({self.state})"
