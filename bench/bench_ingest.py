"""Benchmark: a 200,000-row Shadowserver report ingested end to end against 1,000,000 assignments.

    python bench/bench_ingest.py [--rows N] [--prefixes N] [--hosts N] [--prebuilt FILE]

Fresh SQLite database in a temporary directory (DATABASE_URL=postgres://...:
a scratch PostgreSQL database instead). The assignments are imported first
(not timed here, see bench_import.py) and the prefix index is built and
saved, as `abusedesk assignments import` does; then a separate process
ingests the report, cold: it loads the prefix index, stores the raw report,
parses, matches, groups into cases and queues the forward mails. Printed:
events/s end to end, the same without the index, and that process's peak RSS.

Importing the assignments takes half a minute: with `--prebuilt FILE`
(SQLite only) the database is copied from FILE when it exists, and saved to
FILE after the import when it does not.

The generated report cycles through --hosts distinct addresses of ours (10%
of the rows are addresses that are not ours); each host is one case.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

HEADER = ('"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","sic",'
          '"sector","rdp_protocol","cert_length","subject_common_name","issuer_common_name"\n')


def write_report(path: Path, rows: int, hosts: int, prefixes: int) -> None:
    """Rows over `hosts` addresses inside the generated /26 assignments, 10% foreign addresses."""
    v4_prefixes = prefixes - prefixes // 10
    start = datetime(2026, 11, 21, tzinfo=UTC)
    with open(path, "w") as f:
        f.write(HEADER)
        for i in range(rows):
            ts = (start + timedelta(seconds=i % 86400)).strftime("%Y-%m-%d %H:%M:%S")
            if i % 10 == 9:
                ip = f"192.0.{(i >> 8) & 255}.{i & 255}"  # not ours
            else:
                h = (i * 7919) % hosts
                a = (11 << 24) + (h % v4_prefixes) * 64 + 1 + (h // v4_prefixes) % 60
                ip = f"{a >> 24 & 255}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}"
            f.write(f'"{ts}","{ip}","tcp",3389,"host-{i}.example","rdp",64496,"NL","NOORD-HOLLAND",'
                    f'"AMSTERDAM",518210,,"Communications, Service Provider, and Hosting Service","RDP",2048,'
                    f'"host-{i}","host-{i}"\n')


def build_assignments(tmp: Path, prefixes: int):
    from bench_import import write_assignments

    from abusedesk.network import index
    from abusedesk.network.importer import import_assignments

    assignments = tmp / "assignments.csv"
    write_assignments(assignments, prefixes)
    result = import_assignments(assignments)
    index.current()  # as `abusedesk assignments import` does: built and saved for the ingest
    return result


def give_customers_contacts() -> None:
    """Customers created by the import have no contact yet; real ones do (forward mails).
    Done on a --prebuilt copy too: bench_index.py may have made the file."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from abusedesk.network.models import Customer

    Customer.objects.filter(abuse_email="").update(abuse_email=Concat(Value("abuse@"), "reference", Value(".example")))


def ingest_child(path: str) -> None:
    """Runs in a fresh process: what `abusedesk ingest FILE` does, measured."""
    import django

    django.setup()
    from django.db import connection

    from abusedesk.intake.ingest import ingest_files
    from abusedesk.network import index

    started = time.monotonic()
    totals = ingest_files([path])
    seconds = time.monotonic() - started
    built = index._current.built_in if index._current else 0.0
    how = {"loaded": "loaded from its snapshot", "built": "built, and saved"}.get(getattr(index._current, "how", ""), "-")
    from abusedesk.cases.models import Case
    from abusedesk.outbox.models import OutgoingMail

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "vendor": connection.vendor, "seconds": seconds, "index_seconds": built, "totals": totals,
        "cases": Case.objects.count(), "mails": OutgoingMail.objects.count(),
        "cpu_seconds": time.process_time(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # The feed's second process (intake/prepare.py), if it ran: waited for, so counted here.
        "child_cpu_seconds": children.ru_utime + children.ru_stime,
        "child_peak_rss_mib": children.ru_maxrss / 1024,
        "index_size": len(index._current) if index._current else 0, "index_how": how,
    }))


def _pss_mib(pid: int) -> float:
    """Proportional set size of a process and its children: shared pages counted once in all."""
    total = 0.0
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
        for p in pids:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        pass  # a process ended between two reads
    return total / 1024


def run_measured(command: list[str]) -> tuple[int, str, str, float]:
    """Run `command`; returns (exit code, stdout, stderr, peak PSS in MiB sampled every 0.1 s)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=dict(os.environ), stdout=out, stderr=err, text=True)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, _pss_mib(process.pid))
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        return process.returncode, out.read(), err.read(), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--prefixes", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=50_000, help="distinct addresses of ours in the report")
    parser.add_argument("--prebuilt", type=Path, help="SQLite database with the assignments imported (reused)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            cProfile.runctx("ingest_child(args.child)", globals(), locals(), os.environ["BENCH_PROFILE"])
        else:
            ingest_child(args.child)
        return

    from bench_import import drop_scratch, prepared_database, save_database

    with tempfile.TemporaryDirectory(prefix="abusedesk-bench-") as tmp:
        scratch, reuse = prepared_database(tmp, args.prebuilt)
        try:
            started = time.monotonic()
            imported = import_seconds = None
            if not reuse:
                imported = build_assignments(Path(tmp), args.prefixes)
                import_seconds = time.monotonic() - started
                if args.prebuilt:
                    save_database(args.prebuilt)
            give_customers_contacts()
            # As after `abusedesk assignments import`, which exits: the ingest
            # finds the database at rest (SQLite: checkpointed, no WAL left).
            from django.db import connections

            connections.close_all()
            report = Path(tmp) / "2026-11-21-scan_rdp-nl-asn64496.csv"
            write_report(report, args.rows, args.hosts, args.prefixes)
            size = report.stat().st_size
            returncode, stdout, stderr, peak_pss = run_measured([sys.executable, __file__, "--child", str(report)])
            if returncode != 0:
                print(stderr[-3000:])
                raise SystemExit("ingest failed")
            r = json.loads(stdout.strip().splitlines()[-1])
        finally:
            drop_scratch(scratch)
    t = r["totals"]
    print(f"database: {r['vendor']}")
    if imported is None:
        print(f"assignments: copied from {args.prebuilt.name}")
    else:
        print(f"assignments: {imported.created:,} imported in {import_seconds:.1f}s (setup, not part of the ingest)")
    print(f"report: {args.rows:,} rows, {size / 1e6:.1f} MB, {args.hosts:,} distinct hosts of ours")
    print(f"ingest (cold process, end to end): {r['seconds']:.1f}s = {t['events'] / r['seconds']:,.0f} events/s "
          f"(floor 16,000, goal 100,000)")
    print(f"  of which the prefix index ({r['index_size']:,} assignments, {r['index_how']}): "
          f"{r['index_seconds']:.1f}s; with a warm index: {t['events'] / (r['seconds'] - r['index_seconds']):,.0f} "
          f"events/s")
    to_cases = t.get("seconds_to_cases", 0)
    forwarding = t["seconds"] - to_cases
    print(f"  stored, parsed, matched and grouped into cases in {to_cases:.1f}s = "
          f"{t['events'] / to_cases:,.0f} events/s; then {t['forwarded']:,} cases forwarded (digests: one mail per customer) "
          f"in {forwarding:.1f}s = {t['forwarded'] / forwarding:,.0f} cases/s" if to_cases and forwarding > 0 else "")
    if t.get("cpu_seconds_to_cases"):
        print(f"  CPU time of the ingest process (the machine may be shared): to cases "
              f"{t['cpu_seconds_to_cases']:.1f}s = {t['events'] / t['cpu_seconds_to_cases']:,.0f} events per CPU second; "
              f"whole process {r['cpu_seconds']:.1f}s")
    print(f"  events {t['events']:,}, matched {t['matched']:,}, unmatched {t['unmatched']:,}, "
          f"duplicates {t.get('duplicates', 0):,}, cases new {t['cases_new']:,} (in db {r['cases']:,}), "
          f"mails queued {r['mails']:,}")
    print(f"  peak RSS of the ingest process: {r['peak_rss_mib']:.0f} MiB (limit 500 MiB)")
    if r["child_cpu_seconds"]:
        print(f"  its second process (parses and matches the feed): CPU {r['child_cpu_seconds']:.1f}s, "
              f"peak RSS {r['child_peak_rss_mib']:.0f} MiB, most of it the prefix index it shares")
        print(f"  both processes together, memory not counted twice (sum of PSS, sampled): "
              f"peak {peak_pss:.0f} MiB")


if __name__ == "__main__":
    main()
