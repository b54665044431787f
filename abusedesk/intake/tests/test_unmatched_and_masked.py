"""Notices without an IP of ours: staff queue with the reason, and one automatic reply at most."""

import pytest

from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.intake.processing import process_raw_message
from abusedesk.intake.store import store_raw
from abusedesk.outbox.models import OutgoingMail


def mail(body: str, sender: str = "jane@victim.example", headers: str = "", subject: str = "Abuse") -> bytes:
    return (f"From: Jane <{sender}>\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Message-ID: <{abs(hash(body + sender + headers))}@victim.example>\n{headers}\n{body}\n").encode()


def receive(content: bytes, **kwargs) -> RawMessage:
    raw, created = store_raw(content, RawMessage.Channel.SMTP, envelope_from=kwargs.pop("envelope_from", ""),
                             enqueue=False, **kwargs)
    assert created
    process_raw_message(raw.pk)
    raw.refresh_from_db()
    return raw


def replies():
    return list(OutgoingMail.objects.filter(kind__startswith="autoreply").order_by("id"))


def test_a_url_whose_domain_resolves_to_us_is_matched_by_dns(demo, dns_server):
    raw = receive(mail("Phishing page at http://phish.customer-a.test/login please remove it."))
    report = Report.objects.get(raw_message=raw)
    assert (report.status, report.ip) == ("matched", "198.51.100.21")
    assert report.reason == "phish.customer-a.test resolves to 198.51.100.21"
    case = Case.objects.get()
    assert (case.customer.reference, case.target) == ("customer-a", "http://phish.customer-a.test/login")
    assert not raw.needs_staff and replies() == []
    assert ("phish.customer-a.test.", "A") in dns_server.queries


def test_a_domain_behind_a_cdn_is_masked_and_the_notifier_told_to_use_the_cdn_form(demo, dns_server):
    raw = receive(mail("Phishing page at http://masked.test/login please remove it."))
    report = Report.objects.get(raw_message=raw)
    assert report.status == "masked"
    assert raw.needs_staff and raw.staff_reason.startswith("masked by CDN Cloudflare: masked.test resolves to")
    [reply] = replies()
    assert reply.to == "jane@victim.example" and reply.kind == "autoreply_masked"
    assert "https://abuse.cloudflare.com/" in reply.body and "Cloudflare" in reply.subject
    assert not Case.objects.exists()


def test_a_cloudflare_forwarded_report_with_the_origin_ip_matches_directly(demo, dns_server):
    Notifier.objects.create(name="Cloudflare", kind="cdn", sender_addresses="abuse@cloudflare.example")
    body = ("Cloudflare received an abuse report regarding masked.test.\n"
            "The origin IP address of the website is 198.51.100.77.\nReported URLs: http://masked.test/login\n")
    receive(mail(body, sender="abuse@cloudflare.example", subject="[Cloudflare] Phishing report"))
    assert Report.objects.filter(status="matched", ip="198.51.100.77").exists()
    assert Case.objects.get().customer.reference == "customer-a"


def test_an_unmatched_notice_gets_one_reply_per_day_asking_for_an_ip_of_ours(demo, clock):
    raw = receive(mail("Spam from 192.0.2.55, please stop it."))
    assert raw.needs_staff and raw.staff_reason == "no IP address of ours found"
    [reply] = replies()
    assert reply.to == "jane@victim.example" and reply.kind == "autoreply_unmatched"
    assert "IP address" in reply.subject and f"#{raw.pk}" in reply.body
    receive(mail("And more spam from 192.0.2.56."))
    assert len(replies()) == 1  # rate limited: one a day
    clock.advance(days=1)
    receive(mail("Still spam from 192.0.2.57."))
    assert len(replies()) == 2


def test_a_notice_without_any_address_asks_for_one(demo):
    raw = receive(mail("Your customer is sending us spam, make it stop!"))
    assert raw.needs_staff
    assert [r.kind for r in replies()] == ["autoreply_unmatched"]


@pytest.mark.parametrize("sender, headers", [
    ("noreply@victim.example", ""),
    ("mailer-daemon@victim.example", ""),
    ("jane@victim.example", "Auto-Submitted: auto-replied\n"),
    ("jane@victim.example", "Precedence: bulk\n"),
    ("jane@victim.example", "Precedence: list\n"),
    ("jane@victim.example", "Precedence: junk\n"),
    ("jane@victim.example", "List-Id: <abuse.lists.example>\n"),
    ("abuse@provider.example", ""),  # ourselves: a loop
    ("abuse+0123456789abcdef01234567@provider.example", ""),
    ("abuse@hosting-nl.example", ""),  # an entity's own abuse address
])
def test_no_automatic_reply_to_machines_lists_or_ourselves(demo, sender, headers):
    raw = receive(mail("Spam from 192.0.2.55, please stop it.", sender=sender, headers=headers))
    assert raw.needs_staff  # still in the staff queue
    assert replies() == []


def test_no_automatic_reply_to_notifiers_that_opted_out_or_feeds(demo):
    Notifier.objects.create(name="Quiet", email="quiet@quiet.example", sender_addresses="@quiet.example",
                            auto_reply=False)
    Notifier.objects.create(name="Some feed", kind="feed", email="feed@feed.example", sender_addresses="@feed.example")
    receive(mail("Spam from 192.0.2.55.", sender="jane@quiet.example"))
    receive(mail("Spam from 192.0.2.55.", sender="bot@feed.example"))
    assert replies() == []


def test_a_notice_with_something_of_ours_gets_no_unmatched_reply(demo):
    raw = receive(mail("Spam from 192.0.2.55 and from 198.51.100.9."))
    assert not raw.needs_staff and replies() == []
    assert Report.objects.filter(raw_message=raw, status="unmatched").count() == 1
