"""Hand work to the worker. The row in the database is the job; a message on
the broker is only a nudge, so losing one delays work until the next sweep
but never loses it. Nudges never block their caller (lib.nudge)."""

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, transaction

from abusedesk.lib.nudge import nudge, start

log = logging.getLogger(__name__)
# A burst of mail: the worker is nudged at most this often; each nudge processes all new mail, in batches.
NEW_MAIL_NUDGE_EVERY = 0.2


def kick_raw(raw_id: int) -> None:
    """Process a stored raw message now (no broker) or nudge a worker (broker)."""
    # Here, not at the top: intake.store (imported while the apps load) would pull Celery
    # and the whole processing stage in with it.
    from .tasks import process_raw_message

    start(process_raw_message, raw_id)


def enqueue_raw(raw_id: int) -> None:
    """kick_raw once the storing transaction has committed."""
    transaction.on_commit(lambda: kick_raw(raw_id))



def kick_new_mail() -> None:
    """New mail was stored: process it, with whatever else came in meanwhile, in batches
    (processing.process_batch): in this process without a broker, else on a worker."""
    if not settings.CELERY_BROKER_URL:
        drainer.kick()
        return
    from abusedesk.intake.tasks import process_new_mail

    nudge(process_new_mail, every=NEW_MAIL_NUDGE_EVERY)


class Drainer:
    """Without a broker: one thread per process works through the new mail in
    batches until none is left, then waits for the next kick. One thread, not
    one per mail: SQLite takes one writer at a time, and a batch needs one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pid = None

    def kick(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child starts its own
                self._pid = os.getpid()
                threading.Thread(target=self._loop, name="mail-batches", daemon=True).start()
        self._wake.set()

    def _loop(self) -> None:
        from abusedesk.intake.tasks import process_new_mail

        while True:
            self._wake.wait()
            self._wake.clear()
            close_old_connections()
            try:
                process_new_mail()
            except Exception:  # the sweep picks the mail up; never let the thread die
                log.exception("processing new mail in batches failed")
            finally:
                close_old_connections()


drainer = Drainer()
