"""The roll-up answers exactly what the definitions compute over the cases (parity), is never
stale (a change after a roll-up shows in the next figure), and the endpoints that use it take a
fixed number of queries whatever the number of cases."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abusedesk.cases import services
from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.lib import clock
from abusedesk.policy.models import DeadlinePolicy
from abusedesk.reports import figures, kpis, rollup, transparency

from .conftest import T0

NOW = datetime(2025, 12, 30, 15, 30, tzinfo=UTC)
CATEGORIES = ["spam", "phishing", "csam", "terrorism", "vulnerable_service", "malware"]


def varied_year(build, n=240):
    """Cases over 2024-12 to 2025-12 of two entities: resolved early and late (fractional seconds),
    restricted, open with deadlines passed and still ahead of NOW, paused, disputed, excluded closes,
    false positives, informational, without a deadline; notifiers; reports of every status."""
    rnd = random.Random(14)
    notifiers = [Notifier.objects.create(name=f"Notifier {i}", kind=kind)
                 for i, kind in enumerate(["feed", "person", "trusted", "hotline"])]
    raw = RawMessage(channel="smtp", received_at=T0)
    raw.content = b"parity"
    raw.save()
    start = datetime(2024, 12, 20, tzinfo=UTC)
    for i in range(n):
        received = start + timedelta(seconds=rnd.uniform(0, 376 * 86400))
        if i % 40 == 0:  # some cases on the last days before NOW: deadlines still running
            received = NOW - timedelta(hours=rnd.uniform(1, 60))
        deadline_h = rnd.choice([1.0, 24.0, 48.0, 72.0, None])
        fate = rnd.random()
        kwargs = {}
        if fate < 0.4:
            kwargs = {"resolved_h": rnd.uniform(0.01, 3 * (deadline_h or 24)), "state": "resolved"}
        elif fate < 0.5:
            kwargs = {"restricted_h": rnd.uniform(0.5, 50), "state": "restricted"}
        elif fate < 0.55:
            kwargs = {"resolved_h": rnd.uniform(1, 9), "restricted_h": rnd.uniform(1, 9), "state": "closed",
                      "close_reason": "resolved"}
        elif fate < 0.62:
            kwargs = {"state": "closed", "close_reason": rnd.choice(["not_ours", "merged", "dispute_upheld"])}
        elif fate < 0.66:
            kwargs = {"resolved_h": 2.5, "state": "closed", "close_reason": "resolved", "resolution": "false_positive"}
        elif fate < 0.72:
            kwargs = {"state": "disputed"}
        elif fate < 0.76:
            kwargs = {"deadline_paused_at": received + timedelta(minutes=20)}
        elif fate < 0.82:
            kwargs = {"escalated_at": received + timedelta(hours=30), "state": "escalated"}
        if rnd.random() < 0.8:
            kwargs["forwarded_h"] = rnd.uniform(0, 0.3)
        if deadline_h is None and kwargs.get("state") == "restricted":
            deadline_h = 24.0
        case = build.case(entity=rnd.choice(["nl", "us"]), category=rnd.choice(CATEGORIES), received=received,
                          deadline_h=deadline_h, notifier=rnd.choice(notifiers + [None]), **kwargs)
        status = rnd.choice(["matched", "matched", "unmatched", "masked"])
        Report.objects.create(raw_message=raw, event_index=i, category=case.category, received_at=received,
                              fingerprint=i, status=status, case=case if status == "matched" else None)
    # An entity's own policy: spam is informational for nl, vulnerable_service is not for us.
    DeadlinePolicy.objects.create(entity=build.nl, category="spam", hours=48, informational=True)
    DeadlinePolicy.objects.create(entity=build.us, category="vulnerable_service", hours=72, informational=False)


SCOPES = [
    ("year", datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), (), ()),
    ("march, nl", datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC), ("nl",), ()),
    ("90 days, two categories", datetime(2025, 10, 3, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), (),
     ("csam", "phishing")),
    ("across the year boundary", datetime(2024, 12, 15, tzinfo=UTC), datetime(2025, 1, 20, tzinfo=UTC), ("us",),
     ("spam", "vulnerable_service", "csam", "phishing")),
    ("an empty period", datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 2, 1, tzinfo=UTC), (), ()),
]


def direct_and_rolled(scope):
    """Every figure the dashboard and the report take from the roll-up, both ways."""
    names = ["compliance", "uptime", "time_to_forward", "case_counts", "reports", "top_notifiers", "top_customers",
             "open_now"]
    out = []
    for name in names:
        out.append((name, getattr(kpis, name)(scope), getattr(figures, name)(scope)))
    for key in ("category", "entity__code"):
        out.append((f"compliance by {key}", kpis.compliance(scope, key), figures.compliance(scope, key)))
        out.append((f"uptime by {key}", kpis.uptime(scope, key), figures.uptime(scope, key)))
        out.append((f"breakdown by {key}", kpis.breakdown(scope, key), figures.breakdown(scope, key)))
    for interval in kpis.INTERVALS:
        out.append((f"trend per {interval}", kpis.trend(scope, interval), figures.trend(scope, interval)))
    return out


def without_empty_rates(figure):
    """kpis.compliance lists only keys with counted cases; the roll-up also those with none (0 of 0)."""
    if isinstance(figure, dict):
        return {k: v for k, v in figure.items() if v != kpis.rate(0, 0)}
    return figure


@pytest.mark.parametrize("large_bucket", [figures.LARGE_BUCKET, 0], ids=["values sorted here", "sorted by the db"])
@pytest.mark.parametrize("label,start,end,entities,categories", SCOPES)
def test_the_roll_up_gives_the_figures_of_the_direct_computation(build, monkeypatch, label, start, end, entities,
                                                                 categories, large_bucket):
    # Both ways of reading a percentile's bucket: every bucket is "large" with 0.
    monkeypatch.setattr(figures, "LARGE_BUCKET", large_bucket)
    varied_year(build)
    rollup.refresh()
    scope = kpis.Scope(start, end, entities, categories, now=NOW)
    for name, direct, rolled in direct_and_rolled(scope):
        if name.startswith("compliance"):
            direct, rolled = without_empty_rates(direct), without_empty_rates(rolled)
        assert rolled == direct, f"{label}: {name}"


def test_the_report_json_is_the_same_from_the_roll_up_and_from_the_cases(build):
    varied_year(build)
    clock.freeze(NOW)
    try:
        scope = transparency.year_scope(2025)
        rolled = transparency.build(scope)
    finally:
        clock.freeze(None)
    direct = {
        "compliance_rate": kpis.one(kpis.compliance(scope), kpis.rate(0, 0)),
        "uptime_hours": kpis.one(kpis.uptime(scope), kpis.empty_distribution()),
        "time_to_forward_hours": kpis.one(kpis.time_to_forward(scope), kpis.empty_distribution()),
        "by_category": kpis.breakdown(scope, "category"),
        "by_month": kpis.trend(scope, "month"),
        "reports": kpis.reports(scope),
        "cases": kpis.case_counts(scope),
    }
    by_entity = {k: {f: v[f] for f in ("cases", "compliance_rate", "uptime_hours")} for k, v in
                 rolled["by_entity"].items()}
    assert by_entity == kpis.breakdown(scope, "entity__code")
    assert {k: rolled[k] for k in direct} == direct


def test_a_case_resolved_after_a_roll_up_shows_in_the_next_figure(build, django_user_model):
    case = build.case(deadline_h=24.0, received=datetime(2025, 3, 1, tzinfo=UTC))
    scope = kpis.Scope(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), now=NOW)
    rollup.refresh()
    assert figures.compliance(scope)[None] == kpis.rate(1, 0)  # deadline passed, unresolved: late
    assert figures.uptime(scope) == {}
    staff = django_user_model.objects.create_user("desk", is_staff=True)
    services.resolve(Case.objects.get(pk=case.pk), staff, Case.Resolution.REMOVED_CONTENT)
    rollup.refresh()
    assert figures.compliance(scope) == kpis.compliance(scope)
    assert figures.uptime(scope)[None]["n"] == 1
    assert figures.case_counts(scope)["resolved"] == 1


def test_a_deadline_that_passes_after_the_roll_up_decides_the_case_without_a_new_roll_up(build):
    build.case(deadline_h=24.0, received=NOW - timedelta(hours=2))
    scope = kpis.Scope(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), now=NOW)
    rollup.refresh()
    assert figures.compliance(scope)[None] == kpis.rate(0, 0)
    assert figures.open_now(scope)["nl"] == {"open": 1, "overdue": 0}
    later = kpis.Scope(scope.start, scope.end, now=NOW + timedelta(hours=23))
    assert figures.compliance(later)[None] == kpis.rate(1, 0)
    assert figures.open_now(later)["nl"] == {"open": 1, "overdue": 1}
    assert rollup.refresh() == 0  # nothing changed: nothing rolled up again


def test_deleted_cases_new_reports_and_a_changed_policy_show_in_the_next_figure(build):
    scope = kpis.Scope(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), now=NOW)
    doomed = build.case(category="spam", resolved_h=1, state="resolved")
    build.case(category="spam", resolved_h=2, state="resolved")
    rollup.refresh()
    assert figures.case_counts(scope)["opened"] == 2
    doomed.delete()
    raw = RawMessage(channel="smtp", received_at=T0)
    raw.content = b"late"
    raw.save()
    Report.objects.create(raw_message=raw, event_index=0, category="spam", received_at=T0, fingerprint=1,
                          status="unmatched")
    rollup.refresh()
    assert figures.case_counts(scope)["opened"] == 1
    assert figures.reports(scope)["by_status"] == {"unmatched": 1}
    assert figures.uptime(scope)[None]["n"] == 1
    DeadlinePolicy.objects.create(entity=build.nl, category="spam", hours=48, informational=True)
    rollup.refresh()
    assert figures.uptime(scope) == kpis.uptime(scope) == {}


def test_the_api_rolls_up_before_it_answers(client, build):
    case = build.case(deadline_h=24.0)
    client.force_login(User.objects.create_user("staff", password="x", is_staff=True))
    url = "/api/v1/kpis/summary/?start=2025-01-01&end=2025-12-31"
    assert client.get(url).json()["uptime_hours"]["n"] == 0
    Case.objects.filter(pk=case.pk).update(resolved_at=case.received_at + timedelta(hours=3), state="resolved",
                                           updated_at=datetime.now(UTC))
    assert client.get(url).json()["uptime_hours"] == {"n": 1, "median": 3.0, "p90": 3.0, "mean": 3.0}


# The queries each endpoint takes: session and user, entities, the roll-up's look at what changed
# (policy, state, recent changes, deleted days), then the figures: a few per figure, whatever the
# number of cases, keys or percentiles (the values of every percentile's bucket come in one query).
ENDPOINT_QUERIES = {"summary": 24, "by-entity": 15, "by-category": 15, "trend": 15, "open": 11,
                    "top-notifiers": 11, "top-customers": 12}


@pytest.mark.parametrize("endpoint", ENDPOINT_QUERIES)
def test_each_endpoint_takes_a_fixed_number_of_queries_whatever_the_number_of_cases(client, build, endpoint):
    client.force_login(User.objects.create_user("staff", password="x", is_staff=True))
    url = f"/api/v1/kpis/{endpoint}/?start=2025-03-01&end=2025-03-31&interval=month"
    notifier = Notifier.objects.create(name="Feed", kind="feed")
    counts = []
    for size in (12, 120):  # every entity and category in both
        for i in range(size):
            build.case(category=CATEGORIES[i % 6], entity=["nl", "us"][i % 2], resolved_h=1 + i % 7,
                       forwarded_h=0.1, state="resolved", notifier=notifier, received=T0 + timedelta(hours=i % 200))
        client.get(url)  # rolls up the new cases
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= ENDPOINT_QUERIES[endpoint], counts


def test_reports_deleted_in_bulk_mark_their_day_once(build, django_assert_max_num_queries):
    from abusedesk.reports.models import DirtyDay

    scope = kpis.Scope(datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), now=NOW)
    raw = RawMessage(channel="smtp", received_at=T0)
    raw.content = b"feed"
    raw.save()
    Report.objects.bulk_create([Report(raw_message=raw, event_index=i, category="scanning", received_at=T0,
                                       fingerprint=i, status="unmatched") for i in range(50)])
    rollup.refresh()
    assert figures.reports(scope)["received"] == 50
    with django_assert_max_num_queries(5):  # the reports, their deletion, one mark of their day
        Report.objects.filter(raw_message=raw).delete()
    assert list(DirtyDay.objects.values_list("day", flat=True)) == [T0.date()]
    rollup.refresh()
    assert figures.reports(scope) == kpis.reports(scope)
    assert figures.reports(scope)["received"] == 0
