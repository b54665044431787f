"""Benchmark: building the in-memory prefix index (network/index.py) of 1,000,000 assignments, and look-ups in it.

    python bench/bench_index.py [--prefixes N] [--prebuilt FILE] [--runs N] [--lookups N]

The assignments are imported first into a fresh SQLite database in a
temporary directory (DATABASE_URL=postgres://...: a scratch PostgreSQL
database), as bench_import.py does; that is not timed. With `--prebuilt FILE`
(SQLite only) the database is copied from FILE when it exists, and saved to
FILE after the import when it does not (the same file bench_ingest.py uses).

Each run is a fresh process that builds the index cold from the assignments
table; then one builds it and saves its snapshot, and as many runs load it
from that snapshot (what a worker started after `abusedesk assignments
import` does). Printed: build
and load time and CPU time of every run, peak RSS of the building process
(and what it had before the build), and look-ups per
second with `lookup_slot` (epoch seconds) and `lookup` (a datetime) for a
mix of addresses: 80% IPv4 of ours, 10% IPv6 of ours, 10% not ours; half of
them at a time when every 20th prefix had its earlier holder.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

NOW = datetime(2025, 6, 1, tzinfo=UTC)
BEFORE = datetime(2022, 6, 1, tzinfo=UTC)  # before the 2023 changes of hands in bench_import's data


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def addresses(n: int, prefixes: int) -> list[str]:
    """Addresses in and out of bench_import's generated prefixes (IPv4 /26 from 11.0.0.0, IPv6 /48 in 2a00::/16)."""
    rnd = random.Random(1)
    v4_prefixes = prefixes - prefixes // 10
    v6_prefixes = max(prefixes - v4_prefixes - (v4_prefixes + 19) // 20, 1)  # every 20th IPv4 prefix has two rows
    out = []
    for i in range(n):
        if i % 10 == 8:
            j = rnd.randrange(v6_prefixes)
            out.append(f"2a00:{j >> 16:x}:{j & 0xffff:x}::{rnd.randrange(1, 65535):x}")
        elif i % 10 == 9:
            out.append(f"192.0.{rnd.randrange(256)}.{rnd.randrange(256)}")  # not ours
        else:
            a = (11 << 24) + rnd.randrange(v4_prefixes) * 64 + rnd.randrange(64)
            out.append(f"{a >> 24 & 255}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}")
    return out


def child(prefixes: int, lookups: int, mode: str) -> None:
    """Runs in a fresh process: build the index (mode "build"; "save": and save its
    snapshot) or load it ("load"), then look addresses up."""
    import django

    django.setup()
    from django.db import connection

    from abusedesk.network.index import PrefixIndex

    before = peak_rss_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "load":
        index = PrefixIndex.build()
    else:
        index = PrefixIndex.build(from_table=True, snapshot=mode == "save")
    build_seconds, build_cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    built_rss = peak_rss_mib()

    ips = addresses(lookups, prefixes)
    epochs = [int(NOW.timestamp()), int(BEFORE.timestamp())]
    datetimes = [NOW, BEFORE]
    slot_seconds = lookup_seconds = float("inf")
    for _ in range(3):  # the best of three: the machine may be shared
        started = time.perf_counter()
        hits = sum(index.lookup_slot(ip, epochs[i & 1]) >= 0 for i, ip in enumerate(ips))
        slot_seconds = min(slot_seconds, time.perf_counter() - started)
        started = time.perf_counter()
        for i, ip in enumerate(ips):
            index.lookup(ip, datetimes[i & 1])
        lookup_seconds = min(lookup_seconds, time.perf_counter() - started)
    print(json.dumps({
        "vendor": connection.vendor, "size": len(index), "build_seconds": build_seconds,
        "build_cpu_seconds": build_cpu_seconds,
        "rss_before_mib": before, "peak_rss_mib": built_rss, "hits": hits,
        "lookup_slot_per_s": len(ips) / slot_seconds, "lookup_per_s": len(ips) / lookup_seconds,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prefixes", type=int, default=1_000_000)
    parser.add_argument("--prebuilt", type=Path, help="SQLite database with the assignments imported (reused)")
    parser.add_argument("--runs", type=int, default=3, help="cold builds, each in its own process")
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.prefixes, args.lookups, args.mode)
        return

    from bench_import import drop_scratch, prepared_database, save_database, write_assignments

    with tempfile.TemporaryDirectory(prefix="abusedesk-bench-") as tmp:
        scratch, reuse = prepared_database(tmp, args.prebuilt)
        try:
            import_seconds = None
            if not reuse:
                from abusedesk.network.importer import import_assignments

                path = Path(tmp) / "assignments.csv"
                write_assignments(path, args.prefixes)
                started = time.monotonic()
                import_assignments(path)
                import_seconds = time.monotonic() - started
                if args.prebuilt:
                    save_database(args.prebuilt)
            from django.db import connections

            connections.close_all()  # the runs' processes have the database to themselves
            results = {"build": [], "save": [], "load": []}
            for mode in ["build"] * args.runs + ["save"] + ["load"] * args.runs:
                out = subprocess.run([sys.executable, __file__, "--child", "--prefixes", str(args.prefixes),
                                      "--lookups", str(args.lookups), "--mode", mode],
                                     env=dict(os.environ), capture_output=True, text=True, check=False)
                if out.returncode != 0:
                    print(out.stderr[-3000:])
                    raise SystemExit("index build failed")
                results[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
            runs, (saved,), loads = results["build"], results["save"], results["load"]
        finally:
            drop_scratch(scratch)

    r = runs[0]
    builds = [run["build_seconds"] for run in runs]
    print(f"database: {r['vendor']}")
    if import_seconds is None:
        print(f"assignments: {r['size']:,}, copied from {args.prebuilt.name}")
    else:
        print(f"assignments: {r['size']:,}, imported in {import_seconds:.1f}s (setup, not timed below)")
    print(f"index build, cold process: best {min(builds):.2f}s, median {statistics.median(builds):.2f}s "
          f"(runs: {', '.join(f'{s:.2f}' for s in builds)}; goal under 2 s for 1,000,000)")
    cpu = [run["build_cpu_seconds"] for run in runs]
    print(f"  CPU time of the building process (the database server's is not in it on PostgreSQL): "
          f"best {min(cpu):.2f}s, median {statistics.median(cpu):.2f}s")
    print(f"peak RSS of the building process: {max(run['peak_rss_mib'] for run in runs):.0f} MiB "
          f"({r['rss_before_mib']:.0f} MiB before the build)")
    print(f"build and save its snapshot (what `assignments import` ends with): {saved['build_seconds']:.2f}s, "
          f"peak RSS {saved['peak_rss_mib']:.0f} MiB")
    loaded = [run["build_seconds"] for run in loads]
    print(f"index loaded from its snapshot, cold process: best {min(loaded):.2f}s, median "
          f"{statistics.median(loaded):.2f}s (runs: {', '.join(f'{s:.2f}' for s in loaded)}); peak RSS "
          f"{max(run['peak_rss_mib'] for run in loads):.0f} MiB")
    slot = max(run["lookup_slot_per_s"] for run in runs)
    lookup = max(run["lookup_per_s"] for run in runs)
    print(f"look-ups ({args.lookups:,} addresses, {r['hits']:,} held): {slot:,.0f}/s lookup_slot, "
          f"{lookup:,.0f}/s lookup (best of three, best run)")


if __name__ == "__main__":
    main()
