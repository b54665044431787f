"""Feed runs as Celery tasks: with a broker each due feed runs in a worker of
its own (a slow feed holds up no other); without one, in the sweep itself."""

import logging

from celery import shared_task

from abusedesk.lib.nudge import start

from .models import Feed
from .runner import Busy, due_feed_ids, run_feed

log = logging.getLogger(__name__)


@shared_task(name="abusedesk.feeds.run")
def run_feed_task(feed_id: int, trigger: str = "schedule") -> str:
    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None:
        return "gone"
    try:
        return run_feed(feed, trigger=trigger, due_only=trigger == "schedule").state
    except Busy:
        return "busy"


def run_due_feeds() -> int:
    started = 0
    for feed_id in due_feed_ids():
        try:
            # A nudge with a broker (lost if it is down: the feed is still due at the next sweep).
            start(run_feed_task, feed_id)
        except Exception:  # without a broker it ran here: one feed never stops the others
            log.exception("feed %s failed", feed_id)
            continue
        started += 1
    return started
