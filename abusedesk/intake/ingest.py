"""Run the full pipeline on files: raw store, parse, match, group, notify."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from .models import RawMessage
from .processing import process_raw_message
from .store import store_raw

SUMMARY_KEYS = ("events", "matched", "unmatched", "masked", "duplicates", "cases_new", "cases_updated", "forwarded")


def ingest_file(path: Path, channel: str = RawMessage.Channel.FILE, progress=None) -> tuple[RawMessage, dict]:
    """Store and process one file; `progress(done, total)` is called per chunk of events."""
    raw, created = store_raw(path.read_bytes(), channel, filename=path.name, enqueue=False)
    raw_id = raw.pk
    del raw  # the stored bytes: processing loads them once more, keep one copy only
    summary = process_raw_message(raw_id, progress=progress) if created else None
    raw = RawMessage.objects.get(pk=raw_id)
    return raw, summary or {"already_ingested": 1}


def ingest_files(paths, progress=None, chunk_progress=None) -> dict:
    """Ingest every file; returns the totals (events, matched, ..., seconds, events_per_second)."""
    totals: Counter = Counter()
    started = time.monotonic()
    for path in paths:
        raw, summary = ingest_file(Path(path), progress=chunk_progress)
        totals["files"] += 1
        for key, value in summary.items():
            if isinstance(value, int | float) and key not in ("resumed_at",):
                totals[key] += value
        if raw.needs_staff:
            totals["to_staff_queue"] += 1
        if progress:
            progress(path, raw, summary)
    seconds = time.monotonic() - started
    totals["seconds"] = round(seconds, 3)
    totals["events_per_second"] = int(totals["events"] / seconds) if seconds > 0 else 0
    return dict(totals)
