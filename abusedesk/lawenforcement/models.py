"""The register of requests from authorities: the request, what it names, its checks,
what was sent back, the holds it put on data, and the audit of every change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.cases.models import Case
from abusedesk.intake.models import RawMessage
from abusedesk.network.models import Assignment, Customer, Entity
from abusedesk.outbox.models import OutgoingMail


class RequestType(models.TextChoices):
    SUBSCRIBER_DATA = "subscriber_data", _("subscriber data")
    TRAFFIC_DATA = "traffic_data", _("traffic data")
    CONTENT = "content", _("content")
    PRESERVATION = "preservation", _("preservation")
    DSA_ART9 = "dsa_art9", _("DSA Art 9 order to act against illegal content")
    DSA_ART10 = "dsa_art10", _("DSA Art 10 order to provide information")
    TCO_REMOVAL = "tco_removal", _("TCO removal order")
    COURT_REMOVAL = "court_removal", _("court order to remove or disable content")
    FOREIGN_ORDER = "foreign_order", _("foreign subpoena / court order")
    EMERGENCY = "emergency", _("emergency disclosure")
    OTHER = "other", _("other")


# Orders to act against content: registered, and the content becomes a case for its customer.
CONTENT_ORDERS = frozenset({RequestType.DSA_ART9, RequestType.TCO_REMOVAL, RequestType.COURT_REMOVAL})


class State(models.TextChoices):
    NEW = "new", _("new")
    UNDER_REVIEW = "under_review", _("under review")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    CLARIFICATION_REQUESTED = "clarification_requested", _("clarification requested")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


S = State
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.UNDER_REVIEW, S.ACCEPTED, S.REJECTED, S.CLARIFICATION_REQUESTED, S.CLOSED}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.REJECTED, S.CLARIFICATION_REQUESTED, S.CLOSED}),
    S.CLARIFICATION_REQUESTED: frozenset({S.UNDER_REVIEW, S.ACCEPTED, S.REJECTED, S.CLOSED}),
    S.ACCEPTED: frozenset({S.ANSWERED, S.CLOSED}),
    S.REJECTED: frozenset({S.CLOSED}),
    S.ANSWERED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
OPEN_STATES = frozenset({S.NEW, S.UNDER_REVIEW, S.CLARIFICATION_REQUESTED, S.ACCEPTED})


class Validity(models.TextChoices):
    VALID = "valid", _("valid")
    INCOMPLETE = "incomplete", _("incomplete")
    NOT_ENFORCEABLE = "not_enforceable", _("not enforceable")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    POST = "post", _("post")
    PORTAL = "portal", _("authority portal")
    API = "api", "API"
    DESK = "desk", _("desk form")
    PHONE = "phone", _("phone")
    OTHER = "other", _("other")


class LegalRequest(models.Model):
    """A request from an authority: checked, decided, answered, counted; never shown to a customer."""

    authority = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166 code of the authority's country"))
    unit = models.CharField(max_length=200, blank=True)
    officer = models.CharField(max_length=200, blank=True)
    contact_channel = models.CharField(max_length=320, blank=True, help_text=_("Mail address or phone number"))
    contact_verified = models.BooleanField(default=False, help_text=_("Staff checked the channel back"))
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="legal_requests")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    received_at = models.DateTimeField()
    reference = models.CharField(max_length=200, blank=True)
    legal_basis = models.CharField(max_length=1000, blank=True)
    instrument = models.CharField(max_length=20, blank=True, help_text=_(
        "domestic, eio, epoc, epoc_pr, dsa_art9, dsa_art10, tco, mlat, us_subpoena, court_order"))
    type = models.CharField(max_length=20, choices=RequestType.choices, default=RequestType.OTHER)
    language = models.CharField(max_length=2, default="en")
    requested_data = models.TextField(blank=True)
    data_kinds = models.JSONField(default=list, blank=True, help_text=_("subscriber, traffic, content"))
    broad = models.CharField(max_length=200, blank=True, help_text=_("Wording that asks for everything"))
    confidential = models.BooleanField(default=False, help_text=_("Do not notify the customer"))
    emergency = models.BooleanField(default=False)
    category = models.CharField(max_length=24, blank=True, help_text=_("Of the content an order acts against"))
    authority_deadline = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=24, choices=State.choices, default=State.NEW)
    validity = models.CharField(max_length=16, choices=Validity.choices, default=Validity.INCOMPLETE)
    decision = models.CharField(max_length=8, blank=True, help_text=_("accept, reject or clarify: the last one"))
    decision_reason = models.TextField(blank=True)
    decision_code = models.CharField(max_length=20, blank=True, help_text=_("The check that failed, for counting"))
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    clarification_text = models.TextField(blank=True, help_text=_("Prepared in the authority's language"))
    answered_at = models.DateTimeField(null=True, blank=True)
    given_effect_at = models.DateTimeField(null=True, blank=True, help_text=_("Order acted on (DSA Art 15(1)(a))"))
    closed_at = models.DateTimeField(null=True, blank=True)
    raw_message = models.OneToOneField(RawMessage, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="legal_request")
    cases = models.ManyToManyField(Case, blank=True, related_name="legal_requests")
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["entity", "received_at"], name="legalrequest_entity_received"),
                   models.Index(fields=["state", "deadline"], name="legalrequest_state_deadline")]

    def __str__(self):
        return f"{self.ref} {self.authority}"

    @property
    def ref(self) -> str:
        return f"LR-{self.pk:06d}" if self.pk else "LR-new"

    @property
    def acts_on_content(self) -> bool:
        return self.type in CONTENT_ORDERS

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Identifier(models.Model):
    """What a request names: an IP with its exact time and zone, a URL, a domain, an account."""

    class Kind(models.TextChoices):
        IP = "ip", _("IP address")
        URL = "url", "URL"
        DOMAIN = "domain", _("domain")
        ACCOUNT = "account", _("account")
        OTHER = "other", _("other")

    request = models.ForeignKey(LegalRequest, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=2048)
    port = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(null=True, blank=True, help_text=_("Exact time, when date, time and zone are given"))
    zone = models.CharField(max_length=64, blank=True, help_text=_("The time zone as the request gives it"))
    written = models.CharField(max_length=200, blank=True, help_text=_("The time as written"))
    missing = models.CharField(max_length=40, blank=True, help_text=_("What the time lacks"))
    note = models.CharField(max_length=300, blank=True)
    # The answer to "who held this address then" (answering.who_held), with its evidence.
    answer = models.JSONField(default=dict, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} {self.value}" + (f" at {self.at:%Y-%m-%d %H:%M:%S} UTC" if self.at else "")


class Check(models.Model):
    """One item of the pre-check, computed on arrival with its evidence; staff confirm or override it."""

    class Code(models.TextChoices):
        AUTHORITY = "authority", _("authority and contact channel identified")
        LEGAL_BASIS = "legal_basis", _("legal basis cited")
        JURISDICTION = "jurisdiction", _("authority competent for the entity's jurisdiction")
        IDENTIFIERS = "identifiers", _("identifiers are specific")
        TIMESTAMPS = "timestamps", _("every IP with an exact date, time and time zone")
        SCOPE = "scope", _("data the provider holds")

    class Remedy(models.TextChoices):
        CLARIFY = "clarify", _("the authority can supply it")
        REJECT = "reject", _("not enforceable")

    request = models.ForeignKey(LegalRequest, on_delete=models.CASCADE, related_name="checks")
    code = models.CharField(max_length=16, choices=Code.choices)
    passed = models.BooleanField(help_text=_("As computed"))
    evidence = models.TextField(blank=True)
    remedy = models.CharField(max_length=8, choices=Remedy.choices, blank=True, help_text=_("When it fails"))
    override = models.BooleanField(null=True, blank=True, help_text=_("Staff's verdict, when it differs"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "code"], name="one_check_per_code")]

    def __str__(self):
        return f"{self.code}: {'passes' if self.result else 'fails'}"

    @property
    def result(self) -> bool:
        return self.passed if self.override is None else self.override


class Disclosure(models.Model):
    """What was sent to the authority, exactly as sent: data, a clarification request,
    a rejection, or a TCO reply (Annex II: removed; Annex III: cannot comply)."""

    class Kind(models.TextChoices):
        DATA = "data", _("data disclosed")
        CLARIFICATION = "clarification", _("clarification requested")
        REJECTION = "rejection", _("rejection")
        TCO_REMOVED = "tco_removed", _("TCO Annex II: content removed")
        TCO_CANNOT_COMPLY = "tco_cannot_comply", _("TCO Annex III: cannot comply")

    request = models.ForeignKey(LegalRequest, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DATA)
    content = models.TextField(help_text=_("Exactly what was sent"))
    recipient = models.CharField(max_length=320)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    sent_at = models.DateTimeField(help_text=_("When it was sent, or handed to the outbox"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    identifiers = models.ManyToManyField(Identifier, blank=True, related_name="disclosures")
    data = models.JSONField(default=dict, blank=True, help_text=_("Structured facts of the reply"))
    # By mail: the outbox row that carries it (its state, Message-ID and when it went out).
    mail = models.OneToOneField(OutgoingMail, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self):
        return f"{self.kind} to {self.recipient} at {self.sent_at:%Y-%m-%d %H:%M}"


class Hold(models.Model):
    """Data kept because an authority asked (preservation) or the law says so (TCO Art 6:
    removed terrorist content and its data, six months, extendable)."""

    request = models.ForeignKey(LegalRequest, on_delete=models.CASCADE, related_name="holds")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="legal_holds")
    what = models.TextField()
    since = models.DateTimeField()
    until = models.DateTimeField()
    extensions = models.PositiveSmallIntegerField(default=0)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["since", "id"]

    def __str__(self):
        return f"hold until {self.until:%Y-%m-%d}"


class TypeDeadline(models.Model):
    """An entity's own default deadline for a type of request (the authority's own date wins)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="legal_deadlines")
    type = models.CharField(max_length=20, choices=RequestType.choices)
    hours = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "type"], name="one_legal_deadline_per_type")]

    def __str__(self):
        return f"{self.entity.code} {self.type}: {self.hours} h"


class LegalAudit(models.Model):
    """Every change of a request: who, when, what, why."""

    request = models.ForeignKey(LegalRequest, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=200)
    verb = models.CharField(max_length=40)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb}"
