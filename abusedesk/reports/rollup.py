"""Keeps the roll-up (models.py) equal to the cases: the days whose cases or reports changed are
rolled up again, from the definitions in kpis.py, by INSERT ... SELECT in the database
(bulk.py).

`refresh()` runs in the periodic sweep and before every figure is answered (figures.py), so
the figures are never older than the data. A changed case is found by `Case.updated_at`
(every writer of a case sets it), a new report by its id, a deleted one by a receiver
(apps.py); what changed is rolled up again by day of receipt, whole days at a time.
"""

import json
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Count, F, FloatField, Func, Max, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from abusedesk.cases.models import Case, Report
from abusedesk.cases.states import State
from abusedesk.policy.defaults import INFORMATIONAL
from abusedesk.policy.models import DeadlinePolicy

from . import kpis
from .bulk import analyze, insert_select
from .models import DayCount, DayFigures, DirtyDay, Duration, DurationCount, ReportDay, RollupState

# A transaction that stamped updated_at just before a roll-up may commit just after it: cases
# changed this long before the last roll-up are looked at again (rolling a day twice is harmless).
OVERLAP = timedelta(minutes=1)
# The same for reports, whose ids are handed out before their transactions commit.
REPORT_OVERLAP = 1000
ROLLED = (DayFigures, DayCount, Duration, ReportDay)  # by day; DurationCount by week and month


def policy_key() -> str:
    """What decides which cases are counted: the informational categories, per entity and default."""
    rows = sorted(DeadlinePolicy.objects.values_list("entity_id", "category", "informational"))
    return json.dumps({"rows": rows, "default": sorted(INFORMATIONAL)})


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def ranges(days) -> list[tuple[date, date]]:
    """Contiguous runs of days as [first, last + 1 day) pairs."""
    out = []
    for day in sorted(days):
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + timedelta(days=1))
        else:
            out.append((day, day + timedelta(days=1)))
    return out


def received_in(days, field: str = "received_at") -> Q:
    q = Q(pk__in=[])
    for first, end in ranges(days):
        q |= Q(**{f"{field}__gte": day_start(first), f"{field}__lt": day_start(end)})
    return q


def period_start(span: str, day: date) -> date:
    return day - timedelta(days=day.weekday()) if span == "week" else day.replace(day=1)


def period_end(span: str, start: date) -> date:
    return start + timedelta(days=7) if span == "week" else (start + timedelta(days=32)).replace(day=1)


def _cells(qs):
    return qs.annotate(day=kpis.Day("received_at")).values("day", "entity_id", "category").order_by()


def roll(days) -> None:
    """Roll up these days (None: every day) again, inside the caller's transaction."""
    if days is None:
        for model in ROLLED + (DurationCount,):
            model.objects.all().delete()
        cases, reports = Case.objects.all(), Report.objects.all()
    else:
        if not days:
            return
        for first, end in ranges(days):
            for model in ROLLED:
                model.objects.filter(day__gte=first, day__lt=end).delete()
        cases, reports = Case.objects.filter(received_in(days)), Report.objects.filter(received_in(days))
    counted = kpis.counted_q()
    taken_down = Q(resolved_at__isnull=False) | Q(restricted_at__isnull=False)
    forwarded = Q(forwarded_at__isnull=False)
    insert_select(DayFigures, _cells(cases).annotate(
        cases=Count("pk"),
        **kpis.case_count_terms(),
        settled=Count("pk", filter=counted & kpis.settled_q()),
        within=Count("pk", filter=counted & kpis.within_q_settled()),
        waiting=Count("pk", filter=counted & kpis.waiting_q()),
        waiting_until=Max("deadline", filter=counted & kpis.waiting_q()),
        due=Count("pk", filter=kpis.due_q()),
        due_until=Max("deadline", filter=kpis.due_q()),
        uptime_n=Count("pk", filter=counted & taken_down),
        uptime_sum=Coalesce(Sum(kpis.uptime_seconds(), filter=counted & taken_down), 0.0),
        forward_n=Count("pk", filter=forwarded),
        forward_sum=Coalesce(Sum(kpis.forward_seconds(), filter=forwarded), 0.0),
    ))
    for figure, qs, key in (
        ("close_reason", cases.filter(state=State.CLOSED), F("close_reason")),
        ("customer", cases, Cast("customer_id", CharField())),
        ("notifier", cases.filter(notifier__isnull=False), Cast("notifier_id", CharField())),
    ):
        insert_select(DayCount, qs.annotate(day=kpis.Day("received_at"), figure=Value(figure), key=key)
                      .values("day", "entity_id", "category", "figure", "key").annotate(n=Count("pk")).order_by())
    for measure, qs, seconds in ((Duration.UPTIME, cases.filter(counted & taken_down), kpis.uptime_seconds()),
                                 (Duration.FORWARD, cases.filter(forwarded), kpis.forward_seconds())):
        insert_select(Duration, qs.annotate(measure=Value(measure), day=kpis.Day("received_at"),
                                            bucket=kpis.DurationBucket(seconds), value=seconds)
                      .values("measure", "day", "entity_id", "category", "bucket", "value").order_by())
    for span in (DurationCount.WEEK, DurationCount.MONTH):
        durations = Duration.objects.all()
        if days is not None:  # the weeks and months of these days, whole
            starts = {period_start(span, d) for d in days}
            DurationCount.objects.filter(span=span, start__in=starts).delete()
            durations = durations.filter(received_in(
                {s + timedelta(days=i) for s in starts for i in range((period_end(span, s) - s).days)}, "day"))
        periods = durations.annotate(span=Value(span), start=kpis.PeriodStart(span, "day"))
        insert_select(DurationCount, periods.values("span", "start", "measure", "entity_id", "category", "bucket")
                      .annotate(n=Count("pk")).order_by())
        insert_select(DurationCount, periods.annotate(every_entity=Value(DurationCount.ALL), every_category=Value(""))
                      .values("span", "start", "measure", "bucket", "every_entity", "every_category")
                      .annotate(n=Count("pk")).order_by(),
                      columns=["span", "start", "measure", "bucket", "entity_id", "category", "n"])
    insert_select(ReportDay, reports.annotate(day=kpis.Day("received_at")).values("day", "category", "status")
                  .annotate(n=Count("pk")).order_by())


class Epoch(Func):
    """A timestamp as a number (for a fingerprint only: any monotonic number will do)."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="julianday(%(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra)


def window(mark, report_mark: int) -> str:
    """What the recent changes look like: the cases stamped since mark − OVERLAP (how many, and the
    sum of their stamps) and the reports after report_mark − REPORT_OVERLAP. A transaction that
    commits late, or a case changed again, changes it, although its stamp is older than the mark."""
    cases = Case.objects.filter(updated_at__gte=mark - OVERLAP).aggregate(n=Count("pk"), s=Sum(Epoch("updated_at")))
    reports = Report.objects.filter(pk__gt=report_mark - REPORT_OVERLAP).aggregate(n=Count("pk"), s=Sum("pk"))
    return json.dumps([cases["n"], cases["s"], reports["n"], reports["s"]], default=str)


def dirty_days(state: RollupState) -> set[date]:
    days = {as_date(d) for d in Case.objects.filter(updated_at__gte=state.mark - OVERLAP)
            .annotate(d=kpis.Day("received_at")).values_list("d", flat=True).distinct()}
    days |= {as_date(d) for d in Report.objects.filter(pk__gt=state.report_mark - REPORT_OVERLAP)
             .annotate(d=kpis.Day("received_at")).values_list("d", flat=True).distinct()}
    days |= set(DirtyDay.objects.values_list("day", flat=True))
    return days


def refresh(full: bool = False) -> int:
    """Roll up every day changed since the last roll-up (all days the first time, when the
    informational categories changed, or with `full`). Returns the number of days rolled up
    (-1: all). Concurrent callers wait for each other (the state row is locked).

    Cheap when nothing changed: one look at the recent changes (two index range scans), compared
    with what the last roll-up saw."""
    # The wall clock, as updated_at is stamped (workflow, auto_now), not lib.clock (tests move it).
    started = timezone.now()
    policy = policy_key()
    state = RollupState.objects.first()
    if state is not None and state.mark is not None and not full and state.policy == policy:
        if state.window == window(state.mark, state.report_mark) and not DirtyDay.objects.exists():
            return 0
        days = dirty_days(state)
    else:
        days = None
    report_mark = Report.objects.aggregate(m=Max("pk"))["m"] or 0
    seen = window(started, report_mark)  # before the roll-up reads: a change after it differs next time
    with transaction.atomic():
        state = RollupState.objects.select_for_update().first() or RollupState.objects.create()
        if days is not None and (state.mark is None or state.policy != policy):
            days = None
        roll(days)
        if days is None:
            DirtyDay.objects.all().delete()
        else:
            DirtyDay.objects.filter(day__in=days).delete()
        state.mark, state.report_mark, state.policy, state.window = started, report_mark, policy, seen
        state.save()
    if days is None:
        # Fresh statistics for the planner (SQLite keeps none by itself): the indexes of a table of
        # a million durations are only chosen right when it knows their sizes.
        analyze(ROLLED + (DurationCount,))
    return -1 if days is None else len(days)


def mark_dirty(received_at) -> None:
    """A case or report of that day of receipt is gone: its day is rolled up again."""
    if received_at is not None:
        DirtyDay.objects.bulk_create([DirtyDay(day=received_at.astimezone(UTC).date())], ignore_conflicts=True)
