"""The roll-up: figures of the cases received per day, entity and category, kept so that the
dashboard and the report answer from a few thousand rows instead of a million cases.

Every row is derived from cases and reports by `rollup.py` (one day at a time, from the
definitions in kpis.py) and can be rebuilt from them at any moment; nothing here is a record
of its own. How the figures stay exact and fresh: docs/reports.md, "Roll-up".
"""

from django.db import models


class RollupState(models.Model):
    """One row: up to when the roll-up is current, and what it was computed under."""

    # Cases changed (updated_at) at or after this moment are rolled up again.
    mark = models.DateTimeField(null=True)
    # Reports with a larger id are new since the last roll-up.
    report_mark = models.BigIntegerField(default=0)
    # What the changes just before the mark looked like (rollup.window): a late commit changes it.
    window = models.TextField(blank=True)
    # The informational categories the roll-up was counted with: when staff change them,
    # every day is rolled up again (the counted cases change).
    policy = models.TextField(blank=True)

    def __str__(self):
        return f"roll-up as of {self.mark}"


class DirtyDay(models.Model):
    """A day whose cases or reports were deleted (no updated_at to find them by): rolled up again."""

    day = models.DateField(unique=True)

    def __str__(self):
        return str(self.day)


class DayFigures(models.Model):
    """The cases received on `day` of one entity and category."""

    day = models.DateField()
    entity_id = models.IntegerField()
    category = models.CharField(max_length=24)
    cases = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    restricted = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    # Compliance: `settled` cases are decided whatever the time (resolved, with a deadline), `within`
    # of them in time; `waiting` are decided once their deadline passes (unresolved, deadline
    # running), the last of those deadlines is `waiting_until`: after it the day needs no clock.
    settled = models.IntegerField(default=0)
    within = models.IntegerField(default=0)
    waiting = models.IntegerField(default=0)
    waiting_until = models.DateTimeField(null=True)
    # Open cases with a running deadline (kpis.due_q), overdue once it passes; the last such deadline.
    due = models.IntegerField(default=0)
    due_until = models.DateTimeField(null=True)
    uptime_n = models.IntegerField(default=0)
    uptime_sum = models.FloatField(default=0)
    forward_n = models.IntegerField(default=0)
    forward_sum = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "entity_id", "category"], name="dayfigures_cell")]

    def __str__(self):
        return f"{self.day} {self.entity_id} {self.category}"


class DayCount(models.Model):
    """Cases of a day, entity and category by one more key: `figure` is close_reason, customer or notifier."""

    day = models.DateField()
    entity_id = models.IntegerField()
    category = models.CharField(max_length=24)
    figure = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "figure"], name="daycount_day_figure")]

    def __str__(self):
        return f"{self.day} {self.figure}={self.key}: {self.n}"


class Duration(models.Model):
    """One duration (seconds) of one case: its uptime (counted cases with a takedown) or its time to
    forward. `bucket` is a sixteenth of an octave of the value (0: under a second), so that a
    nearest-rank percentile reads the counts per bucket first and then sorts one bucket's values."""

    UPTIME, FORWARD = 1, 2

    measure = models.SmallIntegerField()
    day = models.DateField()
    entity_id = models.IntegerField()
    category = models.CharField(max_length=24)
    bucket = models.SmallIntegerField()
    value = models.FloatField()

    class Meta:
        indexes = [
            # The values of one bucket in a period (covering).
            models.Index(fields=["measure", "bucket", "day", "entity_id", "category", "value"],
                         name="duration_bucket"),
            # The same in the order of the value: the value at a rank of a large bucket is read, not sorted.
            models.Index(fields=["measure", "bucket", "value", "day", "entity_id", "category"],
                         name="duration_value"),
            # The bucket counts of a few days (covering).
            models.Index(fields=["measure", "day", "entity_id", "category", "bucket"], name="duration_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.measure} {self.value}"


class DurationCount(models.Model):
    """How many durations of the cases received in a week (from Monday) or a calendar month fall in
    each bucket, per entity and category and for all of them: a period is read as whole months,
    whole weeks and the days left over (those counted from Duration itself)."""

    WEEK, MONTH = "week", "month"
    # entity_id ALL (and category ""): the counts of every entity and category together, which is
    # what the dashboard asks without a filter (a few thousand rows for a year, not a hundred thousand).
    ALL = 0

    span = models.CharField(max_length=5)
    start = models.DateField()
    measure = models.SmallIntegerField()
    entity_id = models.IntegerField()
    category = models.CharField(max_length=24)
    bucket = models.SmallIntegerField()
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["measure", "span", "start", "entity_id", "category", "bucket", "n"],
                                name="durationcount_period")]

    def __str__(self):
        return f"{self.span} {self.start} {self.measure} bucket {self.bucket}: {self.n}"


class ReportDay(models.Model):
    """Reports received on a day, by category and status (an unmatched report has no entity)."""

    day = models.DateField()
    category = models.CharField(max_length=24)
    status = models.CharField(max_length=16)
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="reportday_day")]

    def __str__(self):
        return f"{self.day} {self.category} {self.status}: {self.n}"
