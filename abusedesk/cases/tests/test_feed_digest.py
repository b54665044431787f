"""A feed notice is forwarded as one digest per customer; each case exactly once, audited and followed up.

The digest rows are queued by the ingest without their text; the outbox writes it when it sends them."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.cases import digests, forwarding, notify
from abusedesk.cases.models import AuditLog, Case
from abusedesk.intake import ingest
from abusedesk.intake.models import RawMessage
from abusedesk.intake.tests.feeds import scan_rdp
from abusedesk.network.models import Customer
from abusedesk.outbox import sending
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import run_sweep

OURS_A = [f"198.51.100.{i}" for i in range(1, 31)]  # customer-a (English)
OURS_B = [f"198.51.100.{i}" for i in range(130, 140)]  # customer-b (Dutch)
START = datetime(2026, 11, 21, tzinfo=UTC)


def feed(tmp_path, ips, rows=None):
    path = tmp_path / "2026-11-21-scan_rdp-nl-asn64496.csv"
    path.write_bytes(scan_rdp(rows or len(ips) * 2, ips, start=START))
    return path


def test_after_a_feed_each_customer_has_one_digest_queued_to_be_written_when_sent(demo, clock, tmp_path):
    totals = ingest.ingest_files([feed(tmp_path, OURS_A + OURS_B)])
    assert totals["cases_new"] == 40 and totals["forwarded"] == 40
    raw = RawMessage.objects.get()
    a = Customer.objects.get(reference="customer-a")
    b = Customer.objects.get(reference="customer-b")
    rows = {m.to: m for m in OutgoingMail.objects.all()}
    assert set(rows) == {a.contact_email, b.contact_email}
    for customer in (a, b):
        row = rows[customer.contact_email]
        assert (row.kind, row.state, row.notice_id, row.next_attempt_at) == ("digest", "queued", raw.pk, clock.now)
        assert (row.dedupe_key, row.subject, row.body) == (f"raw:{raw.pk}:digest:{customer.pk}", "", "")
        assert row.reply_to == "abuse@hosting-nl.example"
    # Every case knows the notice that opened it: the digest lists them from there.
    assert set(Case.objects.values_list("opened_by", flat=True)) == {raw.pk}


def test_the_sent_digest_lists_the_customers_cases_in_its_language_and_time_zone(demo, clock, tmp_path,
                                                                                  mailoutbox):
    ingest.ingest_files([feed(tmp_path, OURS_A + OURS_B)])
    assert sending.send_due() == 2
    a = Customer.objects.get(reference="customer-a")
    b = Customer.objects.get(reference="customer-b")
    sent = {m.to[0]: m for m in mailoutbox}
    mail_a, mail_b = sent[a.contact_email], sent[b.contact_email]
    assert "30 new case(s)" in mail_a.subject
    london = notify.zone("Europe/London")
    for case in Case.objects.filter(customer=a):
        assert (f"{case.ref} | vulnerable service | {case.ip} | 3389 | {case.first_seen.astimezone(london):%Y-%m-%d %H:%M}"
                f" | {case.deadline.astimezone(london):%Y-%m-%d %H:%M}\n") in mail_a.body
    assert "Dear Customer A Ltd," in mail_a.body and "Europe/London" in mail_a.body
    assert mail_a.reply_to == ["abuse@hosting-nl.example"]
    # customer-b reads Dutch, in its own time zone.
    assert "Beste Klant B B.V.," in mail_b.body and "Europe/Amsterdam" in mail_b.body
    assert mail_b.body.count("| 3389 |") == 10


def test_the_outbox_row_keeps_the_text_it_sent(demo, clock, tmp_path, mailoutbox):
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    sending.send_due()
    row = OutgoingMail.objects.get()
    [mail] = mailoutbox
    assert row.state == "sent" and (row.subject, row.body) == (mail.subject, mail.body)
    assert mail.extra_headers["X-Abusedesk-Notice"] == str(RawMessage.objects.get().pk)
    assert sending.send_due() == 0 and len(mailoutbox) == 1


def test_a_digest_whose_cases_are_all_gone_fails_instead_of_sending_an_empty_mail(demo, clock, tmp_path,
                                                                                mailoutbox):
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    Case.objects.all().delete()
    assert sending.send_due() == 0
    row = OutgoingMail.objects.get()
    assert row.state == "failed" and not mailoutbox
    customer, raw = Customer.objects.get(reference="customer-a"), RawMessage.objects.get()
    assert row.last_error == f"nothing to send: no case of customer #{customer.pk} from notice #{raw.pk} is left to list"


def test_a_composing_error_is_retried_later_and_keeps_the_row(demo, clock, tmp_path, mailoutbox, monkeypatch):
    ingest.ingest_files([feed(tmp_path, OURS_A)])

    def broken(mail):
        raise RuntimeError("template missing")

    monkeypatch.setitem(sending.COMPOSERS, "digest", broken)
    assert sending.send_due() == 0
    row = OutgoingMail.objects.get()
    assert (row.state, row.attempts, row.body) == ("queued", 1, "")
    assert row.last_error == "composing failed: RuntimeError: template missing"
    assert row.next_attempt_at == clock.now + sending.backoff(1)
    assert sending.send_due() == 0  # not due yet
    monkeypatch.setitem(sending.COMPOSERS, "digest", digests.compose_digest)
    clock.advance(minutes=2)
    assert sending.send_due() == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, "")
    assert mailoutbox[0].body.count("| 3389 |") == 30


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


def test_a_repeated_forward_sends_nothing_twice(demo, clock, tmp_path, mailoutbox):
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    raw = RawMessage.objects.get()
    ids = list(Case.objects.values_list("id", flat=True))
    assert digests.forward_digests(raw, ids) == 0
    assert forwarding.forward_new_cases() == 0
    run_sweep()
    assert digests.forward_digests(raw, ids) == 0
    run_sweep()
    assert OutgoingMail.objects.filter(kind="digest").count() == 1 and len(mailoutbox) == 1
    assert AuditLog.objects.filter(to_state="forwarded").count() == 30


def test_cases_waiting_for_a_contact_go_out_as_a_digest_from_the_sweep(demo, clock, tmp_path):
    Customer.objects.filter(reference="customer-a").update(abuse_email="", main_email="")
    ingest.ingest_files([feed(tmp_path, OURS_A + OURS_B)])
    assert Case.objects.filter(state="new").count() == 30  # no address: they wait
    assert OutgoingMail.objects.count() == 1
    Customer.objects.filter(reference="customer-a").update(abuse_email="abuse@customer-a.example")
    assert forwarding.forward_new_cases() == 30
    digest = OutgoingMail.objects.get(to="abuse@customer-a.example")
    assert digest.kind == "digest" and digest.body.count("| 3389 |") == 30
    assert not Case.objects.filter(state="new").exists()
    assert forwarding.forward_new_cases() == 0


def test_a_long_digest_lists_the_first_cases_and_points_to_the_portal(demo, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(digests, "DIGEST_LINES", 25)
    ingest.ingest_files([feed(tmp_path, OURS_A)])
    sending.send_due()
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


@pytest.mark.parametrize("on_a", [3, 30])
def test_a_digest_batch_costs_the_same_queries_however_many_cases_and_customers_it_forwards(
        demo, clock, tmp_path, on_a, django_assert_max_num_queries):
    from django.db import connection

    # Both customers without an address at first: the cases wait as new, then go out together.
    Customer.objects.filter(reference__in=["customer-a", "customer-b"]).update(abuse_email="", main_email="")
    ingest.ingest_files([feed(tmp_path, OURS_A[:on_a] + OURS_B[:on_a // 3 + 1])])
    for reference in ("customer-a", "customer-b"):
        Customer.objects.filter(reference=reference).update(abuse_email=f"abuse@{reference}.example")
    raw = RawMessage.objects.get()
    ids = list(Case.objects.values_list("id", flat=True))
    # Read the cases, their ports, customers, entities and policies; write the mails, the state
    # changes (one UPDATE per next check point) and the audit entries: a dozen, not one per case
    # (PostgreSQL: and the savepoints and temporary tables of its COPYs).
    with django_assert_max_num_queries(12 if connection.vendor == "sqlite" else 18):
        assert digests.forward_digests(raw, ids) == len(ids)
    assert OutgoingMail.objects.filter(kind="digest").count() == 2
    assert AuditLog.objects.filter(verb="transition", to_state="forwarded").count() == len(ids)
    assert not Case.objects.filter(state="new").exists()
