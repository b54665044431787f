import pytest

from abusedesk.network.models import Customer
from abusedesk.outbox.models import OutgoingMail
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def test_the_forward_shows_the_deadline_in_the_customers_time_zone(demo, clock):
    # The clock is 2026-11-22 12:00 UTC; phishing gives 24 h; customer-a lives in Europe/London (UTC+0 in
    # November), customer-b in Europe/Amsterdam (UTC+1), the reseller in Europe/Berlin.
    a = open_case("phishing", "198.51.100.10")
    b = open_case("phishing", "198.51.100.200")
    Customer.objects.filter(reference="reseller-c").update(timezone="America/New_York", language="en")
    c = open_case("phishing", "203.0.113.5")
    assert "2026-11-23 12:00 (Europe/London)" in OutgoingMail.objects.get(case=a, kind="forward").body
    assert "2026-11-23 13:00 (Europe/Amsterdam)" in OutgoingMail.objects.get(case=b, kind="forward").body
    assert "2026-11-23 07:00 (America/New_York)" in OutgoingMail.objects.get(case=c, kind="forward").body


def test_the_forward_is_in_the_customers_language_with_a_threading_reply_address(demo, clock):
    b = open_case("phishing", "198.51.100.200")  # customer-b speaks Dutch
    mail = OutgoingMail.objects.get(case=b, kind="forward")
    assert "Beste Klant B B.V." in mail.body
    assert "Misbruikmelding" in mail.subject
    assert mail.reply_to == f"abuse+{b.reply_token}@provider.example"
    assert mail.to == "abuse@customer-b.example"


def test_a_german_customer_gets_german_reminders(demo, clock):
    from abusedesk.sweep import run_sweep

    c = open_case("phishing", "203.0.113.5")  # reseller-c speaks German
    clock.advance(hours=12)
    run_sweep()
    mail = OutgoingMail.objects.get(case=c, kind="reminder")
    assert "Erinnerung" in mail.subject
    assert "(Europe/Berlin)" in mail.body


def test_a_child_abuse_notice_carries_the_url_and_reference_only(demo, clock):
    case = open_case("csam", "198.51.100.30", url="http://198.51.100.30/x.jpg", sensitive=True,
                     evidence="description of the image that must never be forwarded", reference="HL-77")
    body = OutgoingMail.objects.get(case=case, kind="forward").body
    assert "http://198.51.100.30/x.jpg" in body and "HL-77" in body
    assert "description of the image" not in body
