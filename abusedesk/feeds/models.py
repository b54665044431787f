"""Feeds abusedesk fetches by itself, and each run of one (docs/feeds.md)."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.lib import clock


class Feed(models.Model):
    class Kind(models.TextChoices):
        SHADOWSERVER_API = "shadowserver-api", _("Shadowserver Reports API")
        URLHAUS = "urlhaus", _("abuse.ch URLhaus")
        SPAMHAUS_DROP = "spamhaus-drop", _("Spamhaus DROP / EDROP / ASN-DROP")
        URL_LIST = "url-list", _("URL list (PhishTank, OpenPhish)")
        GENERIC_CSV = "generic-csv", _("generic CSV feed")
        GENERIC_JSON = "generic-json", _("generic JSON feed")

    name = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = models.CharField(max_length=1000, help_text=_("Endpoint: the list, dump or API base URL"))
    # Per-kind options (docs/feeds.md). Never a secret: those are named here
    # (secret-file, secret-env) and read from the file or environment when used.
    options = models.JSONField(default=dict, blank=True)
    interval_minutes = models.PositiveIntegerField(default=60, help_text=_("Minutes between runs"))
    enabled = models.BooleanField(default=True)
    notifier = models.ForeignKey(Notifier, null=True, blank=True, on_delete=models.SET_NULL,
                                 help_text=_("Who the feed's reports come from"))
    # HTTP validators of the last download processed, sent back as
    # If-None-Match / If-Modified-Since: an unchanged list is not fetched again.
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    cursor = models.CharField(max_length=200, blank=True, editable=False,
                              help_text=_("The last report or date fetched"))
    # Scheduling: the row is the job. A run claims the feed (claimed_at); a
    # failing feed waits longer after each failure (failures), up to a day.
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def schedule_next(self, ok: bool) -> None:
        """The next run: the interval after a success; after failures the
        interval doubled each time (at least a minute, at most a day)."""
        minutes = max(self.interval_minutes, 1)
        if not ok:
            minutes = min(max(minutes, 1) * 2 ** min(self.failures - 1, 10), 24 * 60)
        self.next_run_at = clock.now() + timedelta(minutes=minutes)


class FeedRun(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        NOT_MODIFIED = "not_modified", _("not modified")
        FAILED = "failed", _("failed")

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    trigger = models.CharField(max_length=16, default="schedule")  # schedule, manual, command
    items = models.PositiveIntegerField(default=0, help_text=_("Downloads stored"))
    bytes = models.PositiveBigIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    cases_new = models.PositiveIntegerField(default=0)
    cases_updated = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["feed", "-started_at"], name="feedrun_feed_started")]

    def __str__(self):
        return f"{self.feed} {self.started_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def ok(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.NOT_MODIFIED)


class FeedItem(models.Model):
    """One download a feed stored (a Shadowserver report, a list as it was):
    a report is downloaded once, and a stored notice knows its feed."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=200)
    raw = models.ForeignKey(RawMessage, on_delete=models.PROTECT, related_name="feed_items")
    run = models.ForeignKey(FeedRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="stored")
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="feed_item_once")]

    def __str__(self):
        return f"{self.feed} {self.key}"


class TakedownCheck(models.Model):
    """A case the customer marked resolved, checked against what later feed
    runs and notices report (docs/feeds.md#takedown-verification).

    watching: resolved, nothing reported since; came_back: the same target and
    category reported after resolved_at (the case was reopened); verified: the
    feeds covering the category ran for VERIFY_DAYS without reporting it."""

    class State(models.TextChoices):
        WATCHING = "watching", _("watching")
        CAME_BACK = "came_back", _("came back")
        VERIFIED = "verified", _("verified")

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="takedown_check")
    state = models.CharField(max_length=12, choices=State.choices, default=State.WATCHING)
    # Copied from the case: the KPIs count per customer and category without a join.
    customer = models.ForeignKey("network.Customer", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=24)
    first_resolved_at = models.DateTimeField()
    resolved_at = models.DateTimeField(help_text=_("The latest time the customer said it was resolved"))
    resolutions = models.PositiveSmallIntegerField(default=1)
    came_back_count = models.PositiveSmallIntegerField(default=0)
    came_back_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "resolved_at"], name="takedown_state_resolved")]

    def __str__(self):
        return f"{self.case_id} {self.state}"

    @property
    def first_attempt(self) -> bool:
        """Resolved on the first attempt: it never came back."""
        return self.came_back_count == 0


class Recurrence(models.Model):
    """The abuse of a resolved case reported again: an event row, consumed by
    the sweep that writes it into the case's timeline and tells the customer."""

    takedown = models.ForeignKey(TakedownCheck, on_delete=models.CASCADE, related_name="recurrences")
    resolved_at = models.DateTimeField(help_text=_("The resolution it contradicts"))
    detected_at = models.DateTimeField()
    new_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("A new case, when the old one was closed already"))
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["notified_at"], condition=models.Q(notified_at__isnull=True),
                                name="recurrence_unnotified")]

    def __str__(self):
        return f"{self.takedown_id} {self.detected_at:%Y-%m-%d}"
