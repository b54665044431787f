"""Benchmark: processing stored ARF notices in this process, without SMTP: where the time goes.

    python bench/bench_processing.py [--notices N] [--batch N] [--profile]

A fresh SQLite database in a temporary directory (or DATABASE_URL, a scratch
database: it is flushed) with the demo data; N distinct ARF notices about
126 addresses of ours are stored as SMTP intake stores them, then processed
the way the worker does: `--batch 0` one at a time (process_raw_message),
otherwise in batches (process_batch). Printed: notices/s, CPU ms a notice
(this process and, on PostgreSQL, its server process: read from /proc, so
only for a server on this machine), queries a notice, with --statements the
commonest statements (their first words), and with --profile the functions
with the most cumulative time.
"""

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=500)
    parser.add_argument("--batch", type=int, default=50, help="notices per batch; 0: one at a time")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--statements", action="store_true", help="the commonest statements, by their first words")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="abusedesk-bench-")
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{var}/bench.sqlite3"
    os.environ.update(DATABASE_URL=database, CELERY_BROKER_URL="", ABUSEDESK_VAR_DIR=var,
                      DJANGO_SETTINGS_MODULE="abusedesk.settings", LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from abusedesk.cases.models import Case
    from abusedesk.intake import processing
    from abusedesk.intake.models import RawMessage
    from abusedesk.intake.store import store_raw
    from testkit.faults import arf

    if database.startswith("postgres"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("setup_demo", "--no-samples", "--no-history", verbosity=0)
    for n in range(args.notices):
        ip = f"198.51.100.{1 + n % 126}" if n % 2 else f"198.51.100.{129 + n % 126}"
        store_raw(arf(n, ip), RawMessage.Channel.SMTP, envelope_from="fbl@mail.example",
                  envelope_to="abuse@hosting-nl.example", remote_addr="127.0.0.1", enqueue=False)
    ids = list(RawMessage.objects.filter(state="new").order_by("id").values_list("id", flat=True))

    def run() -> None:
        if args.batch:
            while processing.process_batch(args.batch):
                pass
        else:
            for pk in ids:
                processing.process_raw_message(pk)

    profile = cProfile.Profile() if args.profile else None
    server_cpu = backend_cpu(connection)
    started, cpu = time.monotonic(), time.process_time()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        if profile:
            profile.runcall(run)
        else:
            run()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    server_cpu = backend_cpu(connection) - server_cpu if server_cpu is not None else None
    done = RawMessage.objects.filter(pk__in=ids, state="done").count()
    mode = f"batches of {args.batch}" if args.batch else "one at a time"
    print(f"== {connection.vendor}, {len(ids)} ARF notices processed {mode}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"processed      {done} done, {Case.objects.count()} cases; {done / wall:.1f} notices/s (wall)")
    print(f"cpu            {1000 * cpu / max(done, 1):.2f} ms a notice (this process)")
    if server_cpu is not None:
        print(f"server cpu     {1000 * server_cpu / max(done, 1):.2f} ms a notice (its PostgreSQL backend)")
    print(f"queries        {len(queries) / max(done, 1):.1f} a notice")
    if args.statements:
        kinds = {}
        for sql in queries:
            kind = statement_kind(sql)
            kinds[kind] = kinds.get(kind, 0) + 1
        for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:25]:
            print(f"  {n / max(done, 1):6.2f}  {kind}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", "abusedesk"), 60)


def backend_cpu(connection) -> float | None:
    """CPU seconds (user + system) of this connection's PostgreSQL backend, None if not readable here."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def statement_kind(sql: str) -> str:
    """A statement's verb and table, e.g. "UPDATE cases_case"; savepoints as such."""
    words = re.sub(r'["`]', "", sql).split()
    verb = words[0].upper() if words else ""
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    after = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}.get(verb)
    upper = [w.upper() for w in words]
    table = words[upper.index(after) + 1] if after in upper[:-1] else ""
    return f"{verb} {table}"


if __name__ == "__main__":
    main()
