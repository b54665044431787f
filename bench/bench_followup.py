"""Follow-up sweep: deadlines processed per second with 1,000,000 open cases, and
the worst lateness of 1-hour escalations over a 2-hour simulated run.

Plain script: a fresh SQLite database in a temporary directory, the clock
pinned and stepped (no sleeping). Honest lateness: when a sweep takes longer
in wall time than the interval, the next sweep starts that much later, and an
escalation counts as done when its sweep finished.

    python bench/bench_followup.py [--cases 1000000] [--due 0.01] [--prebuilt FILE]

Building a million cases takes minutes: with `--prebuilt FILE` the database is
copied from FILE when it exists (the sweep then runs on the copy), and saved to
FILE after building when it does not.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
VAR_DIR = Path(tempfile.mkdtemp(prefix="abusedesk-bench-"))
DB_FILE = VAR_DIR / "abusedesk.sqlite3"
os.environ["ABUSEDESK_VAR_DIR"] = str(VAR_DIR)
os.environ.pop("DATABASE_URL", None)
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from abusedesk.cases.models import Case  # noqa: E402
from abusedesk.lib import clock  # noqa: E402
from abusedesk.network.models import Customer, Entity  # noqa: E402
from abusedesk.outbox.models import OutgoingMail  # noqa: E402
from abusedesk.policy.followup import followup_due  # noqa: E402

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def make_cases(n: int, due_share: float, customer, now) -> None:
    """n open, forwarded cases; `due_share` of them at their deadline now, the rest far from any check."""
    due_every = max(1, round(1 / due_share)) if due_share else n + 1
    batch = []
    for i in range(n):
        due = i % due_every == 0
        deadline = now - timedelta(seconds=1) if due else now + timedelta(hours=48)
        batch.append(Case(
            reply_token=f"{i:024x}", entity_id=customer.entity_id, customer=customer, category="spam",
            target=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", state="forwarded",
            received_at=deadline - timedelta(hours=48), first_seen=now, last_seen=now, deadline=deadline,
            deadline_hours=48, reminders_sent=2, forwarded_at=now, next_check_at=deadline if due else
            deadline - timedelta(hours=4.8),
        ))
        if len(batch) == 20000:
            with transaction.atomic():
                Case.objects.bulk_create(batch, batch_size=2000)
            batch = []
    with transaction.atomic():
        Case.objects.bulk_create(batch, batch_size=2000)


def build(n: int, due_share: float, prebuilt: Path | None) -> None:
    if prebuilt and prebuilt.exists():
        assert Case.objects.count() == n, f"{prebuilt} holds {Case.objects.count():,} cases, not {n:,}"
        print(f"copied {n:,} open cases from {prebuilt.name}")
        return
    entity = Entity.objects.create(code="nl", name="Bench B.V.", abuse_email="abuse@bench.example",
                                   jurisdiction="NL")
    customer = Customer.objects.create(entity=entity, reference="bench", name="Bench", abuse_email="a@b.example")
    t = time.perf_counter()
    make_cases(n, due_share, customer, START)
    print(f"created {n:,} open cases in {time.perf_counter() - t:.1f} s")
    if prebuilt:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(DB_FILE, prebuilt)


def throughput(n: int, due_share: float, prebuilt: Path | None) -> None:
    clock.freeze(START)
    build(n, due_share, prebuilt)
    due = Case.objects.filter(next_check_at__lte=START).count()
    t, cpu = time.perf_counter(), time.process_time()
    handled = followup_due()
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
    mails = OutgoingMail.objects.filter(kind="escalation").count()
    print(f"sweep: {handled:,} of {due:,} due deadlines escalated (+{mails:,} mails queued) in {took:.2f} s "
          f"= {handled / took:,.0f} deadlines/s; {cpu:.2f} CPU seconds (the machine may be shared)")
    t = time.perf_counter()
    assert followup_due() == 0
    print(f"an idle sweep over {n:,} open cases: {1000 * (time.perf_counter() - t):.1f} ms")


def lateness(per_minute: int, interval: float) -> None:
    """New 1-hour cases arrive every minute for 2 simulated hours; the sweep runs every `interval`.
    The open cases of the throughput run stay in the table (their next checks lie beyond the run)."""
    entity = Entity.objects.get(code="nl")
    customer = Customer.objects.get(reference="bench")
    sim, end = START, START + timedelta(hours=2)
    next_arrival, serial, worst, escalated = START - timedelta(hours=1), 0, timedelta(0), 0
    while sim <= end:
        clock.freeze(sim)
        while next_arrival <= sim:  # arrivals since the last sweep, with the deadlines they had
            batch = []
            for _ in range(per_minute):
                serial += 1
                deadline = next_arrival + timedelta(hours=1)
                batch.append(Case(
                    reply_token=f"l{serial:023x}", entity=entity, customer=customer, category="csam",
                    target=f"t{serial}", state="forwarded", received_at=next_arrival, first_seen=next_arrival,
                    last_seen=next_arrival, deadline=deadline, deadline_hours=1, reminders_sent=2,
                    next_check_at=deadline))
            Case.objects.bulk_create(batch)
            next_arrival += timedelta(minutes=1)
        t = time.perf_counter()
        followup_due()
        took = timedelta(seconds=time.perf_counter() - t)
        finished = sim + took
        for deadline in Case.objects.filter(category="csam", state="escalated", escalated_at=sim).values_list("deadline", flat=True):
            worst = max(worst, finished - deadline)
            escalated += 1
        sim = sim + max(timedelta(seconds=interval), took)
    print(f"2 h simulated, {per_minute} new 1-hour cases a minute, sweep every {interval:g} s: "
          f"{escalated:,} escalations, worst lateness {worst.total_seconds():.2f} s (limit 60 s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=float, default=0.01)
    parser.add_argument("--per-minute", type=int, default=20)
    parser.add_argument("--prebuilt", type=Path, help="SQLite file to reuse (or to create) with the open cases")
    args = parser.parse_args()
    if args.prebuilt and args.prebuilt.exists():
        shutil.copyfile(args.prebuilt, DB_FILE)
    call_command("migrate", verbosity=0)
    print(f"database: {settings.DATABASES['default']['ENGINE']}, SWEEP_INTERVAL={settings.SWEEP_INTERVAL} s")
    throughput(args.cases, args.due, args.prebuilt)
    lateness(args.per_minute, settings.SWEEP_INTERVAL)
    clock.freeze(None)
