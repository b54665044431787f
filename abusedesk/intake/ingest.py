"""Run the full pipeline on files: raw store, parse, match, group, notify."""

import time
from collections import Counter
from pathlib import Path

from .models import RawMessage
from .processing import process_raw_message
from .store import store_raw

SUMMARY_KEYS = ("events", "matched", "unmatched", "duplicates", "cases_new", "cases_updated")


def ingest_file(path: Path, channel: str = RawMessage.Channel.FILE) -> tuple[RawMessage, dict]:
    raw, created = store_raw(path.read_bytes(), channel, filename=path.name, enqueue=False)
    summary = process_raw_message(raw.pk) if created else None
    raw.refresh_from_db()
    return raw, summary or {"already_ingested": 1}


def ingest_files(paths, progress=None) -> dict:
    totals: Counter = Counter()
    started = time.monotonic()
    for path in paths:
        raw, summary = ingest_file(Path(path))
        totals["files"] += 1
        for key, value in summary.items():
            if isinstance(value, int):
                totals[key] += value
        if raw.needs_staff:
            totals["to_staff_queue"] += 1
        if progress:
            progress(path, raw, summary)
    totals["seconds"] = round(time.monotonic() - started, 3)
    return dict(totals)
