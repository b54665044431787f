"""The transparency report and the KPI endpoints on a year of 1,000,000 cases.

A fresh database is filled with N cases received over 2025 (resolved early, late or
never, restricted, closed for the excluded reasons) and one report per case (a tenth
unmatched), then:
- the transparency report of 2025 is built (JSON) and rendered (PDF) once, timed;
- each KPI endpoint is requested R times for the whole year and for its last 90 days
  (the dashboard's default period), p50/p95 printed.

    python bench/bench_reports.py                       # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abusedesk_bench python bench/bench_reports.py
    BENCH_CASES=100000 python bench/bench_reports.py
    BENCH_DB_DIR=/path/of/an/earlier/run python bench/bench_reports.py   # SQLite: measure again, no refill

The first roll-up after the fill (every day) is timed on its own; then the report and the
endpoints bring the roll-up up to date before they answer, as they always do (nothing to do
here), and at the end a day's cases are touched and the next refresh is timed.
BENCH_KEEP_ROLLUP=1 keeps the roll-up of an earlier run.

Targets (issue 14): the report <= 60 s, each endpoint p95 <= 300 ms.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

N = int(os.environ.get("BENCH_CASES", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
REUSE = os.environ.get("BENCH_DB_DIR", "")
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
tmp = REUSE or tempfile.mkdtemp(prefix="abusedesk-bench-")
os.environ["ABUSEDESK_VAR_DIR"] = tmp
if not ON_POSTGRES:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from abusedesk.cases.models import Case  # noqa: E402
from abusedesk.demo import data  # noqa: E402
from abusedesk.intake.models import RawMessage  # noqa: E402
from abusedesk.lib import clock  # noqa: E402
from abusedesk.parsers.base import CATEGORIES  # noqa: E402
from abusedesk.policy.defaults import DEFAULT_DEADLINE_HOURS  # noqa: E402
from abusedesk.reports import render, rollup, transparency  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 2, 1, tzinfo=UTC)


FILL_SQL = """
WITH k AS (SELECT (SELECT array_agg(id ORDER BY id) FROM network_customer) AS customers,
                  (SELECT array_agg(entity_id ORDER BY id) FROM network_customer) AS entities,
                  (SELECT array_agg(id ORDER BY id) FROM intake_notifier) AS notifiers,
                  %(categories)s::text[] AS categories, %(hours)s::float8[] AS hours),
     g AS (SELECT n, ((n * 7919) %% 1000) / 1000.0 AS fate, ((n * 104729) %% 1000) / 1000.0 AS u,
                  1 + n %% array_length(k.categories, 1) AS c, 1 + n %% array_length(k.customers, 1) AS cu,
                  %(start)s::timestamptz + n * interval '1 second' * (365 * 86400.0 / %(n)s) AS received, k.*
           FROM generate_series(0::bigint, %(n)s - 1) AS n, k)
INSERT INTO cases_case (reply_token, entity_id, customer_id, notifier_id, category, target, ip, url, domain, state,
    close_reason, sensitive, law_enforcement, received_at, first_seen, last_seen, report_count, deadline,
    deadline_hours, forwarded_at, resolved_at, restricted_at, deadline_pause_reason, reminders_sent, resolution,
    resolution_text, created_at, updated_at)
SELECT lpad(to_hex(n), 24, '0'), entities[cu], customers[cu], notifiers[1 + n %% array_length(notifiers, 1)],
    categories[c], '10.' || (n >> 16) %% 256 || '.' || (n >> 8) %% 256 || '.' || n %% 256,
    ('10.' || (n >> 16) %% 256 || '.' || (n >> 8) %% 256 || '.' || n %% 256)::inet, '', '',
    CASE WHEN fate < 0.75 THEN 'closed' WHEN fate < 0.80 THEN 'restricted' WHEN fate < 0.85 THEN 'closed'
         ELSE 'forwarded' END,
    CASE WHEN fate < 0.75 THEN 'resolved' WHEN fate >= 0.80 AND fate < 0.85
         THEN (ARRAY['not_ours', 'merged', 'dispute_upheld'])[1 + n %% 3] ELSE '' END,
    categories[c] = 'csam', false, received, received, received, 1,
    received + hours[c] * interval '1 hour', hours[c], received + (5 + 595 * u) * interval '1 second',
    CASE WHEN fate < 0.55 THEN received + hours[c] * (0.1 + 0.9 * u) * interval '1 hour'
         WHEN fate < 0.75 THEN received + hours[c] * (1 + 3 * u) * interval '1 hour' END,
    CASE WHEN fate >= 0.75 AND fate < 0.80 THEN received + hours[c] * (1 + 2 * u) * interval '1 hour' END,
    '', 0, '', '', now(), now()
FROM g
"""
REPORTS_SQL = """
INSERT INTO cases_report (raw_message_id, event_index, category, ip, url, domain, received_at, evidence, source_ref,
    fingerprint, status, reason, case_id, created_at)
SELECT %(raw)s, id, category, ip, '', '', received_at, '', '', id,
    CASE WHEN id %% 10 = 0 THEN 'unmatched' ELSE 'matched' END, '', CASE WHEN id %% 10 = 0 THEN NULL ELSE id END,
    created_at
FROM cases_case
"""


SQLITE_FILL_SQL = """
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < %(n)d - 1),
     cu AS (SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, entity_id FROM network_customer),
     nt AS (SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM intake_notifier),
     ca AS (SELECT key AS i, json_extract(value, '$[0]') AS name, json_extract(value, '$[1]') AS hours
            FROM json_each(:categories)),
     g AS (SELECT n, ((n * 7919) %% 1000) / 1000.0 AS fate, ((n * 104729) %% 1000) / 1000.0 AS u,
                  julianday(:start) + n * (365.0 / %(n)d) AS received FROM s)
INSERT INTO cases_case (reply_token, entity_id, customer_id, notifier_id, category, target, ip, url, domain, state,
    close_reason, sensitive, law_enforcement, received_at, first_seen, last_seen, report_count, deadline,
    deadline_hours, forwarded_at, resolved_at, restricted_at, deadline_pause_reason, reminders_sent, resolution,
    resolution_text, created_at, updated_at, order_member_state)
SELECT printf('%%024x', n), cu.entity_id, cu.id, nt.id, ca.name,
    '10.' || ((n >> 16) %% 256) || '.' || ((n >> 8) %% 256) || '.' || (n %% 256),
    '10.' || ((n >> 16) %% 256) || '.' || ((n >> 8) %% 256) || '.' || (n %% 256), '', '',
    CASE WHEN fate < 0.75 THEN 'closed' WHEN fate < 0.80 THEN 'restricted' WHEN fate < 0.85 THEN 'closed'
         ELSE 'forwarded' END,
    CASE WHEN fate < 0.75 THEN 'resolved' WHEN fate >= 0.80 AND fate < 0.85
         THEN json_extract('["not_ours", "merged", "dispute_upheld"]', '$[' || (n %% 3) || ']') ELSE '' END,
    ca.name = 'csam', 0, ts(received), ts(received), ts(received), 1,
    ts(received + ca.hours / 24.0), ca.hours, ts(received + (5 + 595 * u) / 86400.0),
    CASE WHEN fate < 0.55 THEN ts(received + ca.hours * (0.1 + 0.9 * u) / 24.0)
         WHEN fate < 0.75 THEN ts(received + ca.hours * (1 + 3 * u) / 24.0) END,
    CASE WHEN fate >= 0.75 AND fate < 0.80 THEN ts(received + ca.hours * (1 + 2 * u) / 24.0) END,
    '', 0, '', '', ts(julianday('now')), ts(julianday('now')), ''
FROM g JOIN cu ON cu.i = n %% (SELECT COUNT(*) FROM cu) JOIN nt ON nt.i = n %% (SELECT COUNT(*) FROM nt)
       JOIN ca ON ca.i = n %% (SELECT COUNT(*) FROM ca)
"""


def fill_sqlite(raw) -> None:
    """The same year as fill_postgres, in one INSERT ... SELECT over a recursive series (bulk_create of a
    million cases takes half an hour on a loaded machine). ts() writes a Julian day as Django stores it."""
    import json

    names = list(CATEGORIES)
    categories = json.dumps([[c, float(DEFAULT_DEADLINE_HOURS[c])] for c in names])
    sql = SQLITE_FILL_SQL.replace("ts(", "strftime('%%Y-%%m-%%d %%H:%%M:%%f', ") % {"n": N}
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(":categories", "%s").replace(":start", "%s"),
                       [categories, START.strftime("%Y-%m-%d %H:%M:%S")])
        cursor.execute(REPORTS_SQL, {"raw": raw.pk})
        cursor.execute("ANALYZE")


def fill_postgres(raw) -> None:
    """A million rows through Python take most of an hour on a loaded machine; one INSERT ... SELECT
    over generate_series writes the same kind of year in a minute (the same fates, hashed from n)."""
    names = list(CATEGORIES)
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL, {"categories": names, "hours": [float(DEFAULT_DEADLINE_HOURS[c]) for c in names],
                                  "start": START, "n": N})
        cursor.execute(REPORTS_SQL, {"raw": raw.pk})
        cursor.execute("ANALYZE")


def fill():
    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        print(f"reusing {Case.objects.count():,} cases")
        return
    data.load()
    raw = RawMessage(channel="file", received_at=START)
    raw.content = b"bench"
    raw.save()
    t0 = time.perf_counter()
    (fill_postgres if ON_POSTGRES else fill_sqlite)(raw)
    print(f"filled {N:,} cases and reports in {time.perf_counter() - t0:.0f} s")


def timed(label, func):
    t = time.perf_counter()
    result = func()
    print(f"{label}: {time.perf_counter() - t:.1f} s")
    return result


def measure(client, url):
    client.get(url)  # warm
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def main():
    print(f"database: {connection.vendor}, cases: {N:,}")
    fill()
    if os.environ.get("BENCH_FILL_ONLY"):
        return
    clock.freeze(NOW)
    if not os.environ.get("BENCH_KEEP_ROLLUP"):
        timed("roll-up of every day (once, after the fill)", lambda: rollup.refresh(full=True))
    scope = transparency.year_scope(2025)
    report = timed("transparency report 2025, JSON", lambda: transparency.build(scope))
    timed("  rendered as PDF (en)", lambda: render.to_pdf(report, "en"))
    print(f"  cases {report['cases']['opened']:,}, compliance {report['compliance_rate']['value']}, "
          f"uptime median {report['uptime_hours']['median']} h")
    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(username="desk"))
    for period, query in (("year", "start=2025-01-01&end=2025-12-31"), ("last 90 days", "start=2025-10-03&end=2025-12-31")):
        for endpoint in ("summary", "by-entity", "by-category", "trend", "open", "top-notifiers", "top-customers"):
            p50, p95 = measure(client, f"/api/v1/kpis/{endpoint}/?{query}")
            print(f"  {period:>12} {endpoint:<14} p50 {p50:7.0f} ms   p95 {p95:7.0f} ms")
    # A day's cases change (the stamp only: the figures stay as they are): the next figure rolls that day up.
    day = Case.objects.filter(received_at__gte=datetime(2025, 6, 2, tzinfo=UTC),
                              received_at__lt=datetime(2025, 6, 3, tzinfo=UTC))
    day.update(updated_at=timezone.now())
    days = timed("roll-up after a day's cases changed", rollup.refresh)
    print(f"  ({days} day(s) rolled up again)")
    p50, p95 = measure(client, "/api/v1/kpis/summary/?start=2025-01-01&end=2025-12-31")
    print(f"  {'year':>12} {'summary':<14} p50 {p50:7.0f} ms   p95 {p95:7.0f} ms (after it)")


if __name__ == "__main__":
    main()
