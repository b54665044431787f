import time

from celery import shared_task

from abusedesk.lib.nudge import nudge
from abusedesk.outbox.tasks import send_mail

from . import bulk, processing

# A burst of notices queues mail: one send task a second is enough, each sends everything due.
MAIL_NUDGE_EVERY = 1.0
# A drain of new mail gives its worker back after this long (it nudges the next one), so that
# the process queue's other tasks are not held behind a long burst.
DRAIN_SECONDS = 30.0


@shared_task(name="abusedesk.process_raw_message")
def process_raw_message(raw_id: int):
    summary = processing.process_raw_message(raw_id)
    if summary is not None:
        # What the notice queued (forwards, receipts) leaves from the mail queue now, not at the
        # next sweep (with a broker: without one, nudge() does nothing and the sweep loop sends it).
        nudge(send_mail, every=MAIL_NUDGE_EVERY)
    return summary


@shared_task(name="abusedesk.process_new_mail")
def process_new_mail():
    """Process new mail in batches (processing.process_batch) until none is left; returns how many.

    On PostgreSQL one batch writer works at a time (bulk.batch_writer). A drain that finds another
    writer at it returns at once instead of waiting: the writer takes this one's mail too, and a
    worker process is not held in a lock wait while mail waits to be sent. The writer looks for new
    mail again once it has let go of the lock, so that mail whose drain returned meanwhile is not
    left to the sweep."""
    done, started = 0, time.monotonic()
    while True:
        with bulk.batch_writer(wait=0) as writer:
            if not writer:
                return done
            while n := processing.process_batch():
                done += n
                nudge(send_mail, every=MAIL_NUDGE_EVERY)  # nothing without a broker (lib.nudge)
                if time.monotonic() - started > DRAIN_SECONDS:
                    break
        if time.monotonic() - started > DRAIN_SECONDS:
            # The lock is let go first: the successor must find it free.
            nudge(process_new_mail)
            return done
        if not processing.batch_waiting():
            return done
