"""SMTP intake: answer 250 only after the notice is committed to the raw store."""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import close_old_connections

from abusedesk.intake import jobs

from .models import RawMessage
from .store import store_raw

log = logging.getLogger(__name__)
STORE_THREADS = 8


def _store(content: bytes, mail_from: str, rcpt_tos: list[str], peer: str | None):
    close_old_connections()
    try:
        return store_raw(content, RawMessage.Channel.SMTP, envelope_from=mail_from or "",
                         envelope_to=",".join(rcpt_tos), remote_addr=peer, enqueue=False)
    finally:
        close_old_connections()


class IntakeHandler:
    """Stores on threads of its own; what comes after the 250 is a kick that
    returns at once (jobs.kick_new_mail: a nudge to the worker, or without a
    broker the process's own batch thread), so it never holds a sender."""

    def __init__(self):
        self.storing = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="smtp-store")

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        loop = asyncio.get_running_loop()
        storing = loop.run_in_executor(self.storing, _store, content, envelope.mail_from,
                                       list(envelope.rcpt_tos), peer)
        try:
            # A frozen database answers nothing: the sender hears 451 well inside its own
            # timeout (RFC 5321 4.5.3.2: 10 minutes for the end of DATA) and retries.
            raw, created = await asyncio.wait_for(asyncio.shield(storing), settings.SMTP_STORE_TIMEOUT)
        except TimeoutError:
            log.error("storing an incoming notice took over %g s (database unreachable?); answered 451",
                      settings.SMTP_STORE_TIMEOUT)
            return "451 4.3.0 Temporary failure storing the message, please retry"
        except Exception:
            # Not stored, so not accepted: the sending MTA keeps it and retries.
            log.exception("could not store an incoming notice; answered 451")
            return "451 4.3.0 Temporary failure storing the message, please retry"
        if created:
            try:
                jobs.kick_new_mail()
            except Exception:  # the sweep picks it up; never fail a stored notice
                log.exception("could not start processing notice #%s (the sweep will)", raw.pk)
        log.info("accepted notice #%s from %s (%d bytes)", raw.pk, envelope.mail_from, len(content))
        return f"250 2.0.0 Accepted as notice #{raw.pk}"


class IntakeSMTP(SMTP):
    # RFC 5321 allows 1000 octets a line, but real notifiers send longer lines
    # (unwrapped HTML, logs); refusing them would lose notices.
    line_length_limit = 64 * 1024


class IntakeController(Controller):
    def factory(self):
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)


def make_controller(host: str | None = None, port: int | None = None) -> Controller:
    return IntakeController(
        IntakeHandler(),
        hostname=host or settings.SMTP_HOST,
        port=port if port is not None else settings.SMTP_PORT,
        server_hostname="abusedesk",
        data_size_limit=settings.SMTP_MAX_MESSAGE_BYTES,
        # aiosmtpd keeps the 8-bit bytes exactly as sent; we decode nothing here.
        decode_data=False,
        timeout=120,
    )

