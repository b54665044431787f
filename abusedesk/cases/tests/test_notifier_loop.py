import pytest
from django.contrib.auth.models import User

from abusedesk.cases.models import CaseNotifier
from abusedesk.cases.services import close
from abusedesk.intake.models import Notifier
from abusedesk.outbox.models import OutgoingMail
from testkit.pipeline import ingest, notice_for, open_case

pytestmark = pytest.mark.django_db


def test_a_notifier_with_an_address_gets_a_receipt_that_names_no_customer(demo, clock):
    case = open_case("phishing", "198.51.100.10", email="analyst@bank.example", reference="BANK-9")
    receipt = OutgoingMail.objects.get(kind="receipt")
    assert receipt.to == "analyst@bank.example"
    assert case.ref in receipt.body and "BANK-9" in receipt.subject
    assert "Customer A" not in receipt.body and "customer-a" not in receipt.body
    assert CaseNotifier.objects.filter(case=case, email="analyst@bank.example").exists()


def test_a_second_notice_joining_the_case_gets_its_own_receipt(demo, clock):
    first = open_case("phishing", "198.51.100.10", email="one@bank.example", reference="A-1")
    second = open_case("phishing", "198.51.100.10", email="two@cert.example", reference="B-2")
    assert first.pk == second.pk
    assert set(OutgoingMail.objects.filter(kind="receipt").values_list("to", flat=True)) == {
        "one@bank.example", "two@cert.example"}


def test_feeds_no_reply_senders_and_our_own_addresses_get_no_receipt(demo, clock):
    feed = Notifier.objects.get(name="Shadowserver Foundation")
    ingest(notice_for("scanning", "198.51.100.11", email="noreply@shadowserver.org"), notifier=feed)
    open_case("spam", "198.51.100.12", email="bot@sender.example", no_reply=True)
    open_case("spam", "198.51.100.13", email="abuse@hosting-nl.example")
    open_case("spam", "198.51.100.14", email="not an address")
    assert not OutgoingMail.objects.filter(kind="receipt").exists()


def test_the_hotline_gets_a_receipt_in_its_language(demo, clock):
    hotline = Notifier.objects.get(kind="hotline")
    hotline.language = "nl"
    hotline.save()
    open_case("csam", "198.51.100.30", url="http://198.51.100.30/x", sensitive=True, notifier=hotline)
    receipt = OutgoingMail.objects.get(kind="receipt")
    assert receipt.to == "reports@hotline.example"
    assert "ontvangen" in receipt.subject


@pytest.mark.parametrize("reason,phrase", [
    ("resolved", "resolved: the abuse was stopped"),
    ("not_ours", "not ours"),
    ("dispute_upheld", "disputed"),
])
def test_the_notifier_learns_the_outcome_on_close_without_the_customer(demo, clock, reason, phrase):
    case = open_case("phishing", "198.51.100.10", email="analyst@bank.example", reference="BANK-9")
    close(case, User.objects.get(username="desk"), reason, note="checked")
    outcome = OutgoingMail.objects.get(kind="outcome")
    assert outcome.to == "analyst@bank.example"
    assert phrase in outcome.body and "BANK-9" in outcome.body
    assert "Customer A" not in outcome.body and "customer-a" not in outcome.body.lower()


def test_a_merged_case_sends_no_outcome(demo, clock):
    case = open_case("phishing", "198.51.100.10", email="analyst@bank.example")
    close(case, User.objects.get(username="desk"), "merged")
    assert not OutgoingMail.objects.filter(kind="outcome").exists()
