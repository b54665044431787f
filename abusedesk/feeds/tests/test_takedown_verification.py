"""Takedown verification end to end: a feed reports an IP, the customer resolves, the next run
still reports it (reopened, customer told), later runs do not (verified)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from abusedesk import sweep
from abusedesk.cases import services
from abusedesk.cases.models import Case, Message
from abusedesk.cases.states import State
from abusedesk.feeds import kpis
from abusedesk.feeds.models import TakedownCheck
from abusedesk.feeds.runner import run_feed
from abusedesk.intake.tests.feeds import scan_rdp
from abusedesk.outbox.models import OutgoingMail

from .feedserver import ShadowserverApi
from .test_shadowserver_api import shadowserver_feed

pytestmark = pytest.mark.django_db
IP = "198.51.100.10"
OTHER = "198.51.100.99"


def report(api, day: int, clock, ips):
    date = clock.now.strftime("%Y-%m-%d")
    api.add(f"day{day}", f"{date}-scan_rdp-nl-asn64496-{day}.csv", scan_rdp(2, ips, start=clock.now), date)


def resolve(case):
    customer = get_user_model().objects.get(username="customer-a")
    services.resolve(case, customer, Case.Resolution.CLEANED_SERVER, "closed RDP to the world")


def test_abuse_reported_again_after_resolved_reopens_the_case_and_silence_verifies_it(
        demo, feed_server, tmp_path, feed_settings, settings, clock):
    settings.VERIFY_DAYS = 3
    api = ShadowserverApi(feed_server, api_key="key-1", secret="s3cret")
    feed = shadowserver_feed(feed_server, tmp_path)

    # Day 1: the feed reports the IP; a case is opened and forwarded.
    report(api, 1, clock, [IP])
    run_feed(feed)
    case = Case.objects.get(ip=IP)
    sweep.run_sweep()
    case.refresh_from_db()
    assert case.state == State.FORWARDED

    # The customer says it is resolved.
    clock.advance(hours=2)
    resolve(case)
    check = TakedownCheck.objects.get(case=case)
    assert check.state == TakedownCheck.State.WATCHING

    # Day 2: the next run still reports it: reopened, in the timeline, the customer told.
    clock.advance(days=1)
    report(api, 2, clock, [IP])
    feed.refresh_from_db()
    run_feed(feed)
    sweep.run_sweep()
    case.refresh_from_db()
    check.refresh_from_db()
    assert case.state == State.FORWARDED and case.resolved_at is None
    assert check.state == TakedownCheck.State.CAME_BACK and check.came_back_count == 1 and not check.first_attempt
    message = Message.objects.filter(case=case, author_label="takedown verification").get()
    assert "reported again" in message.body and IP in message.body
    mail = OutgoingMail.objects.get(kind="came_back", case=case)
    assert "still there" in mail.subject and IP in mail.subject

    # Resolved again; the next days' reports no longer list it.
    clock.advance(hours=3)
    case.refresh_from_db()
    resolve(case)
    for day in range(3, 8):
        clock.advance(days=1)
        report(api, day, clock, [OTHER])
        feed.refresh_from_db()
        run_feed(feed)
        sweep.run_sweep()
    check.refresh_from_db()
    case.refresh_from_db()

    assert check.state == TakedownCheck.State.VERIFIED and check.resolutions == 2
    assert case.state == State.RESOLVED  # verified: staff may close it with confidence
    assert OutgoingMail.objects.filter(kind="came_back").count() == 1  # told once, not on every run


def test_a_late_report_observed_before_the_resolution_does_not_reopen_the_case(
        demo, feed_server, tmp_path, feed_settings, clock):
    api = ShadowserverApi(feed_server, api_key="key-1", secret="s3cret")
    feed = shadowserver_feed(feed_server, tmp_path)
    observed = clock.now
    report(api, 1, clock, [IP])
    run_feed(feed)
    sweep.run_sweep()
    case = Case.objects.get(ip=IP)
    clock.advance(hours=2)
    resolve(case)

    # A report of the same scan (observed before the resolution) arrives late.
    clock.advance(hours=1)
    date = observed.strftime("%Y-%m-%d")
    api.add("late", f"{date}-scan_rdp-nl-asn64496-late.csv", scan_rdp(2, [IP], start=observed + timedelta(
        minutes=5)), date)
    feed.refresh_from_db()
    run_feed(feed)
    sweep.run_sweep()
    case.refresh_from_db()

    assert case.state == State.RESOLVED
    assert TakedownCheck.objects.get(case=case).state == TakedownCheck.State.WATCHING


def test_a_check_is_not_verified_while_no_feed_covers_its_category(demo, feed_server, tmp_path, settings, clock):
    settings.VERIFY_DAYS = 1
    api = ShadowserverApi(feed_server, api_key="key-1", secret="s3cret")
    feed = shadowserver_feed(feed_server, tmp_path)
    report(api, 1, clock, [IP])
    run_feed(feed)
    sweep.run_sweep()
    case = Case.objects.get(ip=IP)
    resolve(case)
    feed.enabled = False
    feed.save()

    clock.advance(days=3)
    sweep.run_sweep()

    assert TakedownCheck.objects.get(case=case).state == TakedownCheck.State.WATCHING


def test_the_kpis_count_verified_share_and_recurrence_per_customer_and_category(
        demo, feed_server, tmp_path, feed_settings, settings, clock):
    settings.VERIFY_DAYS = 1
    api = ShadowserverApi(feed_server, api_key="key-1", secret="s3cret")
    feed = shadowserver_feed(feed_server, tmp_path)
    start = clock.now
    report(api, 1, clock, [IP, OTHER])
    run_feed(feed)
    sweep.run_sweep()
    for case in Case.objects.all():
        resolve(case)
    clock.advance(days=1)
    report(api, 2, clock, [IP])  # IP comes back, OTHER stays gone
    feed.refresh_from_db()
    run_feed(feed)
    clock.advance(days=2)
    report(api, 3, clock, ["198.51.100.77"])
    feed.refresh_from_db()
    run_feed(feed)
    sweep.run_sweep()

    share = kpis.verified_share(start, clock.now)
    rates = kpis.recurrence_rates(start, clock.now)

    assert share == {"resolved": 2, "verified": 1, "came_back": 1, "watching": 0, "verified_share": 0.5,
                     "first_attempt_share": 0.5}
    customer_a = Case.objects.get(ip=IP).customer
    assert rates == [{"customer_id": customer_a.pk, "customer": customer_a.name, "category": "vulnerable_service",
                      "resolved": 2, "came_back": 1, "recurrence_rate": 0.5}]


def test_the_desk_lists_a_case_that_came_back_and_shows_it_on_the_case(
        staff, feed_server, tmp_path, feed_settings, clock):
    from django.urls import reverse

    api = ShadowserverApi(feed_server, api_key="key-1", secret="s3cret")
    feed = shadowserver_feed(feed_server, tmp_path)
    report(api, 1, clock, [IP])
    run_feed(feed)
    sweep.run_sweep()
    case = Case.objects.get(ip=IP)
    resolve(case)
    clock.advance(days=1)
    report(api, 2, clock, [IP])
    feed.refresh_from_db()
    run_feed(feed)

    queue = staff.get(reverse("desk:queue", args=["came_back"])).content.decode()
    page = staff.get(reverse("desk:case", args=[case.pk])).content.decode()

    assert case.ref in queue
    assert "came back once" in page
