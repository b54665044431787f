"""Hand work to the worker. The row in the database is the job; a message on
the broker is only a nudge, so losing one delays work until the next sweep
but never loses it."""

import logging

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def kick_raw(raw_id: int) -> None:
    """Process a stored raw message now (no broker) or nudge a worker (broker)."""
    from abusedesk.intake.tasks import process_raw_message

    if not settings.CELERY_BROKER_URL:
        process_raw_message(raw_id)
        return
    try:
        process_raw_message.delay(raw_id)
    except Exception:  # broker down: the sweep will pick the row up
        log.warning("could not reach the broker for raw message %s; the sweep will process it", raw_id)


def enqueue_raw(raw_id: int) -> None:
    """kick_raw once the storing transaction has committed."""
    transaction.on_commit(lambda: kick_raw(raw_id))
