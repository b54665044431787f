"""Shadowserver Reports API: signed list requests, pages, each report downloaded once."""

import pytest

from abusedesk.cases.models import Case, Report
from abusedesk.feeds import config
from abusedesk.feeds.models import FeedItem, FeedRun
from abusedesk.feeds.runner import run_feed
from abusedesk.intake.models import RawMessage
from abusedesk.intake.tests.feeds import scan_rdp
from abusedesk.outbox.models import OutgoingMail

from .feedserver import ShadowserverApi

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(feed_server):
    api = ShadowserverApi(feed_server, api_key="key-1", secret="s3cret")
    api.add("r1", "2026-11-21-scan_rdp-nl-asn64496.csv", scan_rdp(4, ["198.51.100.10", "198.51.100.140"]))
    api.add("r2", "2026-11-21-scan_rdp-nl-asn64496-b.csv", scan_rdp(3, ["203.0.113.5"]))
    api.add("r3", "2026-11-22-scan_rdp-nl-asn64496.csv", scan_rdp(2, ["198.51.100.11"]))
    return api


def shadowserver_feed(feed_server, tmp_path, secret="s3cret", **options):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    feed, _ = config.save_feed("shadowserver", "shadowserver-api", feed_server.url("/api2/"), {
        "api-key": "key-1", "secret-file": str(secret_file), "download-url": feed_server.url("/dl/"),
        "limit": "2", **options}, 60)
    return feed


def test_a_run_lists_every_page_and_sends_each_report_through_the_pipeline(demo, api, feed_server, tmp_path,
                                                                            feed_settings):
    feed = shadowserver_feed(feed_server, tmp_path)

    run = run_feed(feed)

    assert run.state == FeedRun.State.SUCCEEDED, run.error
    assert feed_server.hits("/api2/reports/list") == 2  # three reports, two a page
    assert run.items == 3 and run.events == 9
    raws = RawMessage.objects.filter(channel=RawMessage.Channel.FEED)
    assert raws.count() == 3 and {r.format for r in raws} == {"shadowserver"}
    assert set(Case.objects.values_list("target", flat=True)) == {
        "198.51.100.10", "198.51.100.140", "203.0.113.5", "198.51.100.11"}
    assert api.bad_signatures == 0


def test_a_second_run_downloads_nothing_again_and_duplicates_nothing(demo, api, feed_server, tmp_path,
                                                                     feed_settings):
    feed = shadowserver_feed(feed_server, tmp_path)
    run_feed(feed)
    counts = (Report.objects.count(), Case.objects.count(), OutgoingMail.objects.count())

    feed.refresh_from_db()
    second = run_feed(feed)

    assert second.state == FeedRun.State.SUCCEEDED and second.items == 0
    assert feed_server.hits("/dl/r1") == 1 and feed_server.hits("/dl/r3") == 1
    assert (Report.objects.count(), Case.objects.count(), OutgoingMail.objects.count()) == counts
    assert FeedItem.objects.filter(feed=feed).count() == 3


def test_a_new_report_on_the_list_is_the_only_one_downloaded(demo, api, feed_server, tmp_path, feed_settings):
    feed = shadowserver_feed(feed_server, tmp_path)
    run_feed(feed)
    api.add("r4", "2026-11-22-scan_rdp-nl-asn64496-c.csv", scan_rdp(1, ["198.51.100.12"]), "2026-11-22")

    feed.refresh_from_db()
    run = run_feed(feed)

    assert run.items == 1 and feed_server.hits("/dl/r4") == 1 and feed_server.hits("/dl/r2") == 1
    assert Case.objects.filter(target="198.51.100.12").exists()


def test_a_wrong_secret_fails_the_run_with_the_apis_answer_and_never_shows_the_secret(
        demo, api, feed_server, tmp_path, feed_settings):
    feed = shadowserver_feed(feed_server, tmp_path, secret="wrong-secret")

    run = run_feed(feed)

    assert run.state == FeedRun.State.FAILED
    assert "Invalid HMAC2 signature" in run.error
    assert "wrong-secret" not in run.error
    feed.refresh_from_db()
    assert feed.failures == 1 and feed.last_error == run.error
    assert RawMessage.objects.count() == 0


def test_the_signature_covers_the_exact_body_sent(demo, api, feed_server, tmp_path, feed_settings):
    import hashlib
    import hmac

    run_feed(shadowserver_feed(feed_server, tmp_path))

    for _method, path, headers, body in feed_server.requests:
        if path == "/api2/reports/list":
            headers = {k.lower(): v for k, v in headers.items()}
            assert headers["hmac2"] == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
            assert b"s3cret" not in body
