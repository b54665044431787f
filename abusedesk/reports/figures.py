"""The KPIs of kpis.py, answered from the roll-up (models.py) instead of the cases.

The same functions, the same answers (tests/test_rollup.py holds them to it): what kpis
computes over every case of a period, this adds up from one row per day, entity and category.
What depends on the clock is computed when asked: a case waiting for its deadline is decided
once the deadline has passed, so the few cells whose last waiting deadline is still ahead are
counted from the cases at that moment. Percentiles stay exact: the counts per bucket say which
bucket holds the rank, and only that bucket's values are read (docs/reports.md, "Roll-up").

A scope whose start or end is not midnight UTC cannot be answered from days: kpis answers it.
Call rollup.refresh() first (the API and the report do), or the figures lag behind the cases.
"""

import math
from collections import defaultdict
from datetime import UTC, date, timedelta

from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast, Coalesce

from abusedesk.cases.models import Case
from abusedesk.enforcement.models import OffenderFlag
from abusedesk.intake.models import Notifier
from abusedesk.network.models import Customer, Entity

from . import kpis
from .bulk import tuples
from .kpis import Scope, empty_distribution, rate
from .models import DayCount, DayFigures, Duration, DurationCount, ReportDay
from .rollup import as_date, period_end, period_start, ranges, received_in

PERCENTILES = (("median", 0.5), ("p90", 0.9))
LARGE_BUCKET = 500


def covers(scope: Scope) -> bool:
    """Whole UTC days: the roll-up can answer."""
    return all(t.astimezone(UTC).time() == t.min.time() for t in (scope.start, scope.end))


def cover(first: date, end: date) -> list[tuple[str, date]]:
    """[first, end) as whole months, whole weeks and the days left over: (span, start) pieces."""
    pieces, day = [], first
    while day < end:
        for span in (DurationCount.MONTH, DurationCount.WEEK):
            if period_start(span, day) == day and period_end(span, day) <= end:
                pieces.append((span, day))
                day = period_end(span, day)
                break
        else:
            pieces.append(("day", day))
            day += timedelta(days=1)
    return pieces


class Rolled:
    """The roll-up rows of one scope, and how a row maps to a key (None, category, entity, week or month)."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.first, self.end = scope.start.astimezone(UTC).date(), scope.end.astimezone(UTC).date()
        self.codes = dict(Entity.objects.values_list("id", "code"))
        self.entity_ids = [i for i, c in self.codes.items() if c in scope.entities] if scope.entities else None

    def dims(self, qs):
        if self.entity_ids is not None:
            qs = qs.filter(entity_id__in=self.entity_ids)
        if self.scope.categories:
            qs = qs.filter(category__in=self.scope.categories)
        return qs

    def filter(self, qs):
        if self.first is not None:  # None: every day (the open cases)
            qs = qs.filter(day__gte=self.first, day__lt=self.end)
        return self.dims(qs)

    # A key is a function of (day, entity_id, category); `fields` are the roll-up columns it needs.
    @staticmethod
    def key_fields(key):
        return {None: (), "category": ("category",), "entity__code": ("entity_id",)}.get(key, ("day",))

    def key_of(self, key, row: dict):
        if key is None:
            return None
        if key == "category":
            return row["category"]
        if key == "entity__code":
            return self.codes.get(row["entity_id"])
        return period_start(key, as_date(row["day"])).isoformat()

    def key_period(self, key, value) -> tuple[date, date]:
        """The days of one key value within the scope."""
        if key not in kpis.INTERVALS:
            return self.first, self.end
        first = date.fromisoformat(value)
        return max(first, self.first), min(period_end(key, first), self.end)

    def grouped(self, qs, key, **aggregates) -> list[dict]:
        """Aggregates of the roll-up rows per key field(s); one row when there is no key."""
        fields = self.key_fields(key)
        if not fields:
            return [qs.aggregate(**aggregates)]
        return list(qs.values(*fields).annotate(**aggregates).order_by())

    def sums(self, key, fields) -> dict:
        out = defaultdict(lambda: dict.fromkeys(fields, 0))
        for row in self.grouped(self.filter(DayFigures.objects.all()), key, **{f: Sum(f) for f in fields}):
            total = out[self.key_of(key, row)]
            for f in fields:
                total[f] += row[f] or 0
        return out

    # --- compliance -----------------------------------------------------------------------------

    def compliance(self, key) -> dict:
        now = self.scope.now
        passed = Q(waiting_until__lt=now) | Q(waiting_until__isnull=True)
        cells = self.filter(DayFigures.objects.all())
        out = defaultdict(lambda: [0, 0])
        for row in self.grouped(cells, key, settled=Sum("settled"), waiting=Sum("waiting", filter=passed),
                                within=Sum("within")):
            figure = out[self.key_of(key, row)]
            figure[0] += (row["settled"] or 0) + (row["waiting"] or 0)
            figure[1] += row["within"] or 0
        live = {(as_date(r["day"]), r["entity_id"], r["category"]) for r in
                cells.filter(waiting__gt=0, waiting_until__gte=now).values("day", "entity_id", "category")}
        if live:
            # Deadlines still ahead in these cells: which of their waiting cases are decided right now.
            waiting = (Case.objects.filter(received_in({d for d, _, _ in live}))
                       .filter(kpis.counted_q() & kpis.waiting_q()).filter(deadline__lt=now)
                       .annotate(day=kpis.Day("received_at")).values("day", "entity_id", "category")
                       .annotate(n=Count("pk")).order_by())
            for row in waiting:
                if (as_date(row["day"]), row["entity_id"], row["category"]) in live:
                    out[self.key_of(key, row)][0] += row["n"]
        return {k: rate(decided, within) for k, (decided, within) in out.items()}

    # --- distributions --------------------------------------------------------------------------

    def bucket_counts(self, measure: int, key, keys) -> dict:
        """{key: {bucket: n}}: whole months and weeks from DurationCount, the days left over from Duration."""
        by_time = key in kpis.INTERVALS
        periods = [(k, *self.key_period(key, k)) for k in keys] if by_time else [(None, self.first, self.end)]
        pieces, days = {}, {}
        for k, first, end in periods:
            for span, start in cover(first, end):
                if span == "day":
                    days[start] = k
                else:
                    pieces[(span, start)] = k
        # The start as text: thousands of rows, the same few dozen starts (parsed once, below).
        group = ("span", "start_text") if by_time else self.key_fields(key)
        out = defaultdict(lambda: defaultdict(int))
        if pieces:
            q = Q(pk__in=[])
            for span in (DurationCount.MONTH, DurationCount.WEEK):
                starts = [start for (s, start) in pieces if s == span]
                if starts:
                    q |= Q(span=span, start__in=starts)
            counts = DurationCount.objects.filter(measure=measure).filter(q).annotate(start_text=Cast("start", CharField()))
            if self.entity_ids is None and not self.scope.categories and key not in ("category", "entity__code"):
                # The counts of every entity and category: one row per period and bucket already, read
                # as they are (a GROUP BY here made SQLite sort the year's 9,000 rows for nothing).
                counts = counts.filter(entity_id=DurationCount.ALL).values_list(*group, "bucket", "n")
            else:
                counts = (self.dims(counts.filter(entity_id__gt=DurationCount.ALL)).values(*group, "bucket")
                          .annotate(total=Sum("n")).order_by())
            starts = {}  # the database's spelling of a start (text on SQLite) -> its date
            for *fields, bucket, total in tuples(counts):
                if by_time:
                    span, start = fields
                    start = starts.get(start) or starts.setdefault(start, as_date(start))
                    k = pieces[(span, start)]
                else:
                    k = self.key_of(key, dict(zip(group, fields, strict=True)))
                out[k][bucket] += total
        group = ("day", *self.key_fields(key)) if not by_time else ("day",)
        for first, end in ranges(days):
            # One range of days per query: the planner then reads that range of the (measure, day) index.
            rows = (self.dims(Duration.objects.filter(measure=measure, day__gte=first, day__lt=end))
                    .values(*group, "bucket").annotate(total=Count("pk")).order_by())
            for row in rows:
                k = days[as_date(row["day"])] if by_time else self.key_of(key, row)
                out[k][row["bucket"]] += row["total"]
        return out

    def distribution(self, measure: int, key) -> dict:
        n_field, sum_field = ("uptime_n", "uptime_sum") if measure == Duration.UPTIME else ("forward_n", "forward_sum")
        sums = {k: v for k, v in self.sums(key, (n_field, sum_field)).items() if v[n_field]}
        buckets = self.bucket_counts(measure, key, sorted(sums, key=str))
        out, wanted = {}, {}
        for k, total in sums.items():
            n = total[n_field]
            out[k] = {"n": n, "median": None, "p90": None, "mean": kpis._hours(total[sum_field] / n)}
            for name, p in PERCENTILES:
                bucket, rank = self.locate(buckets[k], max(math.ceil(n * p), 1))
                if bucket is not None:
                    wanted[(k, name)] = (bucket, rank)
        # A large bucket is sorted by the database, which hands over the one value; the values of the
        # small ones come in one query, sorted here (a trend has a hundred of them).
        large = {w for w, (bucket, _) in wanted.items() if buckets[w[0]][bucket] > LARGE_BUCKET}
        values = self.bucket_values(measure, key, {(k, b) for (k, name), (b, _) in wanted.items()
                                                   if (k, name) not in large})
        for (k, name), (bucket, rank) in wanted.items():
            if (k, name) in large:
                # Walk the (measure, bucket, value) index to the rank: the day is wrapped, so that the
                # planner does not pick the day range and sort the bucket instead.
                first, end = self.key_period(key, k)
                qs = self.dims(Duration.objects.filter(measure=measure, bucket=bucket)).annotate(
                    _day=Coalesce("day", "day")).filter(_day__gte=first, _day__lt=end)
                if key == "category":
                    qs = qs.filter(category=k)
                elif key == "entity__code":
                    qs = qs.filter(entity_id__in=[i for i, c in self.codes.items() if c == k])
                value = qs.order_by("value").values_list("value", flat=True)[rank - 1]
            else:
                value = values[(k, bucket)][rank - 1]
            out[k][name] = kpis._hours(value)
        return out

    @staticmethod
    def locate(buckets: dict, rank: int) -> tuple[int | None, int]:
        """The bucket that holds the value at `rank` (1-based) of the sorted durations, and its rank there."""
        for bucket in sorted(buckets):
            if rank <= buckets[bucket]:
                return bucket, rank
            rank -= buckets[bucket]
        return None, rank

    def bucket_values(self, measure: int, key, cells) -> dict:
        """{(key, bucket): sorted values} of these (key, bucket) cells, in one query: the database
        reads only the durations of the buckets that hold a percentile."""
        if not cells:
            return {}
        # One term per bucket, with the measure in it, so that each term reads the (measure, bucket, day)
        # index: the days (a trend) or the categories or entities whose percentile is in that bucket.
        keys_of = defaultdict(set)
        for k, bucket in cells:
            keys_of[bucket].add(k)
        q = Q(pk__in=[])
        for bucket, keys in keys_of.items():
            term = Q(measure=measure, bucket=bucket, day__gte=self.first, day__lt=self.end)
            if key in kpis.INTERVALS:
                days = set()
                for k in keys:
                    first, end = self.key_period(key, k)
                    days |= {first + timedelta(days=i) for i in range((end - first).days)}
                term &= Q(day__in=sorted(days))
            elif key == "category":
                term &= Q(category__in=sorted(keys))
            elif key == "entity__code":
                term &= Q(entity_id__in=[i for i, c in self.codes.items() if c in keys])
            q |= term
        out = defaultdict(list)
        fields = self.key_fields(key)
        keys = {}  # a row's key fields -> its key
        # The day as text: tens of thousands of rows, the same few hundred days (parsed once, in key_of).
        rows = self.dims(Duration.objects.filter(q)).annotate(day_text=Cast("day", CharField()))
        columns = ["day_text" if f == "day" else f for f in fields]
        for bucket, value, *at in tuples(rows.values_list("bucket", "value", *columns)):
            at = tuple(at)
            if at not in keys:
                keys[at] = self.key_of(key, dict(zip(fields, at, strict=True)))
            cell = (keys[at], bucket)
            if cell in cells:
                out[cell].append(value)
        for values in out.values():
            values.sort()
        return out


# --- the kpis functions, from the roll-up -------------------------------------------------------

def compliance(scope: Scope, key: str | None = None) -> dict:
    if not covers(scope):
        return kpis.compliance(scope, key)
    return Rolled(scope).compliance(key)


def uptime(scope: Scope, key: str | None = None) -> dict:
    if not covers(scope):
        return kpis.uptime(scope, key)
    return Rolled(scope).distribution(Duration.UPTIME, key)


def time_to_forward(scope: Scope, key: str | None = None) -> dict:
    if not covers(scope):
        return kpis.time_to_forward(scope, key)
    return Rolled(scope).distribution(Duration.FORWARD, key)


def case_counts(scope: Scope) -> dict:
    if not covers(scope):
        return kpis.case_counts(scope)
    rolled = Rolled(scope)
    fields = ("cases", "resolved", "escalated", "restricted", "closed", "open")
    total = rolled.sums(None, fields).get(None, dict.fromkeys(fields, 0))
    row = {"opened": total["cases"], **{f: total[f] for f in fields[1:]}}
    reasons = (rolled.filter(DayCount.objects.filter(figure="close_reason")).values("key")
               .annotate(total=Sum("n")).order_by("key"))
    row["closed_by_reason"] = {r["key"]: r["total"] for r in reasons}
    return row


def reports(scope: Scope) -> dict:
    if not covers(scope):
        return kpis.reports(scope)
    qs = ReportDay.objects.filter(day__gte=scope.start.astimezone(UTC).date(), day__lt=scope.end.astimezone(UTC).date())
    if scope.categories:
        qs = qs.filter(category__in=scope.categories)
    by_status = {r["status"]: r["total"] for r in qs.values("status").annotate(total=Sum("n")).order_by("status")}
    total = sum(by_status.values())

    def share(status):
        return round(by_status.get(status, 0) / total, 4) if total else None

    return {"received": total, "by_status": by_status, "unmatched_share": share("unmatched"),
            "masked_share": share("masked")}


def _per(scope: Scope, key: str) -> dict:
    """Cases, compliance rate and uptime per value of `key` (an entity, a category, a week or month)."""
    rolled = Rolled(scope)
    cases = {k: v["cases"] for k, v in rolled.sums(key, ("cases",)).items() if v["cases"]}
    rates = rolled.compliance(key)
    times = rolled.distribution(Duration.UPTIME, key)
    return {k: {"cases": cases[k], "compliance_rate": rates.get(k, rate(0, 0)),
                "uptime_hours": times.get(k, empty_distribution())} for k in sorted(cases)}


def breakdown(scope: Scope, key: str) -> dict:
    if not covers(scope):
        return kpis.breakdown(scope, key)
    return _per(scope, key)


def trend(scope: Scope, interval: str = "month") -> list[dict]:
    if interval not in kpis.INTERVALS:
        raise ValueError(f"unknown interval {interval!r}")
    if not covers(scope):
        return kpis.trend(scope, interval)
    return [{"period": k, **row} for k, row in _per(scope, interval).items()]


def open_now(scope: Scope) -> dict:
    """Open and overdue cases now, per entity, whatever the period: every day of the roll-up. A cell
    whose last running deadline is still ahead is counted from its cases at this moment."""
    rolled = Rolled(scope)
    rolled.first = rolled.end = None
    now = scope.now
    cells = rolled.filter(DayFigures.objects.filter(open__gt=0))
    passed = Q(due_until__lt=now) | Q(due_until__isnull=True)
    out = {}
    for row in rolled.grouped(cells, "entity__code", open=Sum("open"), overdue=Sum("due", filter=passed)):
        figure = out.setdefault(rolled.codes.get(row["entity_id"]), {"open": 0, "overdue": 0})
        figure["open"] += row["open"]
        figure["overdue"] += row["overdue"] or 0
    live = {(as_date(r["day"]), r["entity_id"], r["category"]) for r in
            cells.filter(due__gt=0, due_until__gte=now).values("day", "entity_id", "category")}
    if live:
        overdue = (Case.objects.filter(received_in({d for d, _, _ in live})).filter(kpis.due_q(), deadline__lt=now)
                   .annotate(day=kpis.Day("received_at")).values("day", "entity_id", "category")
                   .annotate(n=Count("pk")).order_by())
        for row in overdue:
            if (as_date(row["day"]), row["entity_id"], row["category"]) in live:
                out[rolled.codes.get(row["entity_id"])]["overdue"] += row["n"]
    return dict(sorted(out.items()))


def _top(rolled: Rolled, figure: str) -> list[tuple[int, int]]:
    rows = (rolled.filter(DayCount.objects.filter(figure=figure)).values("key").annotate(total=Sum("n"))
            .order_by("-total"))
    return [(int(r["key"]), r["total"]) for r in rows]


def _candidates(ranked: list, limit: int) -> list:
    """Of (id, cases) sorted by cases, those that can be among the first `limit` once ties are broken."""
    if len(ranked) > limit:
        floor = ranked[limit - 1][1]
        ranked = [r for r in ranked if r[1] >= floor]
    return ranked


def top_notifiers(scope: Scope, limit: int = 10) -> list[dict]:
    if not covers(scope):
        return kpis.top_notifiers(scope, limit)
    ranked = _candidates(_top(Rolled(scope), "notifier"), limit)
    notifiers = {n.pk: n for n in Notifier.objects.filter(pk__in=[i for i, _ in ranked])}
    merged = defaultdict(int)  # kpis groups by name and kind
    for pk, n in ranked:
        merged[(notifiers[pk].name, notifiers[pk].kind)] += n
    rows = sorted(merged.items(), key=lambda item: (-item[1], item[0][0]))[:limit]
    return [{"notifier": name, "kind": kind, "cases": n} for (name, kind), n in rows]


def top_customers(scope: Scope, limit: int = 10) -> list[dict]:
    if not covers(scope):
        return kpis.top_customers(scope, limit)
    ranked = _candidates(_top(Rolled(scope), "customer"), limit)
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=[i for i, _ in ranked])}
    rows = sorted(ranked, key=lambda r: (-r[1], customers[r[0]].reference))[:limit]
    steps = dict(OffenderFlag.objects.filter(customer_id__in=[pk for pk, _ in rows]).values_list("customer_id", "step"))
    return [{"customer": customers[pk].reference, "name": customers[pk].name, "cases": n,
             "offender_step": steps.get(pk, "none")} for pk, n in rows]
