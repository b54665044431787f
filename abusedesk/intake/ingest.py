"""Run the full pipeline on files: raw store, parse, match, group, notify."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from abusedesk.lib import claims

from .models import RawMessage
from .processing import process_raw_message
from .store import store_raw

SUMMARY_KEYS = ("events", "matched", "unmatched", "masked", "duplicates", "cases_new", "cases_updated", "forwarded")


def ingest_file(path: Path, channel: str = RawMessage.Channel.FILE, progress=None) -> tuple[RawMessage, dict]:
    """Store and process one file; `progress(done, total)` is called per chunk of events.

    A file stored before whose processing did not finish (a crash, a kill) is
    resumed where it stopped: at once if the process holding it is gone from
    this host, else when its claim goes stale; until then the summary says who
    holds it (`held_elsewhere`, `message`)."""
    raw, created = store_raw(path.read_bytes(), channel, filename=path.name, enqueue=False)
    raw_id, state, holder, claimed_at = raw.pk, raw.state, raw.claimed_by, raw.claimed_at
    del raw  # the stored bytes: processing loads them once more, keep one copy only
    summary = None
    if created or state == RawMessage.State.NEW:
        summary = process_raw_message(raw_id, progress=progress)
    elif state == RawMessage.State.PROCESSING:
        dead = holder if claims.owner_alive(holder) is False else ""
        summary = process_raw_message(raw_id, progress=progress, take_over_from=dead)
        if summary is None:
            summary = {"held_elsewhere": 1, "message": held_message(raw_id, holder, claimed_at)}
    raw = RawMessage.objects.get(pk=raw_id)
    return raw, summary or {"already_ingested": 1}


def held_message(raw_id: int, holder: str, claimed_at) -> str:
    takeover = claimed_at + timedelta(seconds=settings.CLAIM_TIMEOUT) if claimed_at else None
    return (f"notice #{raw_id} is being processed by another process ({holder or 'unknown'}, last progress "
            f"{claimed_at:%Y-%m-%d %H:%M:%S} UTC); if that process is gone, it is taken over after "
            f"{takeover:%Y-%m-%d %H:%M:%S} UTC (by the worker's sweep or by running this command again)"
            if takeover else f"notice #{raw_id} is being processed by another process")


def ingest_files(paths, progress=None, chunk_progress=None) -> dict:
    """Ingest every file; returns the totals (events, matched, ..., seconds, events_per_second)."""
    totals: dict = Counter()
    started = time.monotonic()
    for path in paths:
        raw, summary = ingest_file(Path(path), progress=chunk_progress)
        totals["files"] += 1
        for key, value in summary.items():
            if isinstance(value, int | float) and key not in ("resumed_at",):
                totals[key] += value
        if summary.get("message"):
            totals.setdefault("messages", []).append(summary["message"])
        if raw.needs_staff:
            totals["to_staff_queue"] += 1
        if progress:
            progress(path, raw, summary)
    seconds = time.monotonic() - started
    totals["seconds"] = round(seconds, 3)
    totals["events_per_second"] = int(totals["events"] / seconds) if seconds > 0 else 0
    return dict(totals)
