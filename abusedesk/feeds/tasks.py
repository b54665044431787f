"""Feed runs as Celery tasks: with a broker each due feed runs in a worker of
its own (a slow feed holds up no other); without one, in the sweep itself."""

import logging

from celery import shared_task
from django.conf import settings

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
        if settings.CELERY_BROKER_URL:
            try:
                run_feed_task.delay(feed_id)
            except Exception:  # broker down: the next sweep tries again, nothing is lost
                log.warning("could not reach the broker for feed %s", feed_id)
                continue
        else:
            try:
                run_feed_task(feed_id)
            except Exception:  # one feed never stops the others
                log.exception("feed %s failed", feed_id)
                continue
        started += 1
    return started
