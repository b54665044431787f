"""Hand work to the worker. The row in the database is the job; a message on
the broker is only a nudge, so losing one delays work until the next sweep
but never loses it. Nudges never block their caller (lib.nudge)."""

from django.conf import settings
from django.db import transaction

from abusedesk.lib.nudge import nudge

# Mail queued by a burst of notices: one send task a second is enough, each sends everything due.
MAIL_NUDGE_EVERY = 1.0


def kick_raw(raw_id: int) -> None:
    """Process a stored raw message now (no broker) or nudge a worker (broker)."""
    from abusedesk.intake.tasks import process_raw_message

    if not settings.CELERY_BROKER_URL:
        process_raw_message(raw_id)
        return
    nudge(process_raw_message, raw_id)


def enqueue_raw(raw_id: int) -> None:
    """kick_raw once the storing transaction has committed."""
    transaction.on_commit(lambda: kick_raw(raw_id))


def kick_mail() -> None:
    """Mail was queued: with a broker, nudge the mail queue's worker (the sweep sends it otherwise)."""
    if not settings.CELERY_BROKER_URL:
        return
    from abusedesk.outbox.tasks import send_mail

    nudge(send_mail, every=MAIL_NUDGE_EVERY)
