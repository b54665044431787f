"""Benchmark the Shadowserver parser on a generated 200,000-row scan report.

    python bench/bench_shadowserver.py [ROWS]

Prints rows/s for parse_report (all events in a list) and for iter_events
(streamed, nothing kept), each in a fresh child process so that peak RSS
(resource.getrusage, ru_maxrss) belongs to that one mode. The first line is
csv.reader alone on the same bytes: the ceiling for any csv-module parser on
this machine, and a yardstick when the machine is shared and timings drift.
"""

from __future__ import annotations

import csv
import gzip
import io
import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from abusedesk.parsers.base import ParseContext  # noqa: E402
from abusedesk.parsers.shadowserver import iter_events, parse_report  # noqa: E402

FILENAME = "2026-11-20-scan_http-nl-asn64496.csv"
HEADER = (
    "timestamp,severity,ip,protocol,port,hostname,tag,asn,geo,region,city,naics,hostname_source,sector,"
    "http,http_code,http_reason,content_type,connection,www_authenticate,set_cookie,server,content_length,"
    "transfer_encoding,http_date,version"
)


def make_report(rows: int) -> bytes:
    """A realistic scan_http report: quoted fields with commas, mixed IPv4
    ranges, one timestamp per second in time order."""
    out = io.StringIO()
    out.write(HEADER + "\r\n")
    nets = ("192.0.2", "198.51.100", "203.0.113")
    for i in range(rows):
        t = i * 86400 // rows
        ts = f"2026-11-20 {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        out.write(
            f'"{ts}",medium,{nets[i % 3]}.{i % 254 + 1},tcp,{(80, 8080, 443)[i % 3]},'
            f"host{i}.example.net,http,64496,NL,NOORD-HOLLAND,AMSTERDAM,518210,ptr,"
            f'"Communications, Service Provider, and Hosting Service",HTTP/1.1,200,OK,text/html,close,,,'
            f'nginx/1.18.0,612,,"Fri, 20 Nov 2026 {ts[11:]} GMT",\r\n'
        )
    return out.getvalue().encode()


def run(mode: str, data: bytes, rows: int, queue) -> None:
    ctx = ParseContext(max_bytes=1 << 30, max_events=10_000_000)
    start = time.perf_counter()
    if mode == "csv.reader only":
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
        n = sum(1 for _ in reader) - 1  # minus the header
    elif mode == "parse_report":
        n = len(parse_report(data, FILENAME, ctx).events)
    elif mode == "iter_events":
        info, events = iter_events(io.BytesIO(data), FILENAME, ctx)
        n = sum(1 for _ in events)
    else:  # iter_events over a gzipped stream
        info, events = iter_events(io.BytesIO(data), FILENAME + ".gz", ctx)
        n = sum(1 for _ in events)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((mode, n, elapsed, peak_kib))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    data = make_report(rows)
    gz = gzip.compress(data, compresslevel=6)
    print(f"report: {rows:,} rows, {len(data) / 1e6:.1f} MB csv, {len(gz) / 1e6:.1f} MB gzipped")
    ctx = multiprocessing.get_context("fork")
    modes = (("csv.reader only", data), ("parse_report", data), ("iter_events", data), ("iter_events_gzip", gz))
    for mode, payload in modes:
        queue = ctx.Queue()
        proc = ctx.Process(target=run, args=(mode, payload, rows, queue))
        proc.start()
        name, n, elapsed, peak_kib = queue.get()
        proc.join()
        assert n == rows, (name, n)
        print(f"{name:18s} {n / elapsed:>10,.0f} rows/s  {elapsed:6.2f} s  peak RSS {peak_kib / 1024:7.1f} MiB")
    print("(peak RSS includes the interpreter and the report bytes the parent generated, "
          f"about {len(data) / 2**20:.0f} MiB shared by fork)")


if __name__ == "__main__":
    main()
