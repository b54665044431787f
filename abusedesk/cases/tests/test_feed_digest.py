"""A feed notice is forwarded as one digest per customer; each case exactly once, audited and followed up."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.cases import grouping, notify
from abusedesk.cases.models import AuditLog, Case
from abusedesk.intake import ingest
from abusedesk.intake.models import RawMessage
from abusedesk.intake.tests.feeds import scan_rdp
from abusedesk.network.models import Customer
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import run_sweep

OURS_A = [f"198.51.100.{i}" for i in range(1, 31)]  # customer-a (English)
OURS_B = [f"198.51.100.{i}" for i in range(130, 140)]  # customer-b (Dutch)
START = datetime(2026, 11, 21, tzinfo=UTC)


def feed(tmp_path, ips, rows=None):
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(scan_rdp(rows or len(ips) * 2, ips, start=START))
    return path


def test_a_feed_notice_sends_one_digest_per_customer_listing_its_cases(demo, clock, tmp_path):
    totals = ingest.ingest_files([feed(tmp_path, OURS_A + OURS_B)])
    assert totals["cases_new"] == 40 and totals["forwarded"] == 40
    mails = {m.to: m for m in OutgoingMail.objects.all()}
    a = Customer.objects.get(reference="customer-a")
    b = Customer.objects.get(reference="customer-b")
    assert set(mails) == {a.contact_email, b.contact_email}
    mail_a, mail_b = mails[a.contact_email], mails[b.contact_email]
    assert mail_a.kind == "digest" and "30 new case(s)" in mail_a.subject
    for case in Case.objects.filter(customer=a):
        assert f"{case.ref} | vulnerable service | {case.ip} | 3389 |" in mail_a.body
    assert "Dear Customer A Ltd," in mail_a.body and "Europe/London" in mail_a.body
    # customer-b reads Dutch, in its own time zone.
    assert "Beste Klant B B.V.," in mail_b.body and "Europe/Amsterdam" in mail_b.body
    assert mail_b.body.count("| 3389 |") == 10


def test_each_case_is_forwarded_once_with_an_audit_entry_and_a_next_check(demo, clock, tmp_path):
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    raw = RawMessage.objects.get()
    cases = list(Case.objects.all())
    assert len(cases) == 30
    for case in cases:
        assert case.state == "forwarded" and case.forwarded_at == clock.now
        # The first reminder point (policy default) comes before the deadline.
        assert case.next_check_at is not None and case.received_at < case.next_check_at <= case.deadline
        # Opened forwarded: one entry says both.
        entry = AuditLog.objects.get(case=case)
        assert (entry.verb, entry.from_state, entry.to_state) == ("created", "", "forwarded")
        assert entry.reason == f"notice #{raw.pk}, forwarded to {case.customer.contact_email} (digest)"


def test_a_resumed_or_repeated_forward_sends_nothing_twice(demo, clock, tmp_path):
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    raw = RawMessage.objects.get()
    ids = list(Case.objects.values_list("id", flat=True))
    assert notify.forward_digests(raw, ids) == 0
    assert grouping.forward_new_cases() == 0
    run_sweep()
    assert notify.queue_digests(raw, ids) == 30  # lists them again, but queues no second mail
    assert OutgoingMail.objects.filter(kind="digest").count() == 1
    assert AuditLog.objects.filter(to_state="forwarded").count() == 30


def test_cases_waiting_for_a_contact_go_out_as_a_digest_from_the_sweep(demo, clock, tmp_path):
    Customer.objects.filter(reference="customer-a").update(abuse_email="", main_email="")
    ingest.ingest_files([feed(tmp_path, OURS_A + OURS_B)])
    assert Case.objects.filter(state="new").count() == 30  # no address: they wait
    assert OutgoingMail.objects.count() == 1
    Customer.objects.filter(reference="customer-a").update(abuse_email="abuse@customer-a.example")
    assert grouping.forward_new_cases() == 30
    digest = OutgoingMail.objects.get(to="abuse@customer-a.example")
    assert digest.kind == "digest" and digest.body.count("| 3389 |") == 30
    assert not Case.objects.filter(state="new").exists()
    assert grouping.forward_new_cases() == 0


def test_a_long_digest_lists_the_first_cases_and_points_to_the_portal(demo, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(notify, "DIGEST_LINES", 25)
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    body = OutgoingMail.objects.get().body
    assert body.count("| 3389 |") == 25
    assert "... and 5 more, see the portal." in body


@pytest.mark.parametrize("hours_late", [0, 5])
def test_digest_cases_still_get_reminders_and_escalate_at_the_deadline(demo, clock, tmp_path, hours_late):
    from abusedesk.network.models import Entity
    from abusedesk.policy.models import DeadlinePolicy

    # Scan reports are informational by default; this entity enforces them.
    DeadlinePolicy.objects.update_or_create(entity=Entity.objects.get(code="nl"), category="vulnerable_service",
                                            defaults=dict(hours=72, reminders="50,90", informational=False))
    ingest.ingest_files([feed(tmp_path, OURS_B)])
    case = Case.objects.order_by("id").first()
    assert case.state == "forwarded"
    assert case.next_check_at == case.deadline - timedelta(hours=36)  # the 50% reminder
    clock.set(case.next_check_at + timedelta(minutes=1))
    run_sweep()
    case.refresh_from_db()
    assert case.reminders_sent == 1
    # All of the customer's cases are due together: one reminder digest lists them.
    assert mails_naming(case, "reminder") == 1
    clock.set(case.deadline + timedelta(hours=hours_late, minutes=1))
    run_sweep()
    case.refresh_from_db()
    assert case.state == "escalated"
    assert mails_naming(case, "escalation") == 1


def mails_naming(case, kind) -> int:
    return sum(case.ref in m.body for m in OutgoingMail.objects.filter(kind=kind, to=case.customer.contact_email))


def test_informational_digest_cases_are_not_escalated(demo, clock, tmp_path):
    ingest.ingest_files([feed(tmp_path, OURS_B)])
    case = Case.objects.order_by("id").first()
    clock.set(case.deadline + timedelta(minutes=1))
    run_sweep()
    case.refresh_from_db()
    assert case.state == "forwarded" and case.next_check_at is None
    assert AuditLog.objects.filter(case=case, verb="deadline_passed").exists()


def test_a_notice_with_a_handful_of_cases_still_gets_one_mail_per_case(demo, clock, samples):
    from abusedesk.intake.processing import process_raw_message
    from abusedesk.intake.store import store_raw

    raw, _created = store_raw(b"From: someone@example.net\nTo: abuse@hosting-nl.example\nSubject: spam\n\n"
                              b"Spam from 198.51.100.7 and 198.51.100.130 at 2026-11-21 10:00:00 UTC\n",
                              channel="smtp", envelope_from="someone@example.net")
    process_raw_message(raw.pk)
    assert not OutgoingMail.objects.filter(kind="digest").exists()
    forwards = OutgoingMail.objects.filter(kind="forward")
    assert forwards.count() == Case.objects.count() >= 1
