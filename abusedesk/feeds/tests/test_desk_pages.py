"""The desk's feed pages: staff add, edit, enable and run a feed and see its runs; nobody else sees them."""

import pytest
from django.urls import reverse

from abusedesk.feeds.models import Feed, FeedRun

from .feedserver import static
from .test_lists import DROP

pytestmark = pytest.mark.django_db


def test_staff_add_a_feed_run_it_now_and_see_the_run(staff, feed_server, feed_settings):
    feed_server.routes["/drop_v4.json"] = static(DROP)

    response = staff.post(reverse("feeds:feed-new"), {
        "name": "drop", "kind": "spamhaus-drop", "url": feed_server.url("/drop_v4.json"),
        "options": "asns=AS64496\n", "interval_minutes": 120, "enabled": "on"})
    feed = Feed.objects.get()
    assert response.status_code == 302 and feed.interval_minutes == 120 and feed.options == {"asns": "AS64496"}

    staff.post(reverse("feeds:feed-run", args=[feed.pk]))
    page = staff.get(reverse("feeds:feed", args=[feed.pk])).content.decode()

    run = FeedRun.objects.get()
    assert run.trigger == "manual" and run.state == FeedRun.State.SUCCEEDED
    assert "Succeeded" in page or "succeeded" in page
    assert "drop" in staff.get(reverse("feeds:feeds")).content.decode()


def test_staff_disable_and_edit_a_feed(staff, feed_server):
    staff.post(reverse("feeds:feed-new"), {"name": "list", "kind": "url-list", "url": "https://lists.example/feed.txt",
                                           "interval_minutes": 60, "enabled": "on"})
    feed = Feed.objects.get()

    staff.post(reverse("feeds:feed-enable", args=[feed.pk]), {"enabled": "0"})
    staff.post(reverse("feeds:feed", args=[feed.pk]), {"name": "list", "kind": "url-list",
                                                       "url": "https://lists.example/other.txt",
                                                       "options": "category=malware", "interval_minutes": 30})
    feed.refresh_from_db()

    assert not feed.enabled
    assert feed.url == "https://lists.example/other.txt" and feed.options == {"category": "malware"}


def test_a_secret_typed_into_the_form_is_refused_and_never_stored(staff):
    response = staff.post(reverse("feeds:feed-new"), {
        "name": "x", "kind": "urlhaus", "url": "https://urlhaus.example/", "options": "secret=hunter2",
        "interval_minutes": 60})

    assert response.status_code == 200 and "a secret never goes" in response.content.decode()
    assert not Feed.objects.exists()


def test_customers_do_not_see_the_feed_pages(alice):
    assert alice.get(reverse("feeds:feeds")).status_code == 404
    assert alice.get(reverse("feeds:feed-new")).status_code == 404


def test_the_feed_list_costs_the_same_queries_however_many_feeds_and_runs(staff, django_assert_max_num_queries):
    from abusedesk.feeds import config
    from abusedesk.lib import clock

    for i in range(5):
        feed, _ = config.save_feed(f"list-{i}", "url-list", f"https://lists.example/{i}.txt", {}, 60)
        FeedRun.objects.bulk_create([FeedRun(feed=feed, started_at=clock.now(), state=FeedRun.State.SUCCEEDED)
                                     for _ in range(20)])

    with django_assert_max_num_queries(8):
        page = staff.get(reverse("feeds:feeds")).content.decode()
    assert "list-4" in page
