"""Claim due mails and send them. Two workers never send the same row.

A row may be queued without its text (a feed's digest: composing 45,000 mails
does not belong in the ingest, and SMTP sends a few a second at best): its
kind's composer (`COMPOSERS`, filled in by the app that queues such rows, in
its AppConfig.ready()) writes subject and body when the row is claimed, and
they are saved on the row before it is sent, the record of what went out.
"""

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q

from abusedesk.lib import clock
from abusedesk.lib.claims import claim

from .bounces import bounce_address
from .models import OutgoingMail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8

# kind -> composer(mail) -> (subject, body), for rows queued with an empty body.
COMPOSERS: dict[str, Callable[[OutgoingMail], tuple[str, str]]] = {}


class NothingToSend(Exception):
    """Raised by a composer that has nothing left to say (the cases are gone): the row
    is marked failed with this as its last error, instead of sending an empty mail."""


def queue_mail(*, dedupe_key: str, kind: str, to: str, subject: str, body: str, case=None,
               reply_to: str = "", headers: dict | None = None) -> OutgoingMail:
    mail, _created = OutgoingMail.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults=dict(
            kind=kind, case=case, to=to, from_email=settings.DEFAULT_FROM_EMAIL, reply_to=reply_to,
            subject=subject[:500], body=body, headers=headers or {}, next_attempt_at=clock.now(),
        ),
    )
    return mail


def mail_row(*, dedupe_key: str, kind: str, to: str, subject: str, body: str, case=None,
             reply_to: str = "", headers: dict | None = None) -> OutgoingMail:
    """An unsaved outbox row, for queue_mails()."""
    return OutgoingMail(
        dedupe_key=dedupe_key[:200], kind=kind, case=case, to=to, from_email=settings.DEFAULT_FROM_EMAIL,
        reply_to=reply_to, subject=subject[:500], body=body, headers=headers or {}, next_attempt_at=clock.now(),
    )


def queue_mails(rows: list[OutgoingMail]) -> None:
    """Queue many rows in one INSERT; a row whose dedupe key is already queued is skipped (as in queue_mail)."""
    OutgoingMail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def release(notice) -> int:
    """Queue the mails held for `notice` (its digests), due now; returns how many. One
    UPDATE, through the index on the notice: call it in the transaction that marks
    the notice done (or failed)."""
    return OutgoingMail.objects.filter(notice=notice, state=OutgoingMail.State.HELD).update(
        state=OutgoingMail.State.QUEUED, next_attempt_at=clock.now())


def release_all(notices) -> int:
    """release() for many notices at once (a batch of them done together), in one UPDATE."""
    return OutgoingMail.objects.filter(notice__in=notices, state=OutgoingMail.State.HELD).update(
        state=OutgoingMail.State.QUEUED, next_attempt_at=clock.now())


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 240))


def send_due(limit: int = 100) -> int:
    """Send every due mail; returns how many were sent."""
    now = clock.now()
    stale = now - timedelta(seconds=settings.CLAIM_TIMEOUT)
    due = OutgoingMail.objects.filter(
        Q(state=OutgoingMail.State.QUEUED, next_attempt_at__lte=now)
        | Q(state=OutgoingMail.State.SENDING, claimed_at__lt=stale)
    ).values_list("id", flat=True)[:limit]
    sent = 0
    connection = None
    try:
        for mail_id in list(due):
            mail = claim(OutgoingMail, mail_id, ["queued", "sending"], "sending", stale)
            if mail is None:
                continue
            if connection is None:
                # Opened here, one session for the batch: otherwise each send would end with a QUIT
                # between the server's 250 and our record of it, widening the window below.
                connection = get_connection()
                try:
                    connection.open()
                except Exception as exc:  # the relay is unreachable: this one later, the rest stay queued
                    connection = None
                    mail.attempts += 1
                    _retry_later(mail, f"{type(exc).__name__}: {exc}")
                    break
            if _send_one(mail, connection):
                sent += 1
            else:  # the session may be broken: the next mail opens a fresh one
                connection.close()
                connection = None
    finally:
        if connection is not None:
            connection.close()
    return sent


def message_id(mail: OutgoingMail) -> str:
    """The mail's Message-ID, the same on every attempt and from every worker: a receiver that
    got a mail twice (see _send_one) can tell it is the same one."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "abusedesk.invalid"
    digest = hashlib.sha256(mail.dedupe_key.encode()).hexdigest()[:16]
    return f"<abusedesk.{mail.pk}.{digest}@{domain}>"


def _compose(mail: OutgoingMail) -> bool:
    """Write the text of a row queued without one; False if it is not to be sent now."""
    composer = COMPOSERS.get(mail.kind)
    if mail.body or composer is None:
        return True
    try:
        subject, body = composer(mail)
    except NothingToSend as exc:
        mail.state = OutgoingMail.State.FAILED
        mail.last_error = f"nothing to send: {exc}"[:2000]
        mail.save(update_fields=["state", "last_error"])
        log.warning("mail %s (%s) to %s not sent: %s", mail.pk, mail.kind, mail.to, mail.last_error)
        return False
    except Exception as exc:  # as a transport error: retried later, the row kept
        mail.attempts += 1
        _retry_later(mail, f"composing failed: {type(exc).__name__}: {exc}")
        return False
    mail.subject, mail.body = subject[:500], body
    mail.save(update_fields=["subject", "body"])
    return True


def _retry_later(mail: OutgoingMail, error: str) -> None:
    mail.last_error = error[:2000]
    if mail.attempts >= MAX_ATTEMPTS:
        mail.state = OutgoingMail.State.FAILED
    else:
        mail.state = OutgoingMail.State.QUEUED
        mail.next_attempt_at = clock.now() + backoff(mail.attempts)
    mail.save(update_fields=["state", "attempts", "last_error", "next_attempt_at", "message_id"])
    log.warning("mail %s to %s failed (attempt %s): %s", mail.pk, mail.to, mail.attempts, mail.last_error)


def _send_one(mail: OutgoingMail, connection) -> bool:
    if not _compose(mail):
        return False
    mail.message_id = mail.message_id or message_id(mail)
    # The From header shows our address; the envelope sender is the mail's own VERP
    # address, so that a bounce names the mail it is about.
    headers = dict(mail.headers, **{"Message-ID": mail.message_id, "Auto-Submitted": "auto-generated",
                                    "From": mail.from_email})
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=bounce_address(mail),
        to=[a.strip() for a in mail.to.split(",") if a.strip()],
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers=headers,
        connection=connection,
    )
    mail.attempts += 1
    # At least once, not exactly once: if this process dies after the server's 250 and before the
    # UPDATE below, the claim goes stale and the mail is sent again (SMTP has no way to ask whether it
    # arrived). Nothing runs between the two, and the Message-ID stays the same (docs/reliability.md).
    try:
        message.send()
    except Exception as exc:  # any transport error: retry later, never lose the row
        _retry_later(mail, f"{type(exc).__name__}: {exc}")
        return False
    mail.state = OutgoingMail.State.SENT
    mail.sent_at = clock.now()
    mail.last_error = ""
    mail.save(update_fields=["state", "attempts", "sent_at", "last_error", "message_id"])
    log.info("mail %s (%s) sent to %s", mail.pk, mail.kind, mail.to)
    return True
