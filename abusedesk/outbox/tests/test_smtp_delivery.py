import email
from datetime import timedelta
from email.policy import default as default_policy

import pytest

from abusedesk.outbox.sending import MAX_ATTEMPTS, queue_mail, send_due

from .sink import SmtpSink

pytestmark = pytest.mark.django_db


def queue(n=1, **kwargs):
    return [queue_mail(dedupe_key=f"test:{i}", kind="test", to="abuse@customer-a.example",
                       subject=f"Mail {i}", body="Hallo — ünïcode", **kwargs) for i in range(n)]


def test_mail_reaches_a_real_smtp_server_once_with_a_verp_envelope_sender(db, clock, settings):
    with SmtpSink() as sink:
        sink.settings(settings)
        (mail,) = queue()
        queue()  # the same dedupe key: not queued again
        assert send_due() == 1
        assert send_due() == 0
    assert len(sink.messages) == 1
    mail_from, rcpts, content = sink.messages[0]
    assert rcpts == ["abuse@customer-a.example"]
    assert mail_from.startswith(f"abuse+b{mail.pk}-") and mail_from.endswith("@provider.example")
    msg = email.message_from_bytes(content, policy=default_policy)
    assert msg["From"] == "abuse@provider.example"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content().strip() == "Hallo — ünïcode"
    mail.refresh_from_db()
    assert mail.state == "sent" and mail.attempts == 1 and mail.message_id == msg["Message-ID"]


def test_a_refusing_server_is_retried_with_exponential_backoff(db, clock, settings):
    with SmtpSink(refuse=2) as sink:
        sink.settings(settings)
        (mail,) = queue()
        assert send_due() == 0
        mail.refresh_from_db()
        assert mail.state == "queued" and mail.attempts == 1 and "451" in mail.last_error
        assert mail.next_attempt_at == clock.now + timedelta(minutes=2)
        clock.advance(minutes=1)
        assert send_due() == 0  # not due yet: nothing is tried early
        clock.advance(minutes=1)
        assert send_due() == 0
        mail.refresh_from_db()
        assert mail.next_attempt_at == clock.now + timedelta(minutes=4)
        clock.advance(minutes=4)
        assert send_due() == 1
    assert len(sink.messages) == 1
    mail.refresh_from_db()
    assert mail.state == "sent" and mail.attempts == 3 and mail.last_error == ""


def test_a_mail_that_keeps_failing_gives_up_after_the_last_attempt(db, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    (mail,) = queue()
    for _ in range(MAX_ATTEMPTS):
        send_due()
        clock.advance(hours=5)
    mail.refresh_from_db()
    assert mail.state == "failed" and mail.attempts == MAX_ATTEMPTS
    assert send_due() == 0


def test_a_mail_sent_again_after_a_crash_carries_the_same_message_id(db, settings):
    from abusedesk.outbox.models import OutgoingMail

    with SmtpSink() as sink:
        sink.settings(settings)
        mail = queue_mail(dedupe_key="crash:1", kind="test", to="abuse@customer-a.example", subject="s", body="b")
        assert send_due() == 1
        # The worker died after the server's 250 and before its UPDATE: nothing of the send was recorded.
        OutgoingMail.objects.filter(pk=mail.pk).update(state="queued", message_id="", sent_at=None)
        assert send_due() == 1
    first, second = (email.message_from_bytes(content)["Message-ID"] for _f, _r, content in sink.messages)
    # Delivered twice (at least once), but a receiver can tell it is one mail.
    assert first == second == OutgoingMail.objects.get(pk=mail.pk).message_id


def test_an_unreachable_relay_leaves_the_mails_queued_for_later(db, settings):
    from abusedesk.outbox.models import OutgoingMail
    from testkit.helpers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    for i in range(3):
        queue_mail(dedupe_key=f"down:{i}", kind="test", to="abuse@customer-a.example", subject="s", body="b")

    assert send_due() == 0

    assert sorted(OutgoingMail.objects.values_list("state", "attempts")) == [("queued", 0), ("queued", 0),
                                                                              ("queued", 1)]
