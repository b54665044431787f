"""Benchmark: a Shadowserver report of 1,000,000 rows fetched through the Reports API, end to end.

    python bench/bench_feeds.py [--rows N] [--small N] [--prefixes N] [--hosts N]

A loopback HTTP server plays the Shadowserver Reports API (signed
reports/list, then the download, served from a file on disk). A fresh
process runs the feed as `abusedesk feeds run` does: the report is streamed
to a temporary file, then into the raw store a piece at a time, and
processed by intake's streaming path (parse, match, group, forward). The
same is done first with a report of --small rows: the two peaks side by side
show that memory does not grow with the download. Printed: download size,
seconds, events/s, peak RSS of the run and the peak PSS of it and its second
process together.

Fresh SQLite database in a temporary directory (DATABASE_URL=postgres://...:
a scratch PostgreSQL database instead), --prefixes assignments imported first.
"""

import argparse
import hashlib
import hmac
import json
import resource
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

API_KEY, SECRET = "bench-key", "bench-secret"


class Api:
    """reports/list (signature checked) and /dl/<id> streamed from disk."""

    def __init__(self):
        self.files: dict[str, Path] = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                if self.headers.get("HMAC2") != expected:
                    self._send(json.dumps({"error": "Invalid HMAC2 signature"}).encode())
                    return
                page = json.loads(body).get("page", 1)
                listed = [] if page > 1 else [
                    {"id": rid, "file": path.name, "timestamp": "2026-11-21", "type": "scan_rdp"}
                    for rid, path in api.files.items()]
                self._send(json.dumps(listed).encode())

            def do_GET(self):
                path = api.files.get(self.path.rsplit("/", 1)[-1])
                if path is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(path.stat().st_size))
                self.end_headers()
                with open(path, "rb") as f:
                    shutil.copyfileobj(f, self.wfile, 2**20)

            def _send(self, data: bytes):
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def run_child(name: str) -> None:
    """A fresh process: `abusedesk feeds run NAME`, measured."""
    import django

    django.setup()
    from django.db import connection

    from abusedesk.feeds.models import Feed
    from abusedesk.feeds.runner import run_feed

    started = time.monotonic()
    run = run_feed(Feed.objects.get(name=name), trigger="command")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "vendor": connection.vendor, "state": run.state, "error": run.error, "seconds": time.monotonic() - started,
        "bytes": run.bytes, "events": run.events, "matched": run.matched, "cases_new": run.cases_new,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_peak_rss_mib": children.ru_maxrss / 1024,
    }))


def measure(api: Api, tmp: Path, label: str, rows: int, hosts: int, prefixes: int) -> dict:
    from bench_ingest import run_measured, write_report
    from django.db import connections

    from abusedesk.feeds import config

    report = tmp / f"2026-11-21-scan_rdp-nl-asn64496-{label}.csv"
    write_report(report, rows, hosts, prefixes)
    api.files.clear()
    api.files[label] = report
    secret = tmp / "secret"
    secret.write_text(SECRET)
    config.save_feed(f"bench-{label}", "shadowserver-api", f"http://127.0.0.1:{api.port}/api2/", {
        "api-key": API_KEY, "secret-file": str(secret), "download-url": f"http://127.0.0.1:{api.port}/dl/"}, 60)
    connections.close_all()
    code, out, err, peak_pss = run_measured([sys.executable, __file__, "--child", f"bench-{label}"])
    report.unlink()
    if code != 0:
        print(err[-3000:])
        raise SystemExit("feed run failed")
    result = json.loads(out.strip().splitlines()[-1])
    if result["state"] != "succeeded":
        raise SystemExit(f"feed run failed: {result['error']}")
    return {**result, "rows": rows, "peak_pss_mib": peak_pss}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="rows of the first, smaller report (0: none)")
    parser.add_argument("--prefixes", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=50_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return

    from bench_import import drop_scratch, prepared_database
    from bench_ingest import build_assignments, give_customers_contacts

    api = Api()
    with tempfile.TemporaryDirectory(prefix="abusedesk-bench-") as tmp:
        scratch, _reuse = prepared_database(tmp, None)
        try:
            build_assignments(Path(tmp), args.prefixes)
            give_customers_contacts()
            results = []
            for label, rows in (("small", args.small), ("big", args.rows)):
                if rows:
                    results.append(measure(api, Path(tmp), label, rows, args.hosts, args.prefixes))
        finally:
            drop_scratch(scratch)
    print(f"database: {results[0]['vendor']}; {args.prefixes:,} assignments")
    for r in results:
        print(f"{r['rows']:,} rows, {r['bytes'] / 1e6:.0f} MB downloaded: {r['seconds']:.1f}s end to end = "
              f"{r['events'] / r['seconds']:,.0f} events/s; events {r['events']:,}, matched {r['matched']:,}, "
              f"cases new {r['cases_new']:,}")
        print(f"  peak RSS of the run {r['peak_rss_mib']:.0f} MiB (its second process "
              f"{r['child_peak_rss_mib']:.0f} MiB); both together (PSS, sampled) {r['peak_pss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
