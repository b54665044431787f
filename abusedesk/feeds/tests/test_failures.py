"""A feed that fails: retried with backoff, recorded, never blocking the others, nothing half-stored."""

import pytest

from abusedesk import sweep
from abusedesk.cases.models import Report
from abusedesk.feeds import config
from abusedesk.feeds.models import Feed, FeedRun
from abusedesk.feeds.runner import run_feed
from abusedesk.intake.models import RawMessage
from abusedesk.lib import clock as clock_module

from .feedserver import Reply, static
from .test_lists import DROP

pytestmark = pytest.mark.django_db


def drop_feed(feed_server, name="drop", path="/drop_v4.json", **options):
    return config.save_feed(name, "spamhaus-drop", feed_server.url(path), options, 60)[0]


def test_a_server_error_is_retried_with_backoff_and_the_run_succeeds(demo, feed_server, feed_settings):
    answers = [Reply(500, b"oops"), Reply(503, b"busy"), Reply(200, DROP)]
    feed_server.routes["/drop_v4.json"] = lambda handler, body: answers.pop(0)

    run = run_feed(drop_feed(feed_server))

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    assert feed_server.hits("/drop_v4.json") == 3
    assert Report.objects.exists()


def test_a_feed_that_keeps_failing_waits_longer_each_time_and_says_why(demo, feed_server, feed_settings, clock):
    feed_server.routes["/drop_v4.json"] = lambda handler, body: Reply(500, b"down")
    feed = drop_feed(feed_server)

    first = run_feed(feed)
    feed.refresh_from_db()
    first_wait = feed.next_run_at - clock.now
    second = run_feed(feed)
    feed.refresh_from_db()

    assert first.state == second.state == FeedRun.State.FAILED
    assert "HTTP 500" in first.error
    assert feed_server.hits("/drop_v4.json") == 2 * (1 + feed_settings.FEED_RETRIES)
    assert feed.failures == 2 and "HTTP 500" in feed.last_error
    assert feed.next_run_at - clock.now == 2 * first_wait


def test_a_failing_feed_does_not_stop_the_sweep_running_the_others(demo, feed_server, feed_settings):
    feed_server.routes["/broken.json"] = lambda handler, body: Reply(500, b"down")
    feed_server.routes["/drop_v4.json"] = static(DROP)
    broken = drop_feed(feed_server, "a-broken", "/broken.json")
    working = drop_feed(feed_server, "b-working")

    result = sweep.run_sweep()

    assert result["run_due_feeds"] == 2
    assert FeedRun.objects.get(feed=broken).state == FeedRun.State.FAILED
    assert FeedRun.objects.get(feed=working).state == FeedRun.State.SUCCEEDED
    assert Report.objects.exists()


def test_the_sweep_runs_a_feed_only_when_it_is_due(demo, feed_server, feed_settings, clock):
    feed_server.routes["/drop_v4.json"] = static(DROP, etag='"v1"')
    feed = drop_feed(feed_server)
    sweep.run_sweep()
    sweep.run_sweep()
    assert FeedRun.objects.filter(feed=feed).count() == 1

    clock.advance(minutes=61)
    sweep.run_sweep()

    assert FeedRun.objects.filter(feed=feed).count() == 2
    Feed.objects.filter(pk=feed.pk).update(enabled=False)
    clock.advance(minutes=61)
    sweep.run_sweep()
    assert FeedRun.objects.filter(feed=feed).count() == 2


def test_a_slow_server_times_out_and_the_run_fails_cleanly(demo, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = lambda handler, body: Reply(200, DROP, delay=1.5)
    feed = drop_feed(feed_server, timeout="0.3", retries="1")

    run = run_feed(feed)

    assert run.state == FeedRun.State.FAILED
    assert "no answer within 0.3 s" in run.error
    assert not RawMessage.objects.exists()


def test_a_truncated_download_stores_nothing_and_the_next_run_fetches_it_whole(demo, feed_server, feed_settings):
    replies = [Reply(200, DROP, truncate_at=40), Reply(200, DROP, truncate_at=40), Reply(200, DROP)]
    feed_server.routes["/drop_v4.json"] = lambda handler, body: replies.pop(0)
    feed = drop_feed(feed_server, retries="1")

    first = run_feed(feed)

    assert first.state == FeedRun.State.FAILED and "cut off after 40 of" in first.error
    assert not RawMessage.objects.exists()
    feed.refresh_from_db()
    assert run_feed(feed).state == FeedRun.State.SUCCEEDED
    assert RawMessage.objects.get().size == len(DROP)


def test_a_run_claimed_by_another_worker_is_not_run_twice(demo, feed_server, feed_settings):
    from abusedesk.feeds.runner import Busy

    feed = drop_feed(feed_server)
    Feed.objects.filter(pk=feed.pk).update(claimed_at=clock_module.now())

    with pytest.raises(Busy):
        run_feed(feed)
    assert not FeedRun.objects.exists()
