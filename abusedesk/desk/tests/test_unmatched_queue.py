"""The unmatched queue can be worked: make cases, dismiss, answer the sender (one or many), and notices
that matched nobody are tried again once new assignments arrive."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.cases.models import AuditLog, Case, Report
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.intake.store import store_raw
from abusedesk.network.importer import Importer
from abusedesk.outbox.models import OutgoingMail
from abusedesk.sweep import process_pending_raw

pytestmark = pytest.mark.django_db(transaction=True)
ARF = (Path(__file__).resolve().parents[2] / "demo" / "samples" / "01-arf-spam-customer-a.eml").read_bytes()


def unmatched(ip="192.0.2.99", n=1, person=False) -> RawMessage:
    content = ARF.replace(b"198.51.100.42", ip.encode()).replace(b"0001@", f"{n:04d}@".encode())
    if person:  # a person at a mailbox provider, not its feedback loop: a reply reaches someone
        content = content.replace(b"fbl@mailbox-provider.example", b"jan@isp.example")
    raw, _ = store_raw(content, RawMessage.Channel.SMTP, enqueue=False, remote_addr="127.0.0.1",  # our MTA
                       envelope_from="jan@isp.example" if person else "fbl@mailbox-provider.example")
    process_pending_raw()
    raw.refresh_from_db()
    assert raw.needs_staff and raw.staff_reason == "no IP address of ours found", raw.staff_reason
    return raw


@pytest.fixture
def desk(client, demo):
    client.force_login(User.objects.create_user("ann", "ann@provider.example", "x", is_staff=True))
    return client


def test_staff_make_cases_of_an_unmatched_notice_by_naming_the_offender(desk):
    raw = unmatched()
    desk.post(reverse("desk:raw-triage", args=[raw.pk, "make"]), {"target": "198.51.100.60", "category": "spam"})
    process_pending_raw()
    case = Case.objects.get(ip="198.51.100.60")
    assert (case.customer.reference, case.category, case.state) == ("customer-a", "spam", "forwarded")
    raw.refresh_from_db()
    assert not raw.needs_staff and raw.dismiss_reason == "made_notice"
    assert raw.pk not in [r.pk for r in desk.get(reverse("desk:queue", args=["unmatched"])).context["page"]["rows"]]
    assert AuditLog.objects.filter(verb="notice_made", subject=f"raw:{raw.pk}").exists()


def test_a_dismissed_notice_leaves_the_queue_with_its_reason(desk):
    raw = unmatched()
    desk.post(reverse("desk:raw-triage", args=[raw.pk, "dismiss"]), {"reason": "not_ours", "note": "Hetzner's"})
    raw.refresh_from_db()
    assert (raw.needs_staff, raw.dismiss_reason, raw.dismissed_by.username) == (False, "not_ours", "ann")
    assert AuditLog.objects.filter(verb="notice_dismissed", subject=f"raw:{raw.pk}").exists()


def test_many_notices_are_dismissed_or_answered_at_once(desk):
    first, second = unmatched("192.0.2.98", n=1, person=True), unmatched("192.0.2.97", n=2, person=True)
    desk.post(reverse("desk:raw-triage-bulk"), {"raws": [first.pk, second.pk], "action": "reply",
                                                  "template": "need_more"})
    assert OutgoingMail.objects.filter(kind="triage_need_more").count() == 2
    desk.post(reverse("desk:raw-triage-bulk"), {"raws": [first.pk, second.pk, "99999999999999999999"],
                                                  "action": "dismiss", "reason": "insufficient"})
    assert RawMessage.objects.filter(dismiss_reason="insufficient").count() == 2


def test_the_answer_goes_to_the_sender_in_its_language(desk):
    raw = unmatched(person=True)
    raw.notifier = Notifier.objects.create(name="Jan", kind="person", email="jan@isp.example", language="de")
    raw.save(update_fields=["notifier"])
    desk.post(reverse("desk:raw-triage", args=[raw.pk, "reply"]), {"template": "not_ours"})
    mail = OutgoingMail.objects.get(kind="triage_not_ours")
    assert "nicht in unserem Netz" in mail.body and mail.subject.startswith("Ihre Abuse-Meldung")


def test_notices_that_matched_nobody_are_tried_again_when_assignments_arrive(desk, tmp_path):
    raw = unmatched(ip="192.0.2.99")
    reports_before = Report.objects.filter(raw_message=raw).count()
    Importer().run(__import__("io").BytesIO(b"192.0.2.0/24,customer-b,2020-01-01,\n"))
    process_pending_raw()
    raw.refresh_from_db()
    assert not raw.needs_staff and raw.state == "done"
    assert Case.objects.get(ip="192.0.2.99").customer.reference == "customer-b"
    assert Report.objects.filter(raw_message=raw).count() == reports_before  # matched now, not doubled
