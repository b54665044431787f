"""Case list latency with many cases: the desk search page and the API list.

A fresh SQLite database in a temporary directory is filled with N cases
(bulk_create), then each URL is requested R times through Django's test
client as the demo staff user; p50/p95 are printed per URL.

    python bench/bench_case_list.py            # 1,000,000 cases
    BENCH_CASES=100000 python bench/bench_case_list.py
    BENCH_DB_DIR=/path/of/an/earlier/run python bench/bench_case_list.py   # measure again, no refill

Targets (issue 6): p95 <= 300 ms, goal 100 ms.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

N = int(os.environ.get("BENCH_CASES", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
REUSE = os.environ.get("BENCH_DB_DIR", "")
tmp = REUSE or tempfile.mkdtemp(prefix="abusedesk-bench-")
os.environ["ABUSEDESK_VAR_DIR"] = tmp
os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from abusedesk.cases.models import Case  # noqa: E402
from abusedesk.demo import data  # noqa: E402
from abusedesk.network.models import Customer  # noqa: E402
from abusedesk.parsers.base import CATEGORIES  # noqa: E402

STATES = ["forwarded"] * 5 + ["closed"] * 12 + ["resolved", "customer_replied", "escalated", "disputed", "new"]


def fill():
    call_command("migrate", verbosity=0)
    data.load()
    customers = list(Customer.objects.all())
    rnd = random.Random(6)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    batch = []
    for i in range(N):
        customer = customers[i % len(customers)]
        ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        received = start + timedelta(seconds=i * 60)
        batch.append(Case(
            reply_token=f"{i:024x}", entity_id=customer.entity_id, customer=customer, category=rnd.choice(CATEGORIES),
            target=ip, ip=ip, state=rnd.choice(STATES), sensitive=False, received_at=received, first_seen=received,
            last_seen=received, report_count=1, deadline=received + timedelta(hours=48), deadline_hours=48,
        ))
        if len(batch) == 20000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    print(f"filled {N:,} cases in {time.perf_counter() - t0:.0f} s ({tmp})")


def measure(client, url):
    client.get(url)  # warm
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95


def main():
    if REUSE:
        print(f"measuring the {Case.objects.count():,} cases in {tmp}")
    else:
        fill()
    setup_test_environment()
    client = Client()
    client.login(username="desk", password="desk-demo")
    queries = ["", "?state=forwarded", "?category=phishing", "?customer=customer-a", "?ip=10.1.0.0/16",
               "?ip=10.1.2.3", "?received_after=2025-06-01&received_before=2025-07-01", "?page=50",
               "?customer=customer-b&state=forwarded&category=spam"]
    print(f"{'url':70} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for base in ["/desk/cases/", "/api/v1/cases/"]:
        for q in queries:
            if base.startswith("/api") and q.startswith("?page="):
                q = "?offset=2450&limit=50"
            p50, p95 = measure(client, base + q)
            worst = max(worst, p95)
            print(f"{base + q:70} {p50:8.1f} {p95:8.1f}")
    print(f"worst p95: {worst:.1f} ms (target <= 300 ms, goal 100 ms)")


if __name__ == "__main__":
    main()
