"""Every KPI of docs/reports.md, computed in the database.

One module, used by the dashboard, the KPI API and the transparency report:
the definitions live here and nowhere else. Every figure is an aggregate
query (COUNT/AVG with GROUP BY, or a window function for the percentiles),
so a year of a million cases is never loaded into Python.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    Window,
)
from django.db.models.functions import Ceil, Coalesce, Greatest, Least, RowNumber

from abusedesk.cases.models import AuditLog, Case, Report
from abusedesk.cases.states import OPEN_STATES, State
from abusedesk.enforcement.models import Action, OffenderFlag
from abusedesk.feeds import kpis as feeds_kpis
from abusedesk.intake.models import RawMessage
from abusedesk.lib import clock
from abusedesk.network.models import Entity
from abusedesk.policy.defaults import INFORMATIONAL
from abusedesk.policy.models import DeadlinePolicy

# Closes that say the notice was not (or no longer) ours to act on: such a case is not
# judged by its deadline (docs/reports.md, "Compliance rate").
EXCLUDED_CLOSES = (Case.CloseReason.NOT_OURS, Case.CloseReason.MERGED, Case.CloseReason.DISPUTE_UPHELD)
EXCLUDED_RESOLUTIONS = (Case.Resolution.FALSE_POSITIVE,)
HOUR = 3600.0


@dataclass(frozen=True)
class Scope:
    """The cases a figure is about: received in [start, end), of these entities and categories."""

    start: datetime
    end: datetime
    entities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    now: datetime = field(default_factory=clock.now)

    def cases(self):
        qs = Case.objects.filter(received_at__gte=self.start, received_at__lt=self.end)
        if self.entities:
            qs = qs.filter(entity__code__in=self.entities)
        if self.categories:
            qs = qs.filter(category__in=self.categories)
        return qs

    def counted(self):
        """The cases the rates and times are about: not informational, not an excluded close."""
        return self.cases().filter(counted_q())


# --- the definitions, as expressions -------------------------------------------------------------

class Seconds(Func):
    """end − start in seconds, as a float (NULL when either is NULL), on SQLite and PostgreSQL."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))::float8",
                           arg_joiner=" - ", **extra)


class Bucket(Func):
    """The first day (YYYY-MM-DD, UTC) of the week (Monday) or month of a timestamp, as text.
    Django's Trunc* call a Python function per row on SQLite; these are SQL date functions."""

    output_field = CharField()
    SQLITE = {"week": "date(%(expressions)s, '-6 days', 'weekday 1')", "month": "date(%(expressions)s, 'start of month')"}

    def __init__(self, interval, expression):
        if interval not in ("week", "month"):
            raise ValueError(f"unknown interval {interval!r}")
        self.interval = interval
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.SQLITE[self.interval], **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=(
            f"to_char(date_trunc('{self.interval}', %(expressions)s AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"), **extra)


class Day(Func):
    """The UTC date of a timestamp, as the database's own date (SQLite: YYYY-MM-DD text)."""

    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s) AT TIME ZONE 'UTC')::date", **extra)


class DurationBucket(Func):
    """A sixteenth of an octave of a number of seconds: 0 under one second, else 1 + floor(16 · log2 v).
    Monotonic in v, so every value of a bucket sorts after those of the buckets below it."""

    output_field = IntegerField()
    template = "CASE WHEN %(expressions)s < 1 THEN 0 ELSE CAST(1 + FLOOR(16 * LN(%(expressions)s) / LN(2)) AS integer) END"


class PeriodStart(Func):
    """The Monday of the week or the first of the month of a date, as a date."""

    output_field = DateField()
    SQLITE = {"week": "date(%(expressions)s, '-6 days', 'weekday 1')", "month": "date(%(expressions)s, 'start of month')"}

    def __init__(self, span, expression):
        self.span = span
        super().__init__(expression)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.SQLITE[self.span], **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template=f"date_trunc('{self.span}', (%(expressions)s)::timestamp)::date", **extra)


def takedown():
    """The first of resolved_at and restricted_at (NULL when neither is set).

    LEAST() skips NULLs on PostgreSQL but returns NULL on SQLite, so both
    arguments are made non-NULL first with each other."""
    return Least(Coalesce("resolved_at", "restricted_at"), Coalesce("restricted_at", "resolved_at"),
                 output_field=DateTimeField())


def uptime_seconds():
    return Seconds(takedown(), F("received_at"))


def forward_seconds():
    return Seconds(F("forwarded_at"), F("received_at"))


def informational_q() -> Q:
    """Cases of a category their entity's policy marks informational (the default where it has no row)."""
    explicit = {}
    for entity_id, category, informational in DeadlinePolicy.objects.values_list(
            "entity_id", "category", "informational"):
        explicit[(entity_id, category)] = informational
    q = Q(pk__in=[])
    for (entity_id, category), informational in explicit.items():
        if informational:
            q |= Q(entity_id=entity_id, category=category)
    for category in sorted(INFORMATIONAL):
        overridden = [e for (e, c) in explicit if c == category]
        q |= Q(category=category) & ~Q(entity_id__in=overridden)
    return q


def settled_q() -> Q:
    """Decided whatever the time: has a deadline and is resolved."""
    return Q(deadline__isnull=False) & Q(resolved_at__isnull=False)


def waiting_q() -> Q:
    """Decided once its deadline passes: has a deadline, is not resolved, and the deadline runs. A case
    whose deadline is stopped right now (a TCO pause, a dispute staff have not decided) is not decided by time."""
    running = ~Q(state=State.DISPUTED) & Q(deadline_paused_at__isnull=True)
    return Q(deadline__isnull=False) & Q(resolved_at__isnull=True) & running


def counted_q() -> Q:
    return ~informational_q() & ~Q(close_reason__in=EXCLUDED_CLOSES) & ~Q(resolution__in=EXCLUDED_RESOLUTIONS)


def decided_q(now: datetime) -> Q:
    """Has a deadline, and is resolved or its (running) deadline has passed at `now`."""
    return settled_q() | (waiting_q() & Q(deadline__lt=now))


def within_q_settled() -> Q:
    """Within is independent of the clock: only a resolved case can be within its deadline."""
    return settled_q() & Q(resolved_at__lte=F("deadline"))


def within_q(now: datetime) -> Q:
    return decided_q(now) & Q(resolved_at__lte=F("deadline"))


def rate(decided: int, within: int) -> dict:
    return {"value": round(within / decided, 4) if decided else None, "decided": decided, "within": within}


# --- aggregates ----------------------------------------------------------------------------------

def compliance(scope: Scope, key: str | None = None) -> dict:
    """{key value: {value, decided, within}}; key None gives the single figure under None."""
    qs = scope.counted()
    aggregates = {"decided": Count("pk", filter=decided_q(scope.now)), "within": Count("pk", filter=within_q(scope.now))}
    if key is None:
        row = qs.aggregate(**aggregates)
        return {None: rate(row["decided"], row["within"])}
    return {row[key]: rate(row["decided"], row["within"]) for row in qs.values(key).annotate(**aggregates)}


def _hours(seconds):
    return None if seconds is None else round(seconds / HOUR, 3)


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc: the nearest-rank percentile, computed in the aggregate pass."""

    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


PERCENTILES = (("median", 0.5), ("p90", 0.9))


def distribution(qs, value, key: str | None = None, percentiles=("median", "p90")) -> dict:
    """{key value: {n, median, p90, mean}} of `value` (seconds) in hours; nearest-rank percentiles.

    PostgreSQL computes all four in one aggregate query (percentile_disc). SQLite has no
    percentile aggregate: two window queries (ROW_NUMBER over the sorted values, per key)
    pick the value at rank ceil(p·n), so the database sorts and Python sees one row per key."""
    qs = qs.annotate(_v=value).filter(_v__isnull=False)
    if key is None:
        qs = qs.annotate(_k=Value(None, output_field=FloatField()))
        key_name = "_k"
    else:
        key_name = key
    aggregates = {"n": Count("pk"), "mean": Avg("_v")}
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        aggregates.update(median=PercentileDisc("_v", 0.5), p90=PercentileDisc("_v", 0.9))
    out = {}
    for row in qs.values(key_name).annotate(**aggregates).order_by():
        if not row["n"]:  # an aggregate without GROUP BY answers one row even for no cases
            continue
        out[row[key_name]] = {"n": row["n"], "median": _hours(row.get("median")), "p90": _hours(row.get("p90")),
                              "mean": _hours(row["mean"])}
    if on_postgres:
        return out
    partition = [F(key_name)] if key is not None else None
    for name, p in PERCENTILES:
        if name not in percentiles:  # a caller that needs the median only spares SQLite a sort
            continue
        ranked = qs.annotate(
            _rank=Window(RowNumber(), partition_by=partition, order_by=[F("_v").asc(), F("pk").asc()]),
            _count=Window(Count("pk"), partition_by=partition),
        ).filter(_rank=Greatest(Ceil(ExpressionWrapper(F("_count") * p, output_field=FloatField())), 1,
                                output_field=FloatField())).order_by()
        for row in ranked.values(key_name, "_v"):
            out[row[key_name]][name] = _hours(row["_v"])
    return out


def empty_distribution() -> dict:
    return {"n": 0, "median": None, "p90": None, "mean": None}


def uptime(scope: Scope, key: str | None = None, *, qs=None) -> dict:
    return distribution(scope.counted() if qs is None else qs, uptime_seconds(), key)


def time_to_forward(scope: Scope, key: str | None = None) -> dict:
    """Forwarding is automatic and 24/7 for every case, informational ones included."""
    return distribution(scope.cases(), forward_seconds(), key)


def one(figures: dict, empty) -> dict:
    return figures.get(None) or empty


# --- counts --------------------------------------------------------------------------------------

def _counts(qs, key: str) -> dict:
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("pk")).order_by(key)}


def case_count_terms() -> dict:
    """What "cases resolved / escalated / restricted / closed / open" count: one definition for
    the direct figures and the roll-up."""
    return {
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "escalated": Count("pk", filter=Q(escalated_at__isnull=False)),
        "restricted": Count("pk", filter=Q(restricted_at__isnull=False)),
        "closed": Count("pk", filter=Q(state=State.CLOSED)),
        "open": Count("pk", filter=Q(state__in=OPEN_STATES)),
    }


def case_counts(scope: Scope) -> dict:
    qs = scope.cases()
    row = qs.aggregate(opened=Count("pk"), **case_count_terms())
    row["closed_by_reason"] = _counts(qs.filter(state=State.CLOSED), "close_reason")
    return row


def notices(scope: Scope) -> dict:
    """Notices (raw messages) received in the period, by channel and by the notifier's kind.
    With an entity filter: the notices that reported at least one case of those entities."""
    qs = RawMessage.objects.filter(received_at__gte=scope.start, received_at__lt=scope.end)
    if scope.entities:
        qs = qs.filter(Exists(Report.objects.filter(raw_message=OuterRef("pk"),
                                                    case__entity__code__in=scope.entities)))
    by_kind = {(k or "unknown"): n for k, n in _counts(qs.annotate(k=F("notifier__kind")), "k").items()}
    # Notices staff took off the unmatched queue without a case (intake.triage), by their reason.
    dismissed = _counts(qs.filter(dismissed_at__isnull=False), "dismiss_reason")
    return {"received": qs.count(), "by_channel": _counts(qs, "channel"), "by_notifier_kind": by_kind,
            "dismissed_by_reason": dismissed}


def takedown_verification(scope: Scope) -> dict:
    """How honest "resolved" is: of the cases first resolved in the period, the share the feeds
    verified and the share that never came back (feeds.kpis, docs/feeds.md)."""
    entity = None
    if len(scope.entities) == 1:
        entity = Entity.objects.filter(code=scope.entities[0]).first()
    return feeds_kpis.verified_share(scope.start, scope.end, entity)


def reports(scope: Scope) -> dict:
    """Observations parsed out of the period's notices, by status, with the unmatched and masked shares.
    An unmatched report has no entity, so these shares are of every report of the period."""
    qs = Report.objects.filter(received_at__gte=scope.start, received_at__lt=scope.end)
    if scope.categories:
        qs = qs.filter(category__in=scope.categories)
    by_status = _counts(qs, "status")
    total = sum(by_status.values())

    def share(status):
        return round(by_status.get(status, 0) / total, 4) if total else None

    return {"received": total, "by_status": by_status, "unmatched_share": share(Report.Status.UNMATCHED),
            "masked_share": share(Report.Status.MASKED)}


def disputes(scope: Scope) -> dict:
    """Cases of the period the customer disputed, by outcome: upheld (closed as dispute upheld),
    rejected (back to the customer), pending (staff have not decided)."""
    disputed = scope.cases().filter(Exists(AuditLog.objects.filter(case=OuterRef("pk"), to_state=State.DISPUTED)))
    row = disputed.aggregate(
        disputed=Count("pk"),
        upheld=Count("pk", filter=Q(close_reason=Case.CloseReason.DISPUTE_UPHELD)),
        pending=Count("pk", filter=Q(state=State.DISPUTED)),
    )
    row["rejected"] = row["disputed"] - row["upheld"] - row["pending"]
    return row


def actions(scope: Scope) -> dict:
    """Enforcement actions carried out on the period's cases, by kind (restores included)."""
    qs = Action.objects.filter(state=Action.State.DONE, case__in=scope.cases())
    return _counts(qs, "kind")


def offender_flags(scope: Scope) -> dict:
    """Customers by their current repeat-offender step (a standing, not a count of the period)."""
    qs = OffenderFlag.objects.all()
    if scope.entities:
        qs = qs.filter(customer__entity__code__in=scope.entities)
    return _counts(qs, "step")


def due_q() -> Q:
    """Open, with a running deadline (not paused, not disputed or resolved): overdue once it passes."""
    return (Q(deadline__isnull=False) & Q(deadline_paused_at__isnull=True)
            & Q(state__in=[State.NEW, State.FORWARDED, State.CUSTOMER_REPLIED, State.ESCALATED, State.RESTRICTED]))


def open_now(scope: Scope) -> dict:
    """Open and overdue cases right now, per entity (the period does not apply: it is the queue)."""
    qs = Case.objects.filter(state__in=OPEN_STATES)
    if scope.entities:
        qs = qs.filter(entity__code__in=scope.entities)
    if scope.categories:
        qs = qs.filter(category__in=scope.categories)
    overdue = due_q() & Q(deadline__lt=scope.now)
    return {row["entity__code"]: {"open": row["open"], "overdue": row["overdue"]}
            for row in qs.values("entity__code").annotate(open=Count("pk"), overdue=Count("pk", filter=overdue))
            .order_by("entity__code")}


def top_notifiers(scope: Scope, limit: int = 10) -> list[dict]:
    rows = (scope.cases().filter(notifier__isnull=False).values("notifier__name", "notifier__kind")
            .annotate(cases=Count("pk")).order_by("-cases", "notifier__name")[:limit])
    return [{"notifier": r["notifier__name"], "kind": r["notifier__kind"], "cases": r["cases"]} for r in rows]


def top_customers(scope: Scope, limit: int = 10) -> list[dict]:
    """Customers with the most cases in the period, with their repeat-offender step."""
    rows = list(scope.cases().values("customer_id", "customer__reference", "customer__name")
                .annotate(cases=Count("pk")).order_by("-cases", "customer__reference")[:limit])
    steps = dict(OffenderFlag.objects.filter(customer_id__in=[r["customer_id"] for r in rows])
                 .values_list("customer_id", "step"))
    return [{"customer": r["customer__reference"], "name": r["customer__name"], "cases": r["cases"],
             "offender_step": steps.get(r["customer_id"], "none")} for r in rows]


INTERVALS = ("week", "month")


def trend(scope: Scope, interval: str = "month") -> list[dict]:
    """Per week or month of receipt: cases, compliance rate and uptime."""
    cases = {row["bucket"]: row["n"] for row in scope.cases().annotate(bucket=Bucket(interval, "received_at"))
             .values("bucket").annotate(n=Count("pk")).order_by()}
    counted = scope.counted().annotate(bucket=Bucket(interval, "received_at"))
    rates = {row["bucket"]: rate(row["decided"], row["within"]) for row in counted.values("bucket").annotate(
        decided=Count("pk", filter=decided_q(scope.now)), within=Count("pk", filter=within_q(scope.now))).order_by()}
    times = distribution(counted, uptime_seconds(), "bucket")
    rows = []
    for bucket in sorted(cases):
        rows.append({"period": bucket, "cases": cases[bucket],
                     "compliance_rate": rates.get(bucket, rate(0, 0)),
                     "uptime_hours": times.get(bucket, empty_distribution())})
    return rows


def breakdown(scope: Scope, key: str) -> dict:
    """cases, compliance_rate and uptime_hours per value of `key` (category, entity__code)."""
    cases = {row[key]: row["n"] for row in scope.cases().values(key).annotate(n=Count("pk")).order_by()}
    rates = compliance(scope, key)
    times = uptime(scope, key)
    return {k: {"cases": cases[k], "compliance_rate": rates.get(k, rate(0, 0)),
                "uptime_hours": times.get(k, empty_distribution())} for k in sorted(cases)}
