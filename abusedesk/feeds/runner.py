"""Run a feed: claim it, collect, store and process each download, record the run.

The feed row is the job (the database is the queue of record): a run claims
it with a conditional UPDATE, so two workers never run one feed at once, and
a claim older than the claim timeout (a crashed worker) is taken over. The
periodic sweep runs the feeds that are due, each on its own: one failing feed
never stops the others, it only waits longer before its next try.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from abusedesk.lib import clock

from .collectors import Collected, collect
from .http import Client, FetchError
from .models import Feed, FeedRun
from .pipeline import store_and_process
from .secrets import MissingSecret

log = logging.getLogger(__name__)


class Busy(Exception):
    """Another worker is running this feed."""


def claim_feed(feed_id: int, *, due_only: bool) -> Feed | None:
    now = clock.now()
    stale = now - timedelta(seconds=max(settings.CLAIM_TIMEOUT, settings.FEED_RUN_TIMEOUT))
    rows = Feed.objects.filter(pk=feed_id).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
    if due_only:
        rows = rows.filter(enabled=True).filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
    if not rows.update(claimed_at=now):
        return None
    return Feed.objects.get(pk=feed_id)


def client_for(feed: Feed, progress=None) -> Client:
    options = feed.options
    return Client(
        timeout=_number(options.get("timeout"), settings.FEED_TIMEOUT),
        retries=int(_number(options.get("retries"), settings.FEED_RETRIES)),
        backoff=_number(options.get("backoff"), settings.FEED_BACKOFF),
        max_bytes=settings.FEED_MAX_BYTES,
        progress=progress,
    )


def _number(value, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else float(default)
    except (TypeError, ValueError):
        return float(default)


def run_feed(feed: Feed, *, trigger: str = "schedule", due_only: bool = False, on_bytes=None,
             on_events=None) -> FeedRun:
    """One run of `feed`, claimed first; raises Busy if another worker has it.

    `on_bytes(done, total)` follows each download, `on_events(done, total)`
    the processing of each stored notice (the command's progress bar)."""
    claimed = claim_feed(feed.pk, due_only=due_only)
    if claimed is None:
        raise Busy(f"feed {feed.name} is being run by another worker")
    feed = claimed
    run = FeedRun.objects.create(feed=feed, started_at=clock.now(), trigger=trigger)
    collected = Collected()
    try:
        for download in collect(feed, client_for(feed, on_bytes), collected):
            response = download.response
            try:
                stored = store_and_process(feed, run, download.key, response.file, download.filename,
                                           progress=on_events)
            finally:
                response.close()
            run.items += 1
            run.bytes += response.size
            summary = stored.summary
            run.events += summary.get("events", 0)
            run.matched += summary.get("matched", 0)
            run.cases_new += summary.get("cases_new", 0)
            run.cases_updated += summary.get("cases_updated", 0)
            run.save(update_fields=["items", "bytes", "events", "matched", "cases_new", "cases_updated"])
    except (FetchError, MissingSecret) as exc:
        return _finish(feed, run, error=str(exc))
    except Exception as exc:  # a bug or a database error: this feed fails, the others run
        log.exception("feed %s failed", feed.name)
        return _finish(feed, run, error=f"internal error: {type(exc).__name__}: {exc}")
    feed.etag, feed.last_modified = collected.etag, collected.last_modified
    feed.cursor = collected.cursor or feed.cursor
    return _finish(feed, run, not_modified=collected.not_modified and not run.items)


def _finish(feed: Feed, run: FeedRun, *, error: str = "", not_modified: bool = False) -> FeedRun:
    now = clock.now()
    run.finished_at = now
    if error:
        run.state = FeedRun.State.FAILED
        run.error = error[:500]
        feed.failures += 1
        feed.last_error = run.error
        log.warning("feed %s run %s failed: %s", feed.name, run.pk, run.error)
    else:
        run.state = FeedRun.State.NOT_MODIFIED if not_modified else FeedRun.State.SUCCEEDED
        feed.failures = 0
        feed.last_error = ""
        feed.last_success_at = now
    run.save()
    feed.schedule_next(ok=not error)
    feed.claimed_at = None
    feed.save(update_fields=["etag", "last_modified", "cursor", "next_run_at", "claimed_at", "failures",
                             "last_success_at", "last_error"])
    return run


def due_feed_ids() -> list[int]:
    now = clock.now()
    return list(Feed.objects.filter(enabled=True).filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
                .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(
                    seconds=max(settings.CLAIM_TIMEOUT, settings.FEED_RUN_TIMEOUT))))
                .order_by("next_run_at").values_list("id", flat=True))
