"""Only a proven sender is trusted: a spoofed trusted notifier is held as possible impersonation, a mass
notice from an unproven sender waits for staff, and the desk shows the notice's own verdict."""

import pytest

from abusedesk.cases.models import Case
from abusedesk.intake.models import Notifier, RawMessage
from abusedesk.intake.processing import process_raw_message
from abusedesk.intake.store import store_raw
from abusedesk.outbox.models import OutgoingMail
from abusedesk.policy.models import NotifierDeadline

pytestmark = pytest.mark.django_db
OUR_MTA = "127.0.0.1"  # conftest: ABUSEDESK_MTA_ADDRESSES


def hotline_mail(auth: str = "", ips=("198.51.100.30",), sender="reports@hotline.example") -> bytes:
    lines = "\n".join(f"Abusive material at http://{ip}/x.html" for ip in ips)
    return (f"{auth}From: Hotline <{sender}>\nTo: abuse@hosting-nl.example\nSubject: Notice and takedown\n"
            f"Message-ID: <ntd-{len(ips)}-{hash(auth) & 0xffff}@hotline.example>\n\n"
            f"Child sexual abuse material is hosted on your network.\n{lines}\n").encode()


def receive(content: bytes, peer: str | None = OUR_MTA) -> RawMessage:
    raw, _ = store_raw(content, RawMessage.Channel.SMTP, envelope_from="reports@hotline.example",
                       remote_addr=peer, enqueue=False)
    process_raw_message(raw.pk)
    raw.refresh_from_db()
    return raw


OUR_PASS = "Authentication-Results: mx.hosting-nl.example; dkim=pass header.d=hotline.example\n"


def test_a_spoofed_trusted_hotline_is_held_as_possible_impersonation(demo):
    raw = receive(hotline_mail())

    assert raw.needs_staff and raw.review == "held" and not raw.trusted
    assert raw.staff_reason.startswith("possible impersonation: names the trusted notifier Example Child Abuse")
    # Nothing opened, forwarded or answered.
    assert not Case.objects.exists() and not OutgoingMail.objects.exists()


def test_a_hotline_notice_proven_by_our_mta_is_trusted(demo):
    raw = receive(hotline_mail(OUR_PASS))

    assert raw.trusted and not raw.needs_staff
    assert Case.objects.get().opened_by == raw


def test_our_authserv_id_written_by_someone_who_reached_smtpd_directly_is_not_believed(demo):
    raw = receive(hotline_mail(OUR_PASS), peer="192.0.2.66")

    assert not raw.trusted and raw.review == "held"


@pytest.mark.parametrize("header", [
    "Authentication-Results: mx.hosting-nl.example; dkim=pass header.d=attacker.example\n",  # not the From domain
    "Authentication-Results: mx.elsewhere.example; dkim=pass header.d=hotline.example\n",  # not our MTA's id
    "Authentication-Results: mx.hosting-nl.example; dkim=fail header.d=hotline.example\n"
    "Authentication-Results: mx.hosting-nl.example; dkim=pass header.d=hotline.example\n",  # only the top counts
])
def test_a_pass_that_is_not_ours_or_not_for_the_sender_proves_nothing(demo, header):
    raw = receive(hotline_mail(header))

    assert not raw.trusted and raw.review == "held"


def test_a_notifier_deadline_shortens_only_a_proven_notice(demo):
    hotline = Notifier.objects.get(kind="hotline")
    hotline.sender_addresses += "\n@hotline.example"
    hotline.trusted = False  # a known, untrusted notifier with a short deadline of its own
    hotline.save()
    NotifierDeadline.objects.create(notifier=hotline, category="", hours=2)

    unproven = receive(hotline_mail(ips=["198.51.100.31"], sender="tips@hotline.example"))
    proven = receive(hotline_mail(OUR_PASS, ips=["198.51.100.32"]))

    assert Case.objects.get(opened_by=unproven).deadline_hours != 2
    assert not proven.trusted  # proven, but not a trusted notifier
    assert Case.objects.get(opened_by=proven).deadline_hours != 2
    hotline.trusted = True
    hotline.save()
    trusted = receive(hotline_mail(OUR_PASS, ips=["198.51.100.33"]))
    assert trusted.trusted and Case.objects.get(opened_by=trusted).deadline_hours == 1  # csam: 1 h already
    assert Case.objects.get(opened_by=trusted).deadline_hours <= 2


def test_a_mass_notice_from_an_unknown_sender_waits_for_staff_before_anything_is_forwarded(
        demo, settings, client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    settings.MASS_NOTICE_EVENTS = 20
    ips = [f"198.51.100.{i}" for i in range(1, 41)]
    body = "Spam sources:\n" + "\n".join(ips) + "\n"
    content = ("From: someone@unknown.example\nTo: abuse@hosting-nl.example\nSubject: spam sources\n\n"
               + body).encode()
    raw, _ = store_raw(content, RawMessage.Channel.SMTP, remote_addr=OUR_MTA, enqueue=False)
    process_raw_message(raw.pk)
    raw.refresh_from_db()

    assert raw.review == "held" and raw.needs_staff
    assert raw.staff_reason.startswith("mass notice from an unproven sender (40 events)")
    assert not Case.objects.exists() and not OutgoingMail.objects.exists()

    client.force_login(User.objects.get(username="desk"))
    page = client.get(f"/desk/raw/{raw.pk}/")
    assert b"Release: process this notice" in page.content
    with django_capture_on_commit_callbacks(execute=True):  # no broker: processed in-process once released
        client.post(f"/desk/raw/{raw.pk}/release/")

    raw.refresh_from_db()
    assert (raw.review, raw.state, raw.needs_staff) == ("released", "done", False)
    assert Case.objects.count() == 40


def test_the_desk_shows_trusted_only_for_a_case_a_trusted_notice_opened(demo, client,
                                                                        django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="desk"))
    hotline = Notifier.objects.get(kind="hotline")
    hotline.sender_addresses += "\n@hotline.example"
    hotline.save()
    raw = receive(hotline_mail(OUR_PASS))
    case = Case.objects.get(opened_by=raw)
    assert b'class="state">trusted' in client.get(f"/desk/cases/{case.pk}/").content

    # A notice of the same trusted notifier that nothing proved opened this one (released by staff).
    spoofed = receive(hotline_mail(ips=["198.51.100.35"]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/desk/raw/{spoofed.pk}/release/")
    other = Case.objects.get(opened_by=spoofed)
    assert other.notifier == hotline
    assert b'class="state">trusted' not in client.get(f"/desk/cases/{other.pk}/").content


def test_parser_warnings_are_kept_with_the_notice_and_shown_to_staff(demo, client):
    from django.contrib.auth.models import User

    body = "Content-Type: text/plain\n\nspam from 198.51.100.42\n"
    for i in range(50):  # a MIME bomb: 50 levels deep
        body = f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n{body}\n--b{i}--\n'
    content = f"From: someone@unknown.example\nTo: abuse@hosting-nl.example\nSubject: bomb\nMIME-Version: 1.0\n{body}"
    raw, _ = store_raw(content.encode(), RawMessage.Channel.SMTP, remote_addr=OUR_MTA, enqueue=False)
    process_raw_message(raw.pk)
    raw.refresh_from_db()

    assert any("MIME nesting deeper than" in w for w in raw.warnings)
    assert raw.needs_staff and "MIME nesting deeper than" in raw.staff_reason
    client.force_login(User.objects.get(username="desk"))
    assert b"MIME nesting deeper than" in client.get(f"/desk/raw/{raw.pk}/").content
