"""Hand work to the worker. The row in the database is the job; a message on
the broker is only a nudge, so losing one delays work until the next sweep
but never loses it. Nudges never block their caller (lib.nudge)."""

from django.db import transaction

from abusedesk.lib.nudge import start


def kick_raw(raw_id: int) -> None:
    """Process a stored raw message now (no broker) or nudge a worker (broker)."""
    # Here, not at the top: intake.store (imported while the apps load) would pull Celery
    # and the whole processing stage in with it.
    from .tasks import process_raw_message

    start(process_raw_message, raw_id)


def enqueue_raw(raw_id: int) -> None:
    """kick_raw once the storing transaction has committed."""
    transaction.on_commit(lambda: kick_raw(raw_id))

