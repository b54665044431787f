"""Benchmark: `assignments import` of 1,000,000 generated prefixes on a fresh database.

    python bench/bench_import.py [--prefixes N]

SQLite in a temporary directory by default; with DATABASE_URL=postgres://.../name
a scratch database "<name>_bench" is created (and dropped) next to it.
Prints the time, prefixes per second, peak RSS and a re-import (idempotent) time.
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_assignments(path: Path, n: int) -> None:
    """n rows: 90% IPv4 /26 from 11.0.0.0 on, 10% IPv6 /48; 50,000 customers;
    every 20th prefix changed hands in 2023 (a closed interval before the current one)."""
    v6 = n // 10
    v4 = n - v6
    history = 0
    with open(path, "w") as f:
        f.write("prefix,customer,valid_from,valid_to\n")
        written = 0
        for i in range(v4):
            if written >= n:
                break
            a = (11 << 24) + i * 64
            prefix = f"{a >> 24 & 255}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}/26"
            if i % 20 == 0 and written + 1 < n:
                f.write(f"{prefix},cust-{(i + 7) % 50000},2020-01-01,2023-06-01\n")
                written += 1
                history += 1
                f.write(f"{prefix},cust-{i % 50000},2023-06-01,\n")
            else:
                f.write(f"{prefix},cust-{i % 50000},2020-01-01,\n")
            written += 1
        i = 0
        while written < n:
            f.write(f"2a00:{i >> 16:x}:{i & 0xffff:x}::/48,cust-{i % 50000},2020-01-01,\n")
            written += 1
            i += 1


def setup_database(tmp: str) -> str | None:
    """Point Django at a fresh database; returns the PostgreSQL scratch name, if any."""
    os.environ["ABUSEDESK_VAR_DIR"] = tmp
    url = os.environ.get("DATABASE_URL", "")
    scratch = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _slash, name = url.rpartition("/")
        scratch = (name.split("?")[0] or "abusedesk") + "_bench"
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
        os.environ["DATABASE_URL"] = f"{base}/{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abusedesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from abusedesk.network.models import Entity

    Entity.objects.get_or_create(code="nl", defaults=dict(name="Example Hosting B.V.", jurisdiction="NL",
                                                          abuse_email="abuse@hosting-nl.example"))
    return scratch


def prepared_database(tmp: str, prebuilt: Path | None) -> tuple[str | None, bool]:
    """setup_database, starting from a copy of `prebuilt` (SQLite, assignments
    imported) when that file exists; returns (scratch name, whether it was reused)."""
    if prebuilt and os.environ.get("DATABASE_URL"):
        raise SystemExit("--prebuilt is for the SQLite default only")
    reuse = bool(prebuilt and prebuilt.exists())
    if reuse:
        shutil.copyfile(prebuilt, Path(tmp) / "abusedesk.sqlite3")
    return setup_database(tmp), reuse


def save_database(target: Path) -> None:
    """Keep the database (SQLite) as `target`, for --prebuilt."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(connection.settings_dict["NAME"], target)


def drop_scratch(scratch: str | None) -> None:
    if not scratch:
        return
    from django.db import connections

    connections.close_all()
    import psycopg

    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefixes", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="abusedesk-bench-") as tmp:
        scratch = setup_database(tmp)
        try:
            from django.db import connection

            from abusedesk.network.importer import import_assignments
            from abusedesk.network.models import Assignment

            path = Path(tmp) / "assignments.csv"
            write_assignments(path, args.prefixes)
            started = time.monotonic()
            result = import_assignments(path)
            seconds = time.monotonic() - started
            assert result.rejected == 0, result.errors[:5]
            count = Assignment.objects.count()
            again = import_assignments(path)
            print(f"database: {connection.vendor}")
            print(f"import: {result.rows:,} rows ({result.created:,} created, {result.closed:,} closed, "
                  f"{result.customers_created:,} customers created) in {seconds:.1f}s = "
                  f"{result.rows / seconds:,.0f} prefixes/s (floor 120 s, goal 30 s)")
            print(f"re-import (idempotent): {again.unchanged:,} unchanged, {again.created} created in "
                  f"{again.seconds:.1f}s")
            print(f"assignments in table: {count:,}; peak RSS {peak_rss_mib():.0f} MiB")
        finally:
            drop_scratch(scratch)


if __name__ == "__main__":
    main()
